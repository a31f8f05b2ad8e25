import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { sqliteStateStore } from "../../src/services/balancer/balancerStore"
import { makeProviderBalancer } from "../../src/services/balancer/ProviderBalancer"
import { balancerSettings } from "../../src/services/balancer/strategies"
import { openStore } from "../../src/services/store/Store"

// Choosing a tier's candidate, cooling down the ones that fail, and trying the next before Claude: on the TestClock.

const settings = balancerSettings({ balancingStrategy: "round-robin" })
const candidates = ["openai/gpt-5.4", "google/gemini-3.1-pro-preview"]
const rateLimit = (retryAfterMs?: number) => ({ scope: "provider" as const, reason: "rate limited (429)", retryAfterMs })

describe("ProviderBalancer.order", () => {
  it.effect("rotates the leading provider among the best priority; the rest follow", () =>
    Effect.gen(function*() {
      const b = yield* makeProviderBalancer(settings)
      expect((yield* b.order(candidates)).tryOrder).toEqual(["openai/gpt-5.4", "google/gemini-3.1-pro-preview"])
      expect((yield* b.order(candidates)).tryOrder).toEqual(["google/gemini-3.1-pro-preview", "openai/gpt-5.4"])
    }))

  it.effect("a better priority always leads; a disabled provider is left out", () =>
    Effect.gen(function*() {
      const b = yield* makeProviderBalancer(balancerSettings({ providers: { gemini: { priority: 1 }, openrouter: { enabled: false } } }))
      const ordering = yield* b.order([...candidates, "openrouter/x"])
      expect(ordering.tryOrder).toEqual(["google/gemini-3.1-pro-preview", "openai/gpt-5.4"])
      expect(ordering.disabled).toEqual(["openrouter/x"])
    }))
})

describe("cooldown", () => {
  it.effect("a 429 cools its whole provider down for Retry-After (at least balancer.cooldownSeconds), then it is tried again", () =>
    Effect.gen(function*() {
      const b = yield* makeProviderBalancer(settings, { cooldownMs: 60_000 })
      yield* b.recordOutcome("openai/gpt-5.4", { ok: false, failure: rateLimit(120_000) })
      const cooling = yield* b.order(["openai/gpt-5.4", "openai/gpt-5-mini", "google/gemini-3.8-flash"])
      expect(cooling.tryOrder).toEqual(["google/gemini-3.8-flash"])
      expect(cooling.coolingDown.map((c) => [c.id, c.until])).toEqual([["openai/gpt-5.4", 120_000], ["openai/gpt-5-mini", 120_000]])
      yield* TestClock.adjust("119 seconds")
      expect((yield* b.order(["openai/gpt-5.4"])).tryOrder).toEqual([])
      yield* TestClock.adjust("1 second")
      expect((yield* b.order(["openai/gpt-5.4"])).tryOrder).toEqual(["openai/gpt-5.4"])
    }))

  it.effect("a 5xx or a stall cools only that model down", () =>
    Effect.gen(function*() {
      const b = yield* makeProviderBalancer(settings, { cooldownMs: 60_000 })
      yield* b.recordOutcome("openai/gpt-5.4", { ok: false, failure: { scope: "model", reason: "stalled" } })
      expect((yield* b.order(["openai/gpt-5.4", "openai/gpt-5-mini"])).tryOrder).toEqual(["openai/gpt-5-mini"])
      expect((yield* b.getStats).coolingDown).toEqual([{ target: "openai/gpt-5.4", until: 60_000, reason: "stalled" }])
    }))

  it.effect("2 failures in 5 calls are not enough to cool the provider down", () =>
    Effect.gen(function*() {
      const b = yield* makeProviderBalancer(settings, { cooldownMs: 30_000 })
      for (const id of ["openai/a", "openai/b", "openai/c"]) yield* b.recordOutcome(id, { ok: true, latencyMs: 100, tokens: 10 })
      for (const id of ["openai/d", "openai/e"]) yield* b.recordOutcome(id, { ok: false, failure: { scope: "model", reason: "HTTP 500" } })
      expect((yield* b.order(["openai/f"])).tryOrder).toEqual(["openai/f"])
    }))

  it.effect("half of at least 5 calls failing within a minute cools the whole provider down", () =>
    Effect.gen(function*() {
      const b = yield* makeProviderBalancer(settings, { cooldownMs: 30_000 })
      for (let i = 0; i < 3; i++) yield* b.recordOutcome(`openai/ok${i}`, { ok: true, latencyMs: 100, tokens: 10 })
      for (let i = 0; i < 3; i++) yield* b.recordOutcome(`openai/bad${i}`, { ok: false, failure: { scope: "model", reason: "HTTP 500" } })
      const ordering = yield* b.order(["openai/other"])
      expect(ordering.tryOrder).toEqual([])
      expect(ordering.coolingDown[0]?.reason).toBe("3 of 6 calls failed within a minute")
    }))

  it.scoped("the state is shared through the database: another process's balancer sees the cooldown", () =>
    Effect.gen(function*() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "omcm-balancer-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true })))
      const file = path.join(dir, "omcm.db")
      const one = yield* makeProviderBalancer(settings, { store: sqliteStateStore(yield* openStore(file)) })
      const two = yield* makeProviderBalancer(settings, { store: sqliteStateStore(yield* openStore(file)) })
      yield* one.recordOutcome("openai/gpt-5.4", { ok: false, failure: rateLimit() })
      expect((yield* two.order(candidates)).tryOrder).toEqual(["google/gemini-3.1-pro-preview"])
    }))
})

describe("ProviderBalancer.failover", () => {
  const classify = (e: { readonly kind: "429" | "stall" | "late" }) =>
    e.kind === "429"
      ? { failure: rateLimit(), retry: true }
      : e.kind === "stall"
      ? { failure: { scope: "model" as const, reason: "no output" }, retry: true }
      : { failure: { scope: "model" as const, reason: "failed after tool calls" }, retry: false }

  it.effect("a failure before any output moves the call to the next candidate; the answer says which and what failed", () =>
    Effect.gen(function*() {
      const b = yield* makeProviderBalancer(settings)
      const tried: Array<string> = []
      const done = yield* b.failover({
        candidates,
        budgetMs: 60_000,
        attempt: (id) => Effect.suspend(() => (tried.push(id), id.startsWith("openai") ? Effect.fail({ kind: "429" as const }) : Effect.succeed(`answer from ${id}`))),
        classify,
        measure: () => ({ latencyMs: 10, tokens: 5 })
      })
      expect(done).toEqual({ value: "answer from google/gemini-3.1-pro-preview", id: "google/gemini-3.1-pro-preview", attempts: [{ id: "openai/gpt-5.4", error: "rate limited (429)" }] })
      expect(tried).toEqual(["openai/gpt-5.4", "google/gemini-3.1-pro-preview"])
      // the failed provider is not tried again while it cools down
      const next = yield* b.order(candidates)
      expect(next.tryOrder).toEqual(["google/gemini-3.1-pro-preview"])
    }))

  it.effect("work that started is never replayed on another provider", () =>
    Effect.gen(function*() {
      const b = yield* makeProviderBalancer(settings)
      const tried: Array<string> = []
      const error = yield* Effect.flip(b.failover({
        candidates,
        budgetMs: 60_000,
        attempt: (id) => Effect.suspend(() => (tried.push(id), Effect.fail({ kind: "late" as const }))),
        classify,
        measure: () => ({ latencyMs: 0, tokens: 0 })
      }))
      expect(tried).toHaveLength(1)
      // the failure itself is the answer: the caller runs the work on Claude with its reason
      expect(error).toEqual({ kind: "late" })
    }))

  it.effect("when every candidate fails or cools down, the call is for Claude, with every reason", () =>
    Effect.gen(function*() {
      const b = yield* makeProviderBalancer(settings)
      yield* b.recordOutcome("google/gemini-3.1-pro-preview", { ok: false, failure: rateLimit() })
      const error = yield* Effect.flip(b.failover({
        candidates,
        budgetMs: 60_000,
        attempt: () => Effect.fail({ kind: "stall" as const }),
        classify,
        measure: () => ({ latencyMs: 0, tokens: 0 })
      }))
      expect(error).toMatchObject({ _tag: "CandidatesExhausted" })
      expect((error as { message: string }).message).toBe(
        "no OpenCode candidate answered: openai/gpt-5.4: no output; google/gemini-3.1-pro-preview: cooling down (rate limited (429))"
      )
    }))

  it.effect("a candidate is only tried while the budget lasts, and gets what is left of it", () =>
    Effect.gen(function*() {
      const b = yield* makeProviderBalancer(settings)
      const budgets: Array<number> = []
      const error = yield* Effect.flip(b.failover({
        candidates,
        budgetMs: 10_000,
        attempt: (_, remaining) => Effect.suspend(() => (budgets.push(remaining), Effect.fail({ kind: "stall" as const }))).pipe(Effect.delay("10 seconds")),
        classify,
        measure: () => ({ latencyMs: 0, tokens: 0 })
      }).pipe(Effect.fork, Effect.tap(() => TestClock.adjust("20 seconds")), Effect.flatMap((f) => f.await), Effect.flatten))
      expect(budgets).toEqual([10_000])
      expect(error).toMatchObject({ _tag: "CandidatesExhausted" })
    }))
})
