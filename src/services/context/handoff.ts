/**
 * The seed's Context Transfer System: what a handoff from Claude Code to OpenCode carries, and its two forms:
 * Markdown for the model that picks the work up, JSON that `readHandoff` decodes with the same schema.
 */
import * as Data from "effect/Data"
import * as Schema from "effect/Schema"
import { FileChange } from "./gitStatus"
import { Mode } from "../../domain/model"

export const TodoStatus = Schema.Literal("pending", "in_progress", "completed")

/** Claude Code's TodoWrite item (`activeForm` and other fields are ignored) */
export const TodoItem = Schema.Struct({
  content: Schema.String.pipe(Schema.minLength(1)),
  status: TodoStatus
})
export type TodoItem = typeof TodoItem.Type

export const UsageSnapshot = Schema.Struct({
  fiveHourUsage: Schema.NullOr(Schema.Number),
  weeklyUsage: Schema.NullOr(Schema.Number)
})
export type UsageSnapshot = typeof UsageSnapshot.Type

export const GitState = Schema.Literal("ok", "not-a-repository", "unavailable")
export type GitState = typeof GitState.Type

/** Every value is present (null or [] when unknown), so the JSON says what it does not know. */
export const HandoffContext = Schema.Struct({
  version: Schema.Literal(1),
  task: Schema.Struct({
    description: Schema.String,
    goal: Schema.NullOr(Schema.String),
    constraints: Schema.Array(Schema.String)
  }),
  files: Schema.Struct({
    /** paths relative to the project, current path for renames */
    modified: Schema.Array(Schema.String),
    referenced: Schema.Array(Schema.String),
    /** what git says about each modified path */
    changes: Schema.Array(FileChange)
  }),
  todos: Schema.Struct({
    pending: Schema.Array(Schema.String),
    inProgress: Schema.Array(Schema.String),
    completed: Schema.Array(Schema.String)
  }),
  decisions: Schema.Struct({
    recent: Schema.Array(Schema.String),
    learnings: Schema.Array(Schema.String)
  }),
  meta: Schema.Struct({
    sessionId: Schema.String,
    projectPath: Schema.String,
    startTime: Schema.NullOr(Schema.String),
    /** ISO time the context was built */
    buildTime: Schema.String,
    claudeUsage: Schema.NullOr(UsageSnapshot),
    /** the session's fusion mode; null when unknown (and in handoffs written before it was recorded) */
    mode: Schema.optionalWith(Schema.NullOr(Mode), { default: () => null }),
    /** whether `files.changes` could be read from git */
    git: GitState,
    from: Schema.String,
    to: Schema.String
  })
})
export type HandoffContext = typeof HandoffContext.Type

const text = (what: string) =>
  Schema.String.pipe(Schema.minLength(1)).annotations({ message: () => ({ message: `expected a non-empty ${what}`, override: true }) })
const texts = Schema.Array(Schema.String)
const percent = Schema.NullOr(Schema.Number.pipe(Schema.between(0, 100)))

/** What `buildContext` takes. */
export const BuildContextInput = Schema.Struct({
  sessionId: text("session id"),
  projectPath: text("path"),
  startTime: Schema.optional(Schema.String),
  task: Schema.Struct({
    description: text("task description"),
    goal: Schema.optional(Schema.String),
    constraints: Schema.optional(texts)
  }),
  claudeUsage: Schema.optional(Schema.Struct({ fiveHourUsage: Schema.optional(percent), weeklyUsage: Schema.optional(percent) })),
  /** the session's fusion mode, when known */
  mode: Schema.optional(Mode),
  todos: Schema.optional(Schema.Array(TodoItem)),
  decisions: Schema.optional(texts),
  learnings: Schema.optional(texts),
  referencedFiles: Schema.optional(texts),
  /** default "Claude Code" */
  from: Schema.optional(Schema.String),
  /** default "OpenCode" */
  to: Schema.optional(Schema.String)
})
export type BuildContextInput = typeof BuildContextInput.Encoded

export class HandoffInputInvalid extends Data.TaggedError("HandoffInputInvalid")<{ readonly message: string }> {}

export class HandoffWriteError extends Data.TaggedError("HandoffWriteError")<{ readonly file: string; readonly message: string }> {}

export class HandoffReadError extends Data.TaggedError("HandoffReadError")<{ readonly file: string; readonly message: string }> {}

// ---------------------------------------------------------------------------------------------------------------
// Assembling

export const assembleContext = (
  input: typeof BuildContextInput.Type,
  found: { readonly changes: ReadonlyArray<FileChange>; readonly git: GitState; readonly buildTime: string }
): HandoffContext => {
  const todos = input.todos ?? []
  const withStatus = (status: TodoItem["status"]) => todos.filter((t) => t.status === status).map((t) => t.content)
  return {
    version: 1,
    task: { description: input.task.description, goal: input.task.goal ?? null, constraints: input.task.constraints ?? [] },
    files: { modified: found.changes.map((c) => c.path), referenced: input.referencedFiles ?? [], changes: found.changes },
    todos: { pending: withStatus("pending"), inProgress: withStatus("in_progress"), completed: withStatus("completed") },
    decisions: { recent: input.decisions ?? [], learnings: input.learnings ?? [] },
    meta: {
      sessionId: input.sessionId,
      projectPath: input.projectPath,
      startTime: input.startTime ?? null,
      buildTime: found.buildTime,
      claudeUsage: input.claudeUsage === undefined
        ? null
        : { fiveHourUsage: input.claudeUsage.fiveHourUsage ?? null, weeklyUsage: input.claudeUsage.weeklyUsage ?? null },
      mode: input.mode ?? null,
      git: found.git,
      from: input.from ?? "Claude Code",
      to: input.to ?? "OpenCode"
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Markdown

/** a code span that survives backticks in its content */
const code = (value: string): string => {
  const longest = Math.max(0, ...(value.match(/`+/g) ?? []).map((run) => run.length))
  const fence = "`".repeat(longest + 1)
  const pad = value.startsWith("`") || value.endsWith("`") ? " " : ""
  return `${fence}${pad}${value}${pad}${fence}`
}

/** a table cell: one line, pipes escaped (GFM splits cells before it reads code spans) */
const cell = (value: string): string => value.replace(/\s*\n\s*/g, " ").replace(/\|/g, "\\|")

/** continuation lines of a list item are indented under it */
const item = (value: string, indent = "  "): string => value.trim().replace(/\s*\n/g, `\n${indent}`)

const none = (lines: ReadonlyArray<string>, empty = "none"): string => (lines.length === 0 ? empty : lines.join("\n"))

const pct = (n: number | null): string => (n === null ? "unknown" : `${Math.round(n * 10) / 10}%`)

const usageText = (usage: UsageSnapshot | null): string =>
  usage === null ? "unknown" : `5-hour: ${pct(usage.fiveHourUsage)}, Weekly: ${pct(usage.weeklyUsage)}`

const MAX_FILES = 100

const changeLine = (c: FileChange): string => {
  const suffix = c.status === "modified"
    ? ""
    : c.status === "renamed" || c.status === "copied"
    ? ` (${c.status} from ${code(c.from ?? "unknown")})`
    : ` (${c.status})`
  return `- ${code(c.path)}${suffix}`
}

const filesSection = (context: HandoffContext): string => {
  const { changes } = context.files
  if (changes.length === 0) {
    const why = context.meta.git === "not-a-repository" ? " (not a git repository)" : context.meta.git === "unavailable" ? " (git status unavailable)" : ""
    return `none${why}`
  }
  const shown = changes.slice(0, MAX_FILES).map(changeLine)
  const more = changes.length > MAX_FILES ? [`- ... and ${changes.length - MAX_FILES} more (see context.json)`] : []
  return [...shown, ...more].join("\n")
}

const taskSection = (task: HandoffContext["task"]): string => {
  const parts = [task.description.trim()]
  if (task.goal !== null && task.goal.trim().length > 0) parts.push(`**Goal:** ${task.goal.trim()}`)
  if (task.constraints.length > 0) parts.push(["**Constraints:**", ...task.constraints.map((c) => `- ${item(c)}`)].join("\n"))
  return parts.join("\n\n")
}

/** The seed's handoff format. Nothing unknown prints as `undefined` or `null`; an empty section says "none". */
export const serializeContextToMarkdown = (context: HandoffContext): string => {
  const { decisions, meta, todos } = context
  const sections = [
    "# Task Handoff Context",
    `> Switched from ${meta.from} to ${meta.to}\n> Generated: ${meta.buildTime}`,
    "---",
    [
      "## Session Information",
      "| Item | Value |",
      "|------|-----|",
      `| Session ID | ${cell(code(meta.sessionId))} |`,
      `| Project Path | ${cell(code(meta.projectPath))} |`,
      `| Started | ${cell(meta.startTime ?? "unknown")} |`,
      `| Timestamp | ${cell(meta.buildTime)} |`,
      `| Usage | ${usageText(meta.claudeUsage)} |`,
      `| Mode | ${meta.mode ?? "unknown"} |`
    ].join("\n"),
    `## Current Task\n${taskSection(context.task)}`,
    `## Pending TODOs\n${none([
      ...todos.inProgress.map((t) => `- [ ] ${item(t, "      ")} (in progress)`),
      ...todos.pending.map((t) => `- [ ] ${item(t, "      ")}`)
    ])}`,
    `## Completed TODOs\n${none(todos.completed.map((t) => `- [x] ${item(t, "      ")}`))}`,
    `## Recently Modified Files\n${filesSection(context)}`,
    ...(context.files.referenced.length > 0 ? [`## Referenced Files\n${context.files.referenced.map((f) => `- ${code(f)}`).join("\n")}`] : []),
    `## Decisions\n${none(decisions.recent.map((d, i) => `${i + 1}. ${item(d, "   ")}`))}`,
    `## Session Learnings\n${none(decisions.learnings.map((l) => `- ${item(l)}`))}`
  ]
  return `${sections.join("\n\n")}\n`
}

export const serializeContextToJSON = (context: HandoffContext): string =>
  `${JSON.stringify(Schema.encodeSync(HandoffContext)(context), null, 2)}\n`
