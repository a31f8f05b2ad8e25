import { Command, type CommandExecutor } from "@effect/platform"
import { Context, Data, Duration, Effect, Layer, Option, Schedule, type Scope, Stream } from "effect"
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { opencodeServeEnv, simulatedOpencodeConfig, type SimulatedProviderSpec } from "../../src/services/pool/opencodeEnv"
import { SimulatedModel } from "../../src/simulated/openaiCompatible"
import { OpenCodeClient } from "../../src/services/pool/OpenCodeClient"

export const OPENCODE_BIN = path.resolve(__dirname, "../../node_modules/.bin/opencode")

export interface OpencodeTestServerShape {
  readonly port: number
  /** `http://127.0.0.1:PORT` */
  readonly baseUrl: string
  readonly password: string
  readonly pid: number
  /** an empty project directory, for `?directory=` */
  readonly directory: string
  /** everything the server wrote: HOME, XDG dirs, `serve.log` (its stdout and stderr) */
  readonly root: string
}

export class OpencodeServerStartError extends Data.TaggedError("OpencodeServerStartError")<{ readonly message: string }> {}

export interface StartOptions {
  /** the simulated model server every provider talks to */
  readonly modelBaseUrl: string
  readonly providers: ReadonlyArray<SimulatedProviderSpec>
  readonly startTimeout?: Duration.DurationInput
}

/** A port nobody listens on right now (the OS picks it). */
export const freePort: Effect.Effect<number> = Effect.async<number>((resume) => {
  const probe = net.createServer()
  probe.listen(0, "127.0.0.1", () => {
    const port = (probe.address() as net.AddressInfo).port
    probe.close(() => resume(Effect.succeed(port)))
  })
})

/**
 * A real `opencode serve` on 127.0.0.1, in its own temporary HOME, configured to talk only to a simulated model.
 * Ready when `/global/health` answers. Closing the scope stops it: SIGTERM, up to 2 s, then SIGKILL.
 */
export const startOpencodeServer = (options: StartOptions) =>
  startOpencodeServe({
    env: ({ password, root }) => {
      const config = simulatedOpencodeConfig({ baseUrl: options.modelBaseUrl, providers: options.providers })
      return opencodeServeEnv({ password, xdgRoot: root, extra: { OPENCODE_CONFIG_CONTENT: JSON.stringify(config) } })
    },
    startTimeout: options.startTimeout
  })

/** `opencode serve` in a temporary HOME with the environment `env` gives it (its password and that HOME's root). */
export const startOpencodeServe = (options: {
  readonly env: (server: { readonly password: string; readonly root: string }) => Record<string, string>
  readonly startTimeout?: Duration.DurationInput | undefined
}): Effect.Effect<OpencodeTestServerShape, OpencodeServerStartError, Scope.Scope | CommandExecutor.CommandExecutor | OpenCodeClient> =>
  Effect.gen(function*() {
    const client = yield* OpenCodeClient
    const root = yield* Effect.acquireRelease(
      Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "omcm-opencode-"))),
      (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
    )
    const directory = path.join(root, "project")
    fs.mkdirSync(directory)
    const password = crypto.randomBytes(12).toString("hex")
    const port = yield* freePort
    const env = options.env({ password, root })

    const command = Command.make(OPENCODE_BIN, "serve", "--port", String(port), "--hostname", "127.0.0.1").pipe(
      Command.env(env),
      Command.workingDirectory(directory)
    )
    const proc = yield* Command.start(command).pipe(
      Effect.mapError((error) => new OpencodeServerStartError({ message: `cannot start ${OPENCODE_BIN}: ${error.message}` }))
    )
    // runs before the executor's own release, which would wait forever for a process that ignores SIGTERM
    yield* Effect.addFinalizer(() =>
      proc.kill("SIGTERM").pipe(
        Effect.timeoutOption(Duration.seconds(2)),
        Effect.flatMap(Option.match({ onNone: () => proc.kill("SIGKILL"), onSome: () => Effect.void })),
        Effect.ignore
      )
    )
    const log = fs.createWriteStream(path.join(root, "serve.log"))
    yield* Effect.addFinalizer(() => Effect.sync(() => log.end()))
    yield* Effect.forkScoped(Stream.runForEach(Stream.merge(proc.stdout, proc.stderr), (bytes) => Effect.sync(() => log.write(bytes))))

    const baseUrl = `http://127.0.0.1:${port}`
    const server = { baseUrl, password }
    const healthy = client.health(server, { timeoutMs: 300 }).pipe(
      Effect.retry(Schedule.spaced(Duration.millis(100))),
      Effect.mapError((error) => new OpencodeServerStartError({ message: error.message }))
    )
    const exited = proc.exitCode.pipe(
      Effect.orElseSucceed(() => -1),
      Effect.flatMap((code) =>
        new OpencodeServerStartError({ message: `opencode serve exited with ${code} before it was ready; see ${root}/serve.log` })
      )
    )
    yield* Effect.raceFirst(healthy, exited).pipe(
      Effect.timeoutFail({
        duration: options.startTimeout ?? Duration.seconds(60),
        onTimeout: () => new OpencodeServerStartError({ message: `opencode serve was not ready in time; see ${root}/serve.log` })
      })
    )
    return { port, baseUrl, password, pid: proc.pid, directory, root }
  })

/** One server for a whole test file, talking to the `SimulatedModel` of the same layer. */
export class OpencodeTestServer extends Context.Tag("test/OpencodeTestServer")<OpencodeTestServer, OpencodeTestServerShape>() {
  static readonly layer = (providers: ReadonlyArray<SimulatedProviderSpec>) =>
    Layer.scoped(
      OpencodeTestServer,
      Effect.flatMap(SimulatedModel, (model) => startOpencodeServer({ modelBaseUrl: model.baseUrl, providers }))
    )
}

/** True while a process with this pid exists. */
export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
