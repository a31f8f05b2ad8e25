import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Schedule } from "effect"
import { SimulatedModel, type SimulatedModelHandle } from "../../src/simulated/openaiCompatible"
import type { ServerPoolShape } from "../../src/services/pool/ServerPool"
import { isAlive, PoolDeps, startTestPool, testPoolOptions } from "../support/poolFixture"
import { makeTempHome } from "../support/tempHome"

const withHome = <A, E, R>(f: (home: ReturnType<typeof makeTempHome>) => Effect.Effect<A, E, R>) =>
  Effect.acquireUseRelease(Effect.sync(() => makeTempHome()), f, (home) => Effect.sync(home.cleanup))

const waitFor = <E, R>(check: Effect.Effect<boolean, E, R>, ms: number) =>
  check.pipe(
    Effect.repeat({ while: (ok) => !ok, schedule: Schedule.spaced("100 millis") }),
    Effect.timeoutFail({ duration: ms, onTimeout: () => new Error(`not within ${ms} ms`) })
  )

/** the model holds the work of `call <i>` (not its title request) */
const atModel = (model: SimulatedModelHandle, label: string) =>
  Effect.sync(() =>
    model.requests.some((r) => {
      const body = JSON.stringify(r.body)
      return body.includes(label) && !/title generator/i.test(body)
    })
  )

const everyServerUp = (pool: ServerPoolShape, count: number) =>
  Effect.map(pool.getStatus, (s) => s.activeServers === count && s.servers.every((x) => x.pid !== null))

/**
 * (health checks far apart: a loaded machine failing one would restart a server on its own, a second death for a
 * call that is retried only once)
 *
 * SIGKILL the server a call runs on while the model holds it, `rounds` times: every call must still get its answer,
 * retried on the other server or, in a one-server pool, on the restarted one.
 */
const killDuringCalls = (servers: number, rounds: number) =>
  withHome((home) =>
    Effect.gen(function*() {
      const model = yield* SimulatedModel.make({})
      const pool = yield* startTestPool(testPoolOptions(home, model, { minServers: servers, maxServers: servers, healthIntervalMs: 10_000 }))
      for (let i = 0; i < rounds; i++) {
        yield* waitFor(everyServerUp(pool, servers), 60_000)
        const label = `call ${i} of the kill loop`
        const call = yield* Effect.fork(pool.execute(`${label} SLEEP=800`, { model: "openai/gpt-5.2-codex", timeout: 90_000 }))
        // the call must not end before its server is killed
        const early = yield* Effect.raceFirst(
          waitFor(atModel(model, label), 30_000).pipe(Effect.as(null)),
          Effect.flatMap(Fiber.await(call), (exit) =>
            Effect.map(pool.getStatus, (status) =>
              `round ${i}: the call ended before the kill: ${String(exit)} ${JSON.stringify(status.servers)}`))
        )
        expect(early).toBeNull()
        const serving = (yield* pool.getStatus).servers.find((s) => s.busyCount > 0)
        expect(serving?.pid, `round ${i}: a server is busy with the call`).toBeTypeOf("number")
        process.kill(serving!.pid!, "SIGKILL")
        const result = yield* Fiber.join(call)
        expect(result.stdout, `round ${i}`).toContain(label)
        expect(isAlive(serving!.pid!)).toBe(false)
      }
      const status = yield* pool.getStatus
      expect(status.servers.reduce((n, s) => n + s.restarts, 0)).toBeGreaterThanOrEqual(rounds)
    })
  ).pipe(Effect.provide(PoolDeps))

describe("a call whose server dies mid-flight (real opencode servers)", () => {
  it.scopedLive("two servers: the server of a call SIGKILLed 20 times in a row, every call gets its answer on the other", () =>
    killDuringCalls(2, 20), 900_000)

  it.scopedLive("one server: SIGKILLed under a call 5 times, every call gets its answer on the restarted server", () =>
    killDuringCalls(1, 5), 300_000)
})
