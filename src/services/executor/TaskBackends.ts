import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { ExecutionResult } from "../../domain/execution"
import { type DelegationError, Delegator, type SharedPoolOptions } from "../daemon"
import { type PoolExecuteError, ServerPool } from "../pool"
import { ClaudeExecutor, type ClaudeExecutorError } from "./ClaudeExecutor"

export interface OpencodeRunOptions {
  /** `provider/model` */
  readonly model: string
  /** the tier's candidates to fail over across, `model` first */
  readonly candidates?: ReadonlyArray<string> | undefined
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

export type TaskBackendError = PoolExecuteError | ClaudeExecutorError | DelegationError

/** Where the executor runs a task once it is routed: an OpenCode server, or a `claude -p` process. */
export interface TaskBackendsShape {
  readonly opencode: (prompt: string, options: OpencodeRunOptions) => Effect.Effect<ExecutionResult, TaskBackendError>
  readonly claude: (prompt: string, options: ClaudeRunOptions) => Effect.Effect<ExecutionResult, TaskBackendError>
}

export class TaskBackends extends Context.Tag("omcm/TaskBackends")<TaskBackends, TaskBackendsShape>() {
  /**
   * The CLI's backends: OpenCode work through Delegator (the pool daemon, else a pool of this process); Claude work
   * on `claude -p` with `OMCM_DELEGATED=1`, so omcm's own hooks in that child do nothing.
   */
  static readonly layerWithoutDependencies: Layer.Layer<TaskBackends, never, Delegator | ClaudeExecutor> = Layer.effect(
    TaskBackends,
    Effect.gen(function*() {
      const delegator = yield* Delegator
      const claude = yield* ClaudeExecutor
      return {
        opencode: (prompt, o) =>
          Effect.map(
            delegator.delegate({
              prompt,
              model: o.model,
              candidates: o.candidates,
              agent: o.agent,
              timeoutMs: o.timeout,
              directory: o.directory
            }),
            (d) => d.result
          ),
        claude: (prompt, o) =>
          claude.execute({ prompt, model: o.model, cwd: o.cwd, timeoutMs: o.timeout, env: { OMCM_DELEGATED: "1" } })
      }
    })
  )

  /** OpenCode work on the daemon, else on one pool of this process shared by every task (see Delegator) */
  static readonly layer = (options: SharedPoolOptions = {}) =>
    TaskBackends.layerWithoutDependencies.pipe(Layer.provide([Delegator.layerSharingPool(options), ClaudeExecutor.layer]))

  /** the given server pool for OpenCode work, ClaudeExecutor for Claude work */
  static readonly layerFromPool: Layer.Layer<TaskBackends, never, ServerPool | ClaudeExecutor> = Layer.effect(
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
