import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import * as path from "node:path"
import type { Mode } from "../../../domain/model"
import { Executor, parallelCheck } from "../../../services/executor"
import { type CheckReport, formatCheck } from "./format"
import { asInputError, executorOptions, loadTaskGraph } from "./load"

export interface CheckArgs {
  readonly file: string
  readonly mode: Option.Option<Mode>
  readonly json: boolean
}

/** Validate a task file and show what would run where, without running anything. */
export const tasksCheck = (args: CheckArgs) =>
  Effect.gen(function*() {
    const { plan, tasks } = yield* loadTaskGraph(args.file)
    // the conflicts the plan found: not looked for again
    const parallel = parallelCheck(tasks, plan.conflicts)
    const options = yield* executorOptions(args.mode)
    const routes = yield* Effect.flatMap(Executor, (e) => e.planRoutes(tasks, options)).pipe(Effect.mapError(asInputError(args.file)))
    const ids = plan.ids
    const check: CheckReport = {
      file: path.basename(args.file),
      tasks: tasks.length,
      order: plan.order.map((i) => ids[i]!),
      parallel: {
        canParallel: parallel.canParallel,
        reason: parallel.reason,
        conflicts: parallel.conflicts.map((c) => ({ file: c.file, tasks: [ids[c.tasks[0]]!, ids[c.tasks[1]]!] }))
      },
      routes: routes.map((r, i) => ({ ...r, dependsOn: tasks[i]!.dependsOn ?? [] }))
    }
    yield* Console.log(args.json ? JSON.stringify(check) : formatCheck(check))
  })
