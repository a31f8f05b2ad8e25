import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Ref, Schedule } from "effect"
import { SimulatedModel } from "../../src/simulated/openaiCompatible"
import type { ServerPoolShape } from "../../src/services/pool/ServerPool"
import { PoolDeps, startTestPool, testPoolOptions } from "../support/poolFixture"
import { makeTempHome } from "../support/tempHome"

const withHome = <A, E, R>(f: (home: ReturnType<typeof makeTempHome>) => Effect.Effect<A, E, R>) =>
  Effect.acquireUseRelease(Effect.sync(() => makeTempHome()), f, (home) => Effect.sync(home.cleanup))

/** the most calls the pool ran at once while `calls` slow calls were asked of it together */
const peakInFlight = (pool: ServerPoolShape, calls: number, tag: string) =>
  Effect.gen(function*() {
    const peak = yield* Ref.make(0)
    const sampler = yield* pool.getStatus.pipe(
      Effect.flatMap((s) => Ref.update(peak, (p) => Math.max(p, s.inFlight))),
      Effect.repeat(Schedule.spaced("25 millis")),
      Effect.fork
    )
    const results = yield* Effect.forEach(
      Array.from({ length: calls }, (_, i) => i),
      (i) => pool.execute(`${tag} ${i} SLEEP=1500`, { model: "openai/gpt-5.2-codex", timeout: 120_000 }),
      { concurrency: "unbounded" }
    )
    yield* Fiber.interrupt(sampler)
    results.forEach((r, i) => expect(r.stdout).toContain(`${tag} ${i}`))
    return yield* Ref.get(peak)
  })

describe("the pool's worker limit (real opencode servers)", () => {
  it.scopedLive("setMaxWorkers applies to the next calls without a restart", () =>
    withHome((home) =>
      Effect.gen(function*() {
        const model = yield* SimulatedModel.make({})
        const pool = yield* startTestPool(testPoolOptions(home, model, { minServers: 1, maxServers: 1, maxWorkers: 3 }))
        expect((yield* pool.getStatus).maxWorkers).toBe(3)
        expect(yield* peakInFlight(pool, 3, "together")).toBe(3)
        yield* pool.setMaxWorkers(1)
        expect((yield* pool.getStatus).maxWorkers).toBe(1)
        expect(yield* peakInFlight(pool, 3, "one by one")).toBe(1)
      })
    ).pipe(Effect.provide(PoolDeps)), 300_000)
})
