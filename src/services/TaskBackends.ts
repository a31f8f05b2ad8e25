import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { ExecutionResult } from "../domain/execution"
import { ClaudeExecutor, type ClaudeExecutorError } from "./ClaudeExecutor"
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

export type TaskBackendError = PoolExecuteError | ClaudeExecutorError

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

  /** backends given in code (tests, demos) */
  static readonly make = (backends: TaskBackendsShape): Layer.Layer<TaskBackends> => Layer.succeed(TaskBackends, backends)
}
