import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import type { DaemonUnreachable, RemoteExecutionError } from "../domain/daemon"
import type { ExecutionResult } from "../domain/execution"
import type { OpenCodeNotFound, PortsExhausted, ServerStartFailed } from "../domain/poolErrors"
import { ClaudeExecutor, type ClaudeExecutorError } from "./ClaudeExecutor"
import type { Config } from "./Config"
import type { DaemonClient } from "./DaemonClient"
import { type DaemonOrPoolOptions, makeDaemonOrPoolBackends } from "./daemonOrPoolBackends"
import type { OpenCodeClient } from "./OpenCodeClient"
import type { Paths } from "./Paths"
import { type PoolExecuteError, ServerPool } from "./ServerPool"

export interface OpencodeRunOptions {
  /** `provider/model` */
  readonly model: string
  /** an OpenCode agent (`build`, `plan`...); OpenCode's default when absent */
  readonly agent?: string | undefined
  /** ms */
  readonly timeout: number
  /** the project OpenCode works in */
  readonly directory: string
}

export interface ClaudeRunOptions {
  /** alias (`opus`) or full id; Claude Code's default when absent */
  readonly model?: string | undefined
  readonly cwd: string
  /** ms */
  readonly timeout: number
}

export type TaskBackendError =
  | PoolExecuteError
  | ClaudeExecutorError
  // the pool daemon, or an in-process pool that could not start
  | DaemonUnreachable
  | RemoteExecutionError
  | ServerStartFailed
  | PortsExhausted
  | OpenCodeNotFound

/** Where the executor runs a task once it is routed: an OpenCode server, or a `claude -p` process. */
export interface TaskBackendsShape {
  readonly opencode: (prompt: string, options: OpencodeRunOptions) => Effect.Effect<ExecutionResult, TaskBackendError>
  readonly claude: (prompt: string, options: ClaudeRunOptions) => Effect.Effect<ExecutionResult, TaskBackendError>
}

export class TaskBackends extends Context.Tag("omcm/TaskBackends")<TaskBackends, TaskBackendsShape>() {
  /** the server pool for OpenCode work, ClaudeExecutor for Claude work */
  static readonly layer: Layer.Layer<TaskBackends, never, ServerPool | ClaudeExecutor> = Layer.effect(
    TaskBackends,
    Effect.gen(function*() {
      const pool = yield* ServerPool
      const claude = yield* ClaudeExecutor
      return {
        opencode: (prompt, o) => pool.execute(prompt, { model: o.model, agent: o.agent, timeout: o.timeout, directory: o.directory }),
        claude: (prompt, o) => claude.execute({ prompt, model: o.model, cwd: o.cwd, timeoutMs: o.timeout })
      }
    })
  )

  /**
   * The CLI's backends: OpenCode work on the pool daemon when one runs, else on ONE in-process pool for the layer's
   * lifetime (1 server up to `pool.maxServers`, started on first use); Claude work with `OMCM_DELEGATED=1`.
   */
  static readonly fromDaemonOrPool = (
    options: DaemonOrPoolOptions = {}
  ): Layer.Layer<TaskBackends, never, Config | Paths | DaemonClient | ClaudeExecutor | CommandExecutor.CommandExecutor | OpenCodeClient> =>
    Layer.scoped(TaskBackends, makeDaemonOrPoolBackends(options))

  /** backends given in code (tests, demos) */
  static readonly make = (backends: TaskBackendsShape): Layer.Layer<TaskBackends> => Layer.succeed(TaskBackends, backends)
}
