/**
 * Failover latency: a call whose first candidate answers 429 at once and whose second answers, against a direct call
 * on the healthy provider, on the same warm pool (real `opencode serve`, the simulated model), interleaved.
 * Run with `node bench/run.mjs failover [--quick]` (see bench/README.md). Goal: median ratio at most 1.3x (exit 1 when
 * missed).
 *
 * Each failover call gets a fresh balancer (state in memory), so the failing provider is never cooling down yet: every
 * sample pays the 429 round trip, as the first call after a provider starts failing does.
 *
 * Two models: `instant` answers at once (the ratio is then OpenCode's and omcm's overhead alone: session, prompt,
 * the 429, the retry event), `generating` streams a 60-word answer at 20 ms a word (about 1.2 s, still shorter than
 * a real sub-agent's call); the goal is checked on the second.
 */
import { NodeContext, NodeHttpClient, NodeRuntime } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { totalTokens } from "../src/domain/execution"
import { makeProviderBalancer } from "../src/services/balancer/ProviderBalancer"
import { balancerSettings } from "../src/services/balancer/strategies"
import { classifyDelegationFailure } from "../src/services/daemon/delegationFailure"
import { OpenCodeClient } from "../src/services/pool/OpenCodeClient"
import { makeServerPool, type ServerPoolShape } from "../src/services/pool/ServerPool"
import { SimulatedModel } from "../src/simulated/openaiCompatible"
import { fixedPoolOptions, loadavg, log, median, ms, ratio, stats, timed, writeResult } from "./support"

const FAILING = "openai/gpt-5.2-codex"
const HEALTHY = "google/gemini-3-flash"
const GOAL = 1.3

const quick = process.argv.slice(2).includes("--quick")
const ROUNDS = quick ? 4 : 20

const direct = (pool: ServerPoolShape, i: number) => pool.execute(`direct call ${i}`, { model: HEALTHY, timeout: 60_000 })

const failedOver = (pool: ServerPoolShape, i: number) =>
  Effect.gen(function*() {
    const balancer = yield* makeProviderBalancer(balancerSettings({ balancingStrategy: "round-robin" }))
    const done = yield* balancer.failover({
      candidates: [FAILING, HEALTHY],
      budgetMs: 60_000,
      attempt: (id, remainingMs) => pool.execute(`failover call ${i}`, { model: id, timeout: remainingMs }),
      classify: classifyDelegationFailure,
      measure: (r) => ({ latencyMs: r.executionTime, tokens: totalTokens(r.tokens) })
    })
    if (done.id !== HEALTHY || done.attempts.length !== 1) {
      return yield* Effect.dieMessage(`expected a failover to ${HEALTHY}, got ${done.id} after ${done.attempts.length} attempt(s)`)
    }
    return done.value
  })

const ANSWER = Array.from({ length: 60 }, (_, i) => `word${i}`).join(" ")

const measure = (label: string, generating: boolean) =>
  Effect.gen(function*() {
    const model = yield* SimulatedModel.make({
      latencyMs: 0,
      retryAfterSeconds: 0,
      faultFor: (request) => (request.model === "gpt-5.2-codex" ? "429" : undefined),
      ...(generating ? { reply: ANSWER, chunkDelayMs: 20 } : {})
    })
    const pool = yield* makeServerPool(fixedPoolOptions(model, `failover-${label}`, 1))
    yield* pool.initialize
    // warm both paths once (each model's first call loads its provider in OpenCode)
    yield* direct(pool, -1)
    yield* failedOver(pool, -1)
    const directMs: Array<number> = []
    const failoverMs: Array<number> = []
    for (let i = 0; i < ROUNDS; i++) {
      // interleaved, alternating which goes first, so drift in the machine's load hits both alike
      const pair = i % 2 === 0
        ? [timed(direct(pool, i)), timed(failedOver(pool, i))] as const
        : [timed(failedOver(pool, i)), timed(direct(pool, i))] as const
      const first = yield* pair[0]
      const second = yield* pair[1]
      directMs.push(i % 2 === 0 ? first.ms : second.ms)
      failoverMs.push(i % 2 === 0 ? second.ms : first.ms)
    }
    const r = ratio(median(failoverMs), median(directMs))
    yield* log(`${label}: failover (429 at once, then ${HEALTHY}) vs direct on ${HEALTHY}, ${ROUNDS} interleaved rounds, load ${loadavg().join(" ")}`)
    yield* log(`  direct    median ${ms(median(directMs))}`)
    yield* log(`  failover  median ${ms(median(failoverMs))} (the 429 attempt: ${ms(median(failoverMs) - median(directMs))})`)
    yield* log(`  ratio ${r}x${generating ? ` (goal at most ${GOAL}x)` : " (overhead only)"}`)
    return { direct: stats(directMs), failover: stats(failoverMs), ratio: r }
  }).pipe(Effect.scoped)

const program = Effect.gen(function*() {
  const instant = yield* measure("instant", false)
  const generating = yield* measure("generating", true)
  const file = writeResult("failover", { rounds: ROUNDS, instant, generating, goal: GOAL, load: loadavg() })
  yield* log(`written to ${file}${quick ? " (--quick: too few samples to quote)" : ""}`)
  if (!quick && generating.ratio > GOAL) yield* Effect.sync(() => void (process.exitCode = 1))
})

const Deps = Layer.mergeAll(NodeContext.layer, OpenCodeClient.layerWithoutDependencies.pipe(Layer.provide(NodeHttpClient.layer)))

NodeRuntime.runMain(program.pipe(Effect.provide(Deps)))
