import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Fiber, Schedule } from "effect"
import * as net from "node:net"
import { SimulatedModel, type SimulatedModelHandle } from "../../src/simulated/openaiCompatible"
import { isAlive, PoolDeps, startTestPool, testPoolOptions } from "../support/poolFixture"
import { makeTempHome } from "../support/tempHome"

const withHome = <A, E, R>(f: (home: ReturnType<typeof makeTempHome>) => Effect.Effect<A, E, R>) =>
  Effect.acquireUseRelease(Effect.sync(() => makeTempHome()), f, (home) => Effect.sync(home.cleanup))

const waitFor = <E, R>(check: Effect.Effect<boolean, E, R>, ms: number) =>
  check.pipe(
    Effect.repeat({ while: (ok) => !ok, schedule: Schedule.spaced("200 millis") }),
    Effect.timeout(ms)
  )

/** every prompt `request <i>`, i < count, has reached the model */
const allAtModel = (model: SimulatedModelHandle, count: number) => {
  const seen = new Set(model.requests.flatMap((r) => [...JSON.stringify(r.body).matchAll(/request (\d+)\b/g)].map((m) => Number(m[1]))))
  return Array.from({ length: count }, (_, i) => i).every((i) => seen.has(i))
}

describe("ServerPool reliability (real opencode servers)", () => {
  it.scopedLive("SIGKILL of a server with 20 requests in flight: all 20 complete, and it is back within one health interval", () =>
    withHome((home) =>
      Effect.gen(function*() {
        const model = yield* SimulatedModel.make({ latencyMs: 2_500 })
        const healthIntervalMs = 30_000
        const pool = yield* startTestPool(testPoolOptions(home, model, { minServers: 2, maxServers: 2, maxWorkers: 25, healthIntervalMs }))
        const before = yield* pool.getStatus
        expect(before.activeServers).toBe(2)
        const victim = before.servers[0]!
        const calls = yield* Effect.forEach(
          Array.from({ length: 20 }, (_, i) => i),
          (i) => Effect.fork(pool.execute(`request ${i}`, { model: "openai/gpt-5.2-codex", timeout: 90_000 })),
          { concurrency: "unbounded" }
        )
        yield* waitFor(Effect.map(pool.getStatus, (s) => s.servers.every((x) => x.busyCount > 0)), 60_000)
        // in flight on the servers: every prompt has reached the model, which holds each one for 2.5 s
        yield* waitFor(Effect.sync(() => allAtModel(model, 20)), 60_000)
        process.kill(victim.pid!, "SIGKILL")
        const killedAt = Date.now()
        const back = yield* waitFor(
          Effect.map(pool.getStatus, (s) => s.servers.some((x) => x.port === victim.port && x.pid !== null && x.pid !== victim.pid && (x.status === "idle" || x.status === "busy"))),
          healthIntervalMs
        ).pipe(Effect.map(() => Date.now() - killedAt), Effect.fork)
        const results = yield* Effect.forEach(calls, Fiber.join)
        expect(results).toHaveLength(20)
        results.forEach((r, i) => expect(r.stdout).toContain(`request ${i}`))
        expect(yield* Fiber.join(back)).toBeLessThan(healthIntervalMs)
        const after = yield* pool.getStatus
        const reborn = after.servers.find((x) => x.port === victim.port)!
        expect(reborn.restarts).toBeGreaterThanOrEqual(1)
        expect(isAlive(victim.pid!)).toBe(false)
        yield* waitFor(Effect.map(pool.getStatus, (s) => s.activeServers === 2), 30_000)
        expect((yield* pool.getStatus).activeServers).toBe(2)
      })
    ).pipe(Effect.provide(PoolDeps)), 240_000)

  it.scopedLive("a provider 429 and a hanging stream surface as typed errors within the timeout", () =>
    withHome((home) =>
      Effect.gen(function*() {
        const model = yield* SimulatedModel.make({ retryAfterSeconds: 7 })
        const pool = yield* startTestPool(testPoolOptions(home, model))
        yield* pool.execute("warm up", { model: "openai/gpt-5.2-codex" })
        const started = Date.now()
        const limited = yield* Effect.either(pool.execute("please FAULT=429", { model: "openai/gpt-5.2-codex", timeout: 60_000 }))
        expect(Either.isLeft(limited) && limited.left._tag).toBe("OpenCodeProviderError")
        if (Either.isLeft(limited) && limited.left._tag === "OpenCodeProviderError") {
          expect(limited.left.kind).toBe("rate-limit")
          // from the server's shared subscription, on OpenCode's first retry (it gives up by itself only much later)
          expect(limited.left.message).toContain("OpenCode would retry")
        }
        expect(Date.now() - started).toBeLessThan(60_000)
        const requestsAfter429 = model.requests.length
        yield* Effect.sleep("3 seconds")
        expect(model.requests.length).toBe(requestsAfter429)

        const hangStart = Date.now()
        const hung = yield* Effect.either(pool.execute("please FAULT=hang", { model: "openai/gpt-5.2-codex", timeout: 3_000 }))
        expect(Either.isLeft(hung) && hung.left._tag).toBe("OpenCodeTimeout")
        expect(Date.now() - hangStart).toBeLessThan(15_000)
        // the pool is still usable afterwards
        const ok = yield* pool.execute("still there?", { model: "openai/gpt-5.2-codex" })
        expect(ok.stdout).toContain("still there?")
      })
    ).pipe(Effect.provide(PoolDeps)), 180_000)

  it.scopedLive("a port in use is skipped, not fatal", () =>
    withHome((home) =>
      Effect.gen(function*() {
        const model = yield* SimulatedModel.make({})
        const options = testPoolOptions(home, model)
        const squatter = net.createServer()
        yield* Effect.acquireRelease(
          Effect.async<void>((resume) => {
            squatter.listen(options.basePort, "127.0.0.1", () => resume(Effect.void))
          }),
          () => Effect.sync(() => squatter.close())
        )
        const pool = yield* startTestPool(options)
        const status = yield* pool.getStatus
        expect(status.activeServers).toBe(1)
        expect(status.servers[0]!.port).not.toBe(options.basePort)
      })
    ).pipe(Effect.provide(PoolDeps)), 120_000)

  it.scopedLive("a hung server (SIGSTOP) fails its health checks and is restarted on the same port", () =>
    withHome((home) =>
      Effect.gen(function*() {
        const model = yield* SimulatedModel.make({})
        const pool = yield* startTestPool(testPoolOptions(home, model, { healthIntervalMs: 1_500 }))
        const before = (yield* pool.getStatus).servers[0]!
        process.kill(before.pid!, "SIGSTOP")
        yield* waitFor(
          Effect.map(pool.getStatus, (s) => s.servers.some((x) => x.port === before.port && x.status === "idle" && x.pid !== before.pid)),
          90_000
        )
        const after = (yield* pool.getStatus).servers[0]!
        expect(after.restarts).toBeGreaterThanOrEqual(1)
        expect(after.lastError).toBe("failed a health check")
        expect(isAlive(before.pid!)).toBe(false)
        expect((yield* pool.execute("after the hang", { model: "openai/gpt-5.2-codex" })).stdout).toContain("after the hang")
      })
    ).pipe(Effect.provide(PoolDeps)), 180_000)

  it.scopedLive("autoscale: load over 80% starts a second server; under 30% for the configured time stops it", () =>
    withHome((home) =>
      Effect.gen(function*() {
        const model = yield* SimulatedModel.make({ latencyMs: 6_000 })
        const pool = yield* startTestPool(testPoolOptions(home, model, {
          minServers: 1,
          maxServers: 2,
          autoScale: true,
          slotsPerServer: 1,
          scaleDownAfterMs: 3_000,
          autoscaleTickMs: 250
        }))
        expect((yield* pool.getStatus).activeServers).toBe(1)
        const busy = yield* Effect.fork(pool.execute("keep the pool busy", { model: "openai/gpt-5.2-codex", timeout: 90_000 }))
        yield* waitFor(Effect.map(pool.getStatus, (s) => s.activeServers === 2), 60_000)
        expect((yield* pool.getStatus).activeServers).toBe(2)
        yield* Fiber.join(busy)
        yield* waitFor(Effect.map(pool.getStatus, (s) => s.servers.length === 1), 30_000)
        const after = yield* pool.getStatus
        expect(after.servers).toHaveLength(1)
        expect(after.activeServers).toBe(1)
      })
    ).pipe(Effect.provide(PoolDeps)), 180_000)
})
