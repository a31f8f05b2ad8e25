import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as path from "node:path"
import { InputError } from "../../../domain/errors"
import type { Mode } from "../../../domain/model"
import {
  type Task,
  planTasksInterruptibly,
  type TaskPlan,
  readTaskFile,
  type ExecuteTasksOptions,
  type ExecutorError
} from "../../../services/executor"
import { Sessions } from "../../../services/router"

export interface TaskGraph {
  readonly tasks: ReadonlyArray<Task>
  readonly plan: TaskPlan
}

/**
 * The task file, decoded and its graph validated; every problem is one line naming the file (exit 2). `conflicts:
 * false` leaves file conflicts out of the plan (`tasks run`: the executor looks for them itself).
 */
export const loadTaskGraph = (file: string, options: { readonly conflicts?: boolean } = {}): Effect.Effect<TaskGraph, InputError> =>
  readTaskFile(file).pipe(
    Effect.mapError((error) => new InputError({ message: error.message })),
    Effect.flatMap((tasks) =>
      planTasksInterruptibly(tasks, options).pipe(
        Effect.mapError((error) => new InputError({ message: `${path.basename(file)}: ${error.message}` })),
        Effect.map((plan) => ({ tasks, plan }))
      )
    )
  )

/** What is wrong with the task list, or a task forcing a provider without a model, is the user's input (exit 2). */
export const asInputError = (file: string) => (error: ExecutorError) =>
  error._tag === "StateError" || error._tag === "InputError"
    ? error
    : new InputError({ message: `${path.basename(file)}: ${error.message}` })

/**
 * Executor options for the current directory: the given mode, else (per task) a mode keyword in its description,
 * else the mode of the Claude Code session open in this directory.
 */
export const executorOptions = (mode: Option.Option<Mode>, extra: Partial<ExecuteTasksOptions> = {}) =>
  Effect.gen(function*() {
    const directory = process.cwd()
    const session = yield* Effect.flatMap(Sessions, (s) => s.current(directory))
    const options: ExecuteTasksOptions = {
      ...extra,
      directory,
      ...(Option.isSome(mode) ? { mode: mode.value } : {}),
      ...(Option.isSome(session) ? { sessionId: session.value.sessionId } : {})
    }
    return options
  })
