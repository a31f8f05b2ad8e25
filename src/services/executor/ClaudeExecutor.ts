import * as Command from "@effect/platform/Command"
import * as CommandExecutor from "@effect/platform/CommandExecutor"
import type { PlatformError } from "@effect/platform/Error"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { Config } from "../config"
import * as Stream from "effect/Stream"
import * as fs from "node:fs"
import * as path from "node:path"
import { decodeClaudeJson, mainModelOf, tokensOf } from "./claudeOutput"
import type { ExecutionResult } from "../../domain/execution"
import { inOwnNodeModules, isExecutableFile, onPath } from "../../lib/binaries"

/** The binary could not be found or is not executable. */
export class ClaudeNotFound extends Data.TaggedError("ClaudeNotFound")<{
  readonly bin: string
  readonly message: string
}> {}

/** claude exited non-zero, was killed by a signal, or reported `is_error: true`. */
export class ClaudeFailed extends Data.TaggedError("ClaudeFailed")<{
  readonly exitCode: number | null
  readonly stderrTail: string
  readonly message: string
}> {}

/** No answer within the time limit; the process group has been killed. */
export class ClaudeTimeout extends Data.TaggedError("ClaudeTimeout")<{
  readonly timeoutMs: number
  readonly message: string
}> {}

/** claude exited 0 but its stdout is not the expected JSON result. */
export class ClaudeBadOutput extends Data.TaggedError("ClaudeBadOutput")<{
  readonly stdoutHead: string
  readonly message: string
}> {}

export type ClaudeExecutorError = ClaudeNotFound | ClaudeFailed | ClaudeTimeout | ClaudeBadOutput

export interface ClaudeExecutorOptions {
  /** path or command name; else `OMCM_CLAUDE_BIN`, else `claude` on PATH, else this package's node_modules/.bin/claude */
  readonly bin?: string | undefined
  /** added to every run's environment */
  readonly env?: Readonly<Record<string, string>> | undefined
  /** start from this process's environment (default true); false gives the child only `env` and the request's env */
  readonly inheritEnv?: boolean | undefined
  /** extra arguments after `-p --output-format json [--model m]` */
  readonly args?: ReadonlyArray<string> | undefined
  /** on timeout or interruption: SIGTERM to the process group, then SIGKILL after this long (default 2000) */
  readonly killGraceMs?: number | undefined
}

export interface ClaudeRequest {
  /** sent on stdin, so its size is not bound by the argument length limit */
  readonly prompt: string
  /** alias (`sonnet`) or full id; claude's default when absent */
  readonly model?: string | undefined
  readonly cwd: string
  readonly timeoutMs: number
  readonly env?: Readonly<Record<string, string>> | undefined
}

export interface ClaudeExecutorShape {
  readonly execute: (request: ClaudeRequest) => Effect.Effect<ExecutionResult, ClaudeExecutorError>
}

export class ClaudeExecutor extends Context.Tag("omcm/ClaudeExecutor")<ClaudeExecutor, ClaudeExecutorShape>() {
  static readonly layerWithoutDependencies = (options: ClaudeExecutorOptions = {}) =>
    Layer.effect(ClaudeExecutor, Effect.map(CommandExecutor.CommandExecutor, (executor) => makeClaudeExecutor(executor, options)))

  /** `claude` as config.json's `claude.bin` says (else found on PATH or in omcm's own node_modules) */
  static readonly layer = Layer.unwrapEffect(
    Effect.map(Config, ({ config }) => ClaudeExecutor.layerWithoutDependencies({ bin: config.claude.bin ?? undefined }))
  ).pipe(Layer.provide([Config.layer, NodeContext.layer]))
}

/** without its postinstall the wrapper is a tiny stub; the platform package holds the real binary */
const bundledClaude = (): string | undefined =>
  inOwnNodeModules("claude", (wrapper, nodeModules) => {
    const native = path.join(nodeModules, "@anthropic-ai", `claude-code-${process.platform}-${process.arch}`, "claude")
    return fs.statSync(wrapper).size < 100_000 && isExecutableFile(native) ? native : wrapper
  })

export const resolveClaudeBin = (explicit: string | undefined, env: Readonly<Record<string, string | undefined>>): string | undefined => {
  if (explicit !== undefined && explicit.length > 0) return explicit
  const fromEnv = env.OMCM_CLAUDE_BIN
  if (fromEnv !== undefined && fromEnv.length > 0) return fromEnv
  return onPath("claude", env.PATH) ?? bundledClaude()
}

const oneLine = (text: string, max = 300): string => {
  const flat = text.replace(/\s+/g, " ").trim()
  return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat
}

const STDERR_KEEP = 16_000

const spawnError = (bin: string, cwd: string, error: PlatformError): ClaudeNotFound | ClaudeFailed => {
  if (error._tag === "SystemError" && error.module === "Command" && (error.reason === "NotFound" || error.reason === "PermissionDenied")) {
    return new ClaudeNotFound({ bin, message: `claude binary ${bin}: ${error.reason === "NotFound" ? "not found" : "not executable"}` })
  }
  const where = error._tag === "SystemError" && error.module === "FileSystem" ? `working directory ${cwd} is not accessible` : error.message
  return new ClaudeFailed({ exitCode: null, stderrTail: "", message: oneLine(`cannot start ${bin}: ${where}`) })
}

export const makeClaudeExecutor = (executor: CommandExecutor.CommandExecutor, options: ClaudeExecutorOptions): ClaudeExecutorShape => {
  const graceMs = options.killGraceMs ?? 2000

  // SIGTERM the group, SIGKILL it if it is still there after the grace period; after a normal exit,
  // SIGKILL whatever the group left behind (ESRCH when nothing is left, ignored).
  // Finalizers are uninterruptible: without `interruptible` the timeout could not stop the wait for the exit.
  const stop = (proc: CommandExecutor.Process) =>
    Effect.flatMap(proc.isRunning, (running) =>
      running
        ? proc.kill("SIGTERM").pipe(
          Effect.interruptible,
          Effect.timeoutFail({ duration: Duration.millis(graceMs), onTimeout: () => "grace period over" }),
          Effect.catchAll(() => proc.kill("SIGKILL"))
        )
        : proc.kill("SIGKILL")).pipe(Effect.ignore)

  const execute = (request: ClaudeRequest): Effect.Effect<ExecutionResult, ClaudeExecutorError> =>
    Effect.gen(function*() {
      const env: Record<string, string | undefined> = {
        ...(options.inheritEnv === false ? {} : process.env),
        ...options.env,
        ...request.env
      }
      const bin = resolveClaudeBin(options.bin, env)
      if (bin === undefined) {
        return yield* new ClaudeNotFound({ bin: "claude", message: "claude binary not found (set OMCM_CLAUDE_BIN or put claude on PATH)" })
      }
      const args = ["-p", "--output-format", "json", ...(request.model ? ["--model", request.model] : []), ...(options.args ?? [])]
      const command = Command.make(bin, ...args).pipe(
        Command.workingDirectory(request.cwd),
        Command.env(env, { extendEnv: false }),
        Command.feed(request.prompt)
      )
      const started = yield* Clock.currentTimeMillis

      const output = yield* Effect.scoped(
        Effect.gen(function*() {
          const proc = yield* executor.start(command).pipe(Effect.mapError((error) => spawnError(bin, request.cwd, error)))
          yield* Effect.addFinalizer(() => stop(proc))
          return yield* Effect.all({
            exitCode: proc.exitCode.pipe(Effect.map(Number), Effect.orElseSucceed(() => null)),
            stdout: proc.stdout.pipe(Stream.decodeText(), Stream.mkString),
            stderr: proc.stderr.pipe(Stream.decodeText(), Stream.runFold("", (tail, chunk) => (tail + chunk).slice(-STDERR_KEEP)))
          }, { concurrency: "unbounded" }).pipe(
            Effect.mapError((error) => new ClaudeFailed({ exitCode: null, stderrTail: "", message: oneLine(`cannot read claude output: ${error.message}`) })),
            Effect.timeoutFail({
              duration: Duration.millis(request.timeoutMs),
              onTimeout: () => new ClaudeTimeout({ timeoutMs: request.timeoutMs, message: `claude gave no answer within ${request.timeoutMs} ms` })
            })
          )
        })
      )
      const executionTime = (yield* Clock.currentTimeMillis) - started
      const stderrTail = output.stderr.slice(-2000)
      const decoded = decodeClaudeJson(output.stdout)

      if (Either.isRight(decoded) && decoded.right.is_error) {
        const r = decoded.right
        return yield* new ClaudeFailed({
          exitCode: output.exitCode,
          stderrTail,
          message: oneLine(`claude reported an error${r.api_error_status ? ` (HTTP ${r.api_error_status})` : ""}: ${r.result || r.subtype}`)
        })
      }
      if (output.exitCode !== 0) {
        const why = output.exitCode === null ? "was killed by a signal" : `exited with code ${output.exitCode}`
        const detail = oneLine(stderrTail.split("\n").filter((l) => l.trim().length > 0).at(-1) ?? output.stdout.slice(0, 200))
        return yield* new ClaudeFailed({ exitCode: output.exitCode, stderrTail, message: `claude ${why}${detail ? `: ${detail}` : ""}` })
      }
      if (Either.isLeft(decoded)) {
        return yield* new ClaudeBadOutput({ stdoutHead: output.stdout.slice(0, 500), message: oneLine(`claude output: ${decoded.left}`) })
      }
      const r = decoded.right
      return {
        stdout: r.result,
        stderr: output.stderr,
        exitCode: output.exitCode,
        executionTime,
        tokens: tokensOf(r),
        cost: r.total_cost_usd,
        provider: "anthropic",
        model: mainModelOf(r) ?? request.model ?? "unknown",
        serverPort: null
      }
    })

  return { execute }
}
