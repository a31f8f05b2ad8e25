import * as Command from "@effect/platform/Command"
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { ServerStartFailed } from "./errors"
import { killGroup } from "../../lib/processes"
import { POOL_MARKER } from "./poolRegistry"

export interface ServerProcessOptions {
  readonly bin: string
  readonly port: number
  readonly projectDir: string
  readonly env: Readonly<Record<string, string>>
  readonly poolId: string
  readonly startTimeoutMs: number
  /** true when the server answers HTTP within `timeoutMs` (the port accepts connections before it does) */
  readonly probe: (baseUrl: string, timeoutMs: number) => Effect.Effect<boolean>
}

export interface RunningServer {
  readonly port: number
  readonly pid: number
  readonly baseUrl: string
  /** completes when the process ends, whatever the reason */
  readonly exited: Effect.Effect<void>
  readonly stderrTail: Effect.Effect<string>
}

const TAIL_LINES = 30

/**
 * One `opencode serve` bound to 127.0.0.1 only, owned by the caller's scope. Closing the scope sends SIGTERM to
 * its process group, then SIGKILL after 2 s (OpenCode ignores SIGTERM while it installs plugins in the background).
 */
export const startServerProcess = (
  options: ServerProcessOptions
): Effect.Effect<RunningServer, ServerStartFailed, Scope.Scope | CommandExecutor.CommandExecutor> =>
  Effect.gen(function*() {
    const { port } = options
    const baseUrl = `http://127.0.0.1:${port}`
    const command = Command.make(options.bin, "serve", "--port", String(port), "--hostname", "127.0.0.1").pipe(
      Command.workingDirectory(options.projectDir),
      Command.env({ ...options.env, [POOL_MARKER]: options.poolId })
    )
    const proc = yield* Command.start(command).pipe(
      Effect.mapError((error) => new ServerStartFailed({ port, reason: error.message }))
    )
    const exited = yield* Deferred.make<void>()
    yield* proc.exitCode.pipe(Effect.ignore, Effect.zipRight(Deferred.succeed(exited, undefined)), Effect.forkScoped)
    const pid = Number(proc.pid)
    // Finalizers run uninterruptibly: every wait in here must be made interruptible or its timeout never fires
    // (a stopped or hung process would then hold the scope forever).
    const exitWithin = (ms: number) =>
      Deferred.await(exited).pipe(Effect.interruptible, Effect.timeout(Duration.millis(ms)), Effect.isSuccess)
    yield* Effect.addFinalizer(() =>
      Effect.gen(function*() {
        if (yield* Deferred.isDone(exited)) return
        killGroup(pid, "SIGTERM")
        if (yield* exitWithin(2_000)) return
        killGroup(pid, "SIGKILL")
        yield* exitWithin(5_000)
      })
    )

    const tail: Array<string> = []
    const keep = (line: string) => {
      if (line.trim().length === 0) return
      tail.push(line)
      if (tail.length > TAIL_LINES) tail.shift()
    }
    // both pipes must be drained for the life of the process, or it blocks on a full pipe
    yield* proc.stderr.pipe(Stream.decodeText(), Stream.splitLines, Stream.runForEach((l) => Effect.sync(() => keep(l))), Effect.ignore, Effect.forkScoped)
    yield* proc.stdout.pipe(Stream.decodeText(), Stream.splitLines, Stream.runForEach((l) => Effect.sync(() => keep(l))), Effect.ignore, Effect.forkScoped)
    const stderrTail = Effect.sync(() => tail.join("\n"))

    // requests sent in the first moments hang forever, so readiness polls with a short timeout
    const healthy = options.probe(baseUrl, 400).pipe(
      Effect.repeat({ schedule: Schedule.spaced("150 millis"), until: (ok) => ok }),
      Effect.asVoid
    )
    const died = Deferred.await(exited).pipe(
      Effect.zipRight(stderrTail),
      Effect.flatMap((text) =>
        Effect.fail(
          new ServerStartFailed({
            port,
            // OpenCode 1.18 says only "ServeError" when its port is taken (by a server that won the race to it)
            reason: /EADDRINUSE|address already in use|port .* in use|ServeError/i.test(text)
              ? "port in use"
              : `exited before it was ready${text.length > 0 ? `: ${text.split("\n").slice(-3).join(" | ")}` : ""}`
          })
        )
      )
    )
    yield* Effect.raceFirst(healthy, died).pipe(
      Effect.timeoutFail({
        duration: Duration.millis(options.startTimeoutMs),
        onTimeout: () => new ServerStartFailed({ port, reason: `not healthy within ${Math.round(options.startTimeoutMs / 1000)}s` })
      })
    )
    return { port, pid, baseUrl, exited: Deferred.await(exited), stderrTail }
  })
