import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as path from "node:path"
import { type StateError, InputError } from "../../../domain/errors"
import type { Mode } from "../../../domain/model"
import {
  type TaskResult,
  type ExecutionStrategyName,
  Executor,
  type TaskObserver,
  type TaskRoute
} from "../../../services/executor"
import { DaemonClient } from "../../../services/daemon"
import { Tracker } from "../../../services/tracker"
import { joinAtMost } from "../../../lib/format"
import { formatRunTable, formatSummary, statusOf, summarize, taskHeading } from "./format"
import { asInputError, executorOptions, loadTaskGraph } from "./load"

export interface RunTasksArgs {
  readonly file: string
  readonly max: Option.Option<number>
  readonly strategy: Option.Option<ExecutionStrategyName>
  readonly mode: Option.Option<Mode>
  readonly json: boolean
}

/** Some task of the graph failed (its dependents were skipped). */
export class TasksFailed extends Data.TaggedError("TasksFailed")<{
  readonly failed: ReadonlyArray<string>
  readonly skipped: number
  readonly total: number
}> {
  override get message() {
    const skipped = this.skipped > 0 ? `, ${this.skipped} skipped` : ""
    return `${this.failed.length} of ${this.total} task(s) failed (${joinAtMost(this.failed.map((id) => `"${id}"`), ", ", 10)})${skipped}`
  }
}

const DEFAULT_MAX = 3

/** a recording failure is worth a line on stderr, never worth stopping the run */
const quietly = (what: string) => (effect: Effect.Effect<unknown, StateError>) =>
  effect.pipe(Effect.asVoid, Effect.catchAll((error) => Console.error(`omcm: ${what} not recorded (${error.message})`)))

export const tasksRun = (args: RunTasksArgs) =>
  Effect.gen(function*() {
    const max = Option.getOrElse(args.max, () => DEFAULT_MAX)
    if (!Number.isInteger(max) || max < 1 || max > 64) {
      return yield* new InputError({ message: `--max: expected a whole number from 1 to 64, got ${max}` })
    }
    const strategy = Option.getOrElse(args.strategy, (): ExecutionStrategyName => "hybrid")
    // the graph checked here for a clean error; its file conflicts are the executor's to find
    const { tasks } = yield* loadTaskGraph(args.file, { conflicts: false })
    const options = yield* executorOptions(args.mode, { maxConcurrent: max, strategy })
    const executor = yield* Executor
    const tracker = yield* Tracker
    const daemon = yield* Effect.flatMap(DaemonClient, (d) => d.find)
    const opencodeVia = Option.match(daemon, { onNone: () => "in-process pool", onSome: () => "daemon" })
    const how = `${strategy}, up to ${max} at once; OpenCode tasks on ${
      Option.match(daemon, { onNone: () => "an in-process pool", onSome: (d) => `the pool daemon (pid ${d.pid})` })
    }`
    if (!args.json) yield* Console.error(`omcm: running ${tasks.length} task(s) from ${path.basename(args.file)} (${how})`)

    const t0 = yield* Clock.currentTimeMillis
    const since = Effect.map(Clock.currentTimeMillis, (now) => now - t0)
    const startedAt = new Map<string, number>()
    const finishedAt = new Map<string, number>()
    const context = (route: TaskRoute) => ({
      source: "executor" as const,
      agent: route.agent,
      tier: route.tier,
      mode: route.mode,
      sessionId: options.sessionId ?? null
    })

    const observer: TaskObserver = {
      started: (route) =>
        Effect.gen(function*() {
          startedAt.set(route.taskId, yield* since)
          if (!args.json) yield* Console.error(`omcm: ${route.taskId} started on ${route.target} ${route.provider}/${route.model}`)
          yield* quietly(`routing of ${route.taskId}`)(tracker.recordRouting({
            ...context(route),
            target: route.target,
            provider: route.provider,
            model: route.model,
            reason: route.reason
          }))
        }),
      settled: (result, route) =>
        Effect.gen(function*() {
          finishedAt.set(result.taskId, yield* since)
          if (result.skipped !== true) {
            yield* quietly(`call of ${result.taskId}`)(tracker.recordCall({
              ...context(route),
              target: result.target,
              provider: result.provider,
              model: result.model,
              tokens: result.tokens,
              durationMs: result.executionTime,
              success: result.success,
              error: result.error ?? null
            }))
          }
          if (!args.json) {
            const output = result.output.trimEnd()
            yield* Console.log(output.length > 0 ? `${taskHeading(result)}\n${output}\n` : `${taskHeading(result)}\n`)
          }
        })
    }

    const results = yield* executor.executeTasks(tasks, options, observer).pipe(Effect.mapError(asInputError(args.file)))
    const summary = summarize(results, yield* since)
    if (args.json) {
      const timed = (r: TaskResult) => ({
        ...r,
        status: statusOf(r),
        startedAt: startedAt.get(r.taskId) ?? null,
        finishedAt: finishedAt.get(r.taskId) ?? null
      })
      yield* Console.log(JSON.stringify({
        file: path.basename(args.file),
        strategy,
        maxConcurrent: max,
        opencode: opencodeVia,
        tasks: results.map(timed),
        summary
      }))
    } else {
      yield* Console.log(`${formatRunTable(results)}\n\n${formatSummary(summary, how)}`)
    }
    const failed = results.filter((r) => statusOf(r) === "failed").map((r) => r.taskId)
    if (failed.length > 0) return yield* new TasksFailed({ failed, skipped: summary.skipped, total: results.length })
  })
