import { HttpClient } from "@effect/platform"
import { NodeContext, NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Schedule } from "effect"
import { SimulatedModel } from "../../src/simulated/openaiCompatible"
import { OpenCodeClient } from "../../src/services/pool/OpenCodeClient"
import { isAlive, PoolDeps, startTestPool, testPoolOptions } from "../support/poolFixture"
import { makeTempHome } from "../support/tempHome"

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

  it.scopedLive("calls share their server's one event subscription; a restarted server opens a new one", () => {
    const subscriptions: Array<string> = []
    const counting = Layer.effect(
      HttpClient.HttpClient,
      Effect.map(HttpClient.HttpClient, (http) =>
        // subscriptions that were answered: a reconnect attempt to a killed server is not one
        HttpClient.tap(http, (response) =>
          Effect.sync(() => {
            const url = new URL(response.request.url)
            if (url.pathname === "/event" && response.status === 200) subscriptions.push(url.port)
          })))
    ).pipe(Layer.provide(NodeHttpClient.layer))
    const deps = Layer.mergeAll(NodeContext.layer, OpenCodeClient.layerWithoutDependencies.pipe(Layer.provide(counting)))
    return withHome((home) =>
      Effect.gen(function*() {
        const model = yield* SimulatedModel.make({})
        const pool = yield* startTestPool(testPoolOptions(home, model, { healthIntervalMs: 30_000 }))
        expect(subscriptions).toHaveLength(1)
        const call = (text: string) => pool.execute(text, { model: "openai/gpt-5.2-codex" })
        yield* call("one")
        yield* Effect.all([call("two"), call("three"), call("four")], { concurrency: "unbounded" })
        expect(subscriptions).toHaveLength(1)

        const before = (yield* pool.getStatus).servers[0]!
        process.kill(before.pid!, "SIGKILL")
        yield* pool.getStatus.pipe(
          Effect.repeat({
            schedule: Schedule.spaced("200 millis"),
            until: (s) => s.servers[0]!.pid !== before.pid && s.servers[0]!.status === "idle"
          }),
          Effect.timeout("60 seconds")
        )
        expect((yield* call("after the restart")).stdout).toContain("after the restart")
        expect(subscriptions).toEqual([String(before.port), String(before.port)])
      })
    ).pipe(Effect.provide(deps))
  }, 120_000)
})
