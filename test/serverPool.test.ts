import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { SimulatedModel } from "../src/simulated/openaiCompatible"
import { isAlive, PoolDeps, startTestPool, testPoolOptions } from "./support/poolFixture"
import { makeTempHome } from "./support/tempHome"

const withHome = <A, E, R>(f: (home: ReturnType<typeof makeTempHome>) => Effect.Effect<A, E, R>) =>
  Effect.acquireUseRelease(Effect.sync(() => makeTempHome()), f, (home) => Effect.sync(home.cleanup))

describe("ServerPool on real opencode servers", () => {
  it.scopedLive("starts a server, executes a prompt on it, reports status, and stops every process on scope close", () =>
    withHome((home) =>
      Effect.gen(function*() {
        const model = yield* SimulatedModel.make({})
        const pids = yield* Effect.scoped(Effect.gen(function*() {
          const pool = yield* startTestPool(testPoolOptions(home, model))
          const status = yield* pool.getStatus
          expect(status).toMatchObject({ activeServers: 1, idleServers: 1, busyServers: 0, totalRequests: 0 })
          const result = yield* pool.execute("Say hello to the pool", { model: "openai/gpt-5.2-codex" })
          expect(result.stdout).toContain("Say hello to the pool")
          expect(result).toMatchObject({ exitCode: 0, provider: "openai", model: "gpt-5.2-codex", serverPort: status.servers[0]!.port })
          expect(result.tokens.input).toBeGreaterThan(0)
          const after = yield* pool.getStatus
          expect(after.totalRequests).toBe(1)
          expect(after.averageResponseTime).toBeGreaterThan(0)
          return after.servers.map((s) => s.pid!)
        }))
        expect(pids.length).toBe(1)
        expect(pids.every((pid) => !isAlive(pid))).toBe(true)
      })
    ).pipe(Effect.provide(PoolDeps)), 120_000)
})
