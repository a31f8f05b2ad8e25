import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import type { ServerStartFailed } from "./errors"
import type { ServerInfo, ServerStatus } from "./poolStatus"
import { type RunningServer, type ServerProcessOptions, startServerProcess } from "./serverProcess"

/** a Restart names the process it is about (null: whichever runs) */
type Command = { readonly _tag: "Restart"; readonly reason: string; readonly pid: number | null } | { readonly _tag: "Stop" }
type Phase = "starting" | "up" | "error" | "recovering" | "stopped"

interface SlotState<A> {
  readonly phase: Phase
  readonly pid: number | null
  readonly restarts: number
  readonly lastError: string | null
  readonly server: RunningServer | null
  /** what `warmUp` gave the running incarnation */
  readonly attached: Option.Option<A>
}

export interface ServerSlot<A = unknown> {
  readonly port: number
  readonly baseUrl: string
  readonly info: Effect.Effect<ServerInfo>
  readonly isHealthy: Effect.Effect<boolean>
  readonly busy: Ref.Ref<number>
  /** what `warmUp` gave the running process, while it is up (gone with the process: it lives in its scope) */
  readonly attached: Effect.Effect<Option.Option<A>>
  /** completes once the first start succeeded, or fails with why it did not */
  readonly firstStart: Effect.Effect<void, ServerStartFailed>
  /**
   * ask the supervisor to restart the process on the same port (ignored while it is not up, and when `pid` names
   * an earlier process than the one running)
   */
  readonly restart: (reason: string, pid?: number | null) => Effect.Effect<void>
  /** stop the process and the supervisor once it is up; waits until both are gone */
  readonly stop: Effect.Effect<void>
  /** stop at once, also while the process is still starting (interrupts the supervisor) */
  readonly close: Effect.Effect<void>
}

export interface SlotOptions<A> {
  readonly process: Omit<ServerProcessOptions, "port">
  /**
   * Run once a process is healthy, before it takes requests, in the scope of that process's life: what it returns
   * (and whatever it opens in the scope, such as event subscriptions) lives exactly as long as the process.
   */
  readonly warmUp: (baseUrl: string) => Effect.Effect<A, never, Scope.Scope>
  readonly healthIntervalMs: number
  readonly healthTimeoutMs: number
}

const statusOf = (phase: Phase, busy: number): ServerStatus =>
  phase === "up" ? (busy > 0 ? "busy" : "idle") : phase

/**
 * One server of the pool, owned by its own supervising fiber (an actor with a mailbox). Each incarnation of the
 * process lives in its own scope; a crash (process exit), a failed health check or a Restart command closes it
 * and starts the next one on the same port, until Stop.
 */
export const makeServerSlot = <A>(
  port: number,
  options: SlotOptions<A>,
  onChange: Effect.Effect<void>
): Effect.Effect<ServerSlot<A>, never, Scope.Scope | CommandExecutor.CommandExecutor> =>
  Effect.gen(function*() {
    const mailbox = yield* Queue.unbounded<Command>()
    const state = yield* Ref.make<SlotState<A>>({
      phase: "starting",
      pid: null,
      restarts: 0,
      lastError: null,
      server: null,
      attached: Option.none()
    })
    const busy = yield* Ref.make(0)
    const firstStart = yield* Deferred.make<void, ServerStartFailed>()
    const set = (f: (s: SlotState<A>) => SlotState<A>) => Ref.update(state, f).pipe(Effect.zipRight(onChange))

    /** ends after two failed checks in a row: one slow answer on a loaded machine is not a hung server */
    const unhealthy = (server: RunningServer) =>
      Effect.gen(function*() {
        let failures = 0
        while (failures < 2) {
          yield* Effect.sleep(Duration.millis(options.healthIntervalMs))
          const ok = yield* options.process.probe(server.baseUrl, options.healthTimeoutMs)
          failures = ok ? 0 : failures + 1
        }
        return { _tag: "Unhealthy" as const }
      })

    /** one life of the process; returns why it ended */
    const incarnation = (restart: boolean) =>
      Effect.scoped(
        Effect.gen(function*() {
          yield* set((s) => ({ ...s, phase: restart ? "recovering" : "starting", pid: null, server: null, attached: Option.none() }))
          const server = yield* startServerProcess({ ...options.process, port })
          const attached = yield* options.warmUp(server.baseUrl)
          yield* set((s) => ({ ...s, phase: "up", pid: server.pid, server, attached: Option.some(attached) }))
          yield* Deferred.succeed(firstStart, undefined)
          return yield* Effect.raceAll([
            server.exited.pipe(Effect.as({ _tag: "Exited" as const })),
            // a Restart about an earlier process (asked while it was dying) must not stop this one
            Queue.take(mailbox).pipe(
              Effect.repeat({ until: (c) => c._tag === "Stop" || c.pid === null || c.pid === server.pid })
            ),
            unhealthy(server)
          ])
        })
      )

    const supervise = Effect.gen(function*() {
      let restart = false
      let backoffMs = 500
      for (;;) {
        const outcome = yield* Effect.either(incarnation(restart))
        if (outcome._tag === "Left") {
          if (!(yield* Deferred.isDone(firstStart))) {
            yield* Deferred.fail(firstStart, outcome.left)
            yield* set((s) => ({ ...s, phase: "stopped", lastError: outcome.left.message }))
            return
          }
          yield* set((s) => ({ ...s, phase: "error", lastError: outcome.left.message, attached: Option.none() }))
          // keep trying on the same port, but let a Stop through while waiting
          const stop = yield* Queue.take(mailbox).pipe(
            Effect.map((c) => c._tag === "Stop"),
            Effect.timeoutTo({ duration: Duration.millis(backoffMs), onTimeout: () => false, onSuccess: (s) => s })
          )
          if (stop) break
          backoffMs = Math.min(backoffMs * 2, 10_000)
          restart = true
          continue
        }
        const why = outcome.right
        if (why._tag === "Stop") break
        backoffMs = 500
        const reason = why._tag === "Restart" ? why.reason : why._tag === "Exited" ? "process exited" : "failed a health check"
        yield* set((s) => ({ ...s, phase: "error", restarts: s.restarts + 1, lastError: reason, attached: Option.none() }))
        restart = true
      }
      yield* set((s) => ({ ...s, phase: "stopped", pid: null, server: null, attached: Option.none() }))
    })

    const fiber = yield* Effect.forkScoped(supervise)

    const info = Effect.gen(function*() {
      const s = yield* Ref.get(state)
      const b = yield* Ref.get(busy)
      return { port, status: statusOf(s.phase, b), busyCount: b, pid: s.pid, restarts: s.restarts, lastError: s.lastError }
    })

    return {
      port,
      baseUrl: `http://127.0.0.1:${port}`,
      info,
      isHealthy: Effect.map(Ref.get(state), (s) => s.phase === "up"),
      busy,
      attached: Effect.map(Ref.get(state), (s) => (s.phase === "up" ? s.attached : Option.none())),
      firstStart: Deferred.await(firstStart),
      restart: (reason, pid) =>
        Effect.flatMap(Ref.get(state), (s) =>
          s.phase === "up" && (pid === undefined || pid === null || s.pid === pid)
            ? Queue.offer(mailbox, { _tag: "Restart", reason, pid: pid ?? null })
            : Effect.void),
      stop: Queue.offer(mailbox, { _tag: "Stop" }).pipe(Effect.zipRight(Fiber.await(fiber)), Effect.asVoid),
      close: Fiber.interrupt(fiber).pipe(
        Effect.zipRight(set((st) => ({ ...st, phase: "stopped", pid: null, server: null, attached: Option.none() }))),
        Effect.asVoid
      )
    } satisfies ServerSlot<A>
  })

