/**
 * The task list the parallel executor runs, its results, and what can be wrong with it.
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { decodeUnknown } from "../../lib/jsonFile"
import { formatCount, joinAtMost } from "../../lib/format"
import { formatPath } from "../../lib/schemaErrors"
import { TokenUsage } from "../../domain/execution"
import { Target } from "../../domain/model"

const expect = <A, I>(schema: Schema.Schema<A, I>, message: string, override = true) =>
  schema.annotations({ message: () => ({ message, override }) })

export const TASK_TYPES = ["analysis", "implementation", "test", "review", "refactoring", "documentation"] as const
export const TaskType = expect(Schema.Literal(...TASK_TYPES), `expected one of ${TASK_TYPES.map((t) => `"${t}"`).join(", ")}`)
export type TaskType = typeof TaskType.Type

/** Where a task must run. `auto` lets FusionRouter decide; `gemini` is read as `google` (the seed's name). */
export const TaskProvider = expect(
  Schema.transform(
    Schema.Literal("claude", "openai", "google", "gemini", "auto"),
    Schema.Literal("claude", "openai", "google", "auto"),
    { strict: true, decode: (p) => (p === "gemini" ? "google" : p), encode: (p) => p }
  ),
  `expected one of "claude", "openai", "google", "auto"`
)
export type TaskProvider = typeof TaskProvider.Type

const nonEmpty = (what: string) => expect(Schema.String.pipe(Schema.minLength(1)), `expected a non-empty ${what}`)

export const Task = Schema.Struct({
  id: nonEmpty("task id"),
  description: nonEmpty("description"),
  type: Schema.optional(TaskType),
  /** paths or glob patterns of what the task will modify; tasks whose patterns overlap never run at once */
  files: Schema.optional(expect(Schema.Array(nonEmpty("path or glob pattern")), "expected a list of paths or glob patterns", false)),
  /** ids of tasks that must succeed before this one starts */
  dependsOn: Schema.optional(expect(Schema.Array(nonEmpty("task id")), "expected a list of task ids", false)),
  provider: Schema.optional(TaskProvider),
  /** the agent type routing looks up (`executor`, `architect`...) */
  agent: Schema.optional(nonEmpty("agent name")),
  /** ms */
  timeout: Schema.optional(expect(Schema.Int.pipe(Schema.greaterThan(0)), "expected a whole number of milliseconds above 0"))
})
export type Task = typeof Task.Type
/** A task as written in a file or in code, before decoding (`provider: "gemini"` allowed). */
export type TaskInput = typeof Task.Encoded

export const TaskList = expect(Schema.Array(Task), "expected a list of tasks", false)

/** One task's outcome. `target`/`provider`/`model` say where it ran, or would have run when skipped. */
export const TaskResult = Schema.Struct({
  taskId: Schema.String,
  success: Schema.Boolean,
  target: Target,
  provider: Schema.String,
  model: Schema.String,
  agent: Schema.String,
  /** why the task was routed where it was */
  reason: Schema.String,
  output: Schema.String,
  error: Schema.optional(Schema.String),
  /** ms of the call as its backend measured it (a failed call: from its start to its end; 0 when skipped) */
  executionTime: Schema.Number,
  tokens: TokenUsage,
  cost: Schema.NullOr(Schema.Number),
  skipped: Schema.optional(Schema.Boolean)
})
export type TaskResult = typeof TaskResult.Type

// ---------------------------------------------------------------------------------------------------------------
// Errors

/** an error names at most this many tasks, then says how many more: a file of 10,000 tasks still gets one line */
export const LISTED_AT_MOST = 10

/** The task list does not decode. `message` names the task and the field. */
export class TaskListInvalid extends Data.TaggedError("TaskListInvalid")<{ readonly message: string }> {}

export class DuplicateTaskId extends Data.TaggedError("DuplicateTaskId")<{
  readonly id: string
  readonly indices: ReadonlyArray<number>
}> {
  override get message() {
    return `task id "${this.id}" is used by more than one task (tasks ${joinAtMost(this.indices.map((i) => `#${i + 1}`), ", ", LISTED_AT_MOST)})`
  }
}

export class UnknownDependency extends Data.TaggedError("UnknownDependency")<{
  readonly taskId: string
  readonly dependency: string
}> {
  override get message() {
    return `task "${this.taskId}" depends on "${this.dependency}", which is not in the task list`
  }
}

/** `cycle` lists task ids in dependency order and ends with its first id again. */
export class DependencyCycle extends Data.TaggedError("DependencyCycle")<{ readonly cycle: ReadonlyArray<string> }> {
  override get message() {
    const tasks = this.cycle.length - 1
    return tasks <= LISTED_AT_MOST
      ? `dependency cycle: ${this.cycle.join(" -> ")} (each task waits for the next)`
      : `dependency cycle of ${formatCount(tasks)} tasks (each waits for the next): ${joinAtMost(this.cycle.slice(0, -1), " -> ", LISTED_AT_MOST)}`
  }
}

export type TaskGraphError = DuplicateTaskId | UnknownDependency | DependencyCycle

// ---------------------------------------------------------------------------------------------------------------
// Decoding

const show = (value: unknown): string => {
  const json = JSON.stringify(value)
  if (json === undefined) return String(value)
  return json.length > 60 ? `${json.slice(0, 57)}...` : json
}

const at = (input: unknown, path: ReadonlyArray<PropertyKey>): unknown =>
  path.reduce<unknown>((v, k) => (v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[k] : undefined), input)

/** `task "build" (#2): timeout: expected ..., got -5` */
export const describeTaskListError = (input: unknown, error: ParseResult.ParseError): string => {
  const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
  if (issue === undefined) return "tasks: invalid"
  const [first, ...rest] = issue.path
  const what = issue._tag === "Unexpected"
    ? "unknown field"
    : issue._tag === "Missing"
    ? "is missing"
    : `${issue.message.replace(/^Expected /, "expected ").replace(/, actual [\s\S]*$/, "")}, got ${show(at(input, issue.path))}`
  if (typeof first !== "number") return `tasks: ${what}`
  const id = at(input, [first, "id"])
  const task = typeof id === "string" && id.length > 0 ? `task "${id}" (#${first + 1})` : `task #${first + 1}`
  return rest.length === 0 ? `${task}: ${what}` : `${task}: ${formatPath(rest)}: ${what}`
}

export const decodeTaskList = (input: unknown): Effect.Effect<ReadonlyArray<Task>, TaskListInvalid> =>
  decodeUnknown(TaskList)(input).pipe(
    Effect.mapError((error) => new TaskListInvalid({ message: describeTaskListError(input, error) }))
  )
