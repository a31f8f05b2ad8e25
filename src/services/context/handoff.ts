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

/** One decision or learning, and where it came from (`given` when the caller passed it) */
export const Note = Schema.Struct({ text: Schema.String, source: Schema.String })
export type Note = typeof Note.Type

/** a Note, or a bare string (handoffs written before notes had sources, callers that give plain text) */
const NoteOrText = Schema.Union(
  Note,
  Schema.transform(Schema.String, Note, {
    strict: true,
    decode: (text) => ({ text, source: "given" }),
    encode: (note) => note.text
  })
)

/** where the task, the TODOs, the files and the notes came from, in words */
export const ContextSources = Schema.Struct({
  task: Schema.String,
  todos: Schema.String,
  files: Schema.String,
  notes: Schema.String
})
export type ContextSources = typeof ContextSources.Type

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
    recent: Schema.Array(NoteOrText),
    learnings: Schema.Array(NoteOrText)
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
    to: Schema.String,
    /** the Claude Code transcript read, when one was */
    transcript: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
    sources: Schema.optionalWith(Schema.NullOr(ContextSources), { default: () => null })
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
  /** default: the user's prompts of the transcript */
  task: Schema.optional(Schema.Struct({
    description: text("task description"),
    goal: Schema.optional(Schema.String),
    constraints: Schema.optional(texts)
  })),
  claudeUsage: Schema.optional(Schema.Struct({ fiveHourUsage: Schema.optional(percent), weeklyUsage: Schema.optional(percent) })),
  /** the session's fusion mode, when known */
  mode: Schema.optional(Mode),
  todos: Schema.optional(Schema.Array(TodoItem)),
  decisions: Schema.optional(Schema.Array(NoteOrText)),
  learnings: Schema.optional(Schema.Array(NoteOrText)),
  referencedFiles: Schema.optional(texts),
  /** the task when none is given and the transcript has no prompt */
  defaultTask: Schema.optional(Schema.String),
  /** the goal of a task that is not given (the transcript's, or the default) */
  goal: Schema.optional(Schema.String),
  /** the Claude Code session's transcript (JSONL): prompts, TODOs, files read and edited, notes */
  transcriptPath: Schema.optional(Schema.String),
  /** default "Claude Code" */
  from: Schema.optional(Schema.String),
  /** default "OpenCode" */
  to: Schema.optional(Schema.String)
})
export type BuildContextInput = typeof BuildContextInput.Encoded

/** the task of a handoff when none is given and the transcript has no prompt */
export const DEFAULT_HANDOFF_TASK = "Continue the work in progress in this project (see the modified files)."

export class HandoffInputInvalid extends Data.TaggedError("HandoffInputInvalid")<{ readonly message: string }> {}

export class HandoffWriteError extends Data.TaggedError("HandoffWriteError")<{ readonly file: string; readonly message: string }> {}

export class HandoffReadError extends Data.TaggedError("HandoffReadError")<{ readonly file: string; readonly message: string }> {}

export class HandoffNoTask extends Data.TaggedError("HandoffNoTask")<{ readonly message: string }> {}
