/**
 * The two directions between a handoff and an OpenCode session: the note a pushed session starts with, and the
 * context read back from a session (its task, TODO list, changed and read files, and what its model said).
 */
import * as path from "node:path"
import { extractNotes, type FileChange, type HandoffContext, type Located, serializeContextToMarkdown } from "../context"
import { type ChangedFile, filesOfToolParts, mergeChangedFiles, type RecordedMessage, type SessionTodo } from "../pool"

const HANDOFF_TITLE = "# Task Handoff Context"

/** what the OpenCode session's first message says: the handoff, and what to do with it */
export const handoffNote = (context: HandoffContext): string =>
  `${serializeContextToMarkdown(context)}\n---\n\nThis session continues the work above. Read the files it names before changing them, ` +
  "keep the TODO list (todowrite) up to date, and pick up with the first pending TODO."

/** a title for the session: OpenCode would otherwise spend a model call naming it */
export const handoffTitle = (context: HandoffContext): string => {
  const first = context.task.description.split("\n")[0]!.trim()
  return `omcm handoff: ${first.length > 60 ? `${first.slice(0, 59)}…` : first}`
}

/** the POSIX shell word of a value */
const shellWord = (value: string): string => (/^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`)

/** the command that opens the session in OpenCode's terminal UI */
export const openCommand = (directory: string, sessionId: string): string => `opencode ${shellWord(directory)} --session ${shellWord(sessionId)}`

const textOf = (message: RecordedMessage): string =>
  message.parts.flatMap((p) => (p.type === "text" && "text" in p && p.synthetic !== true ? [p.text] : [])).join("\n").trim()

/** the "## Current Task" section of a handoff note */
const taskOfNote = (note: string): string | undefined => {
  const match = /\n## Current Task\n([\s\S]*?)\n\n## /.exec(note)
  return match?.[1]?.trim()
}

const changeOf = (file: ChangedFile): FileChange => ({
  path: file.path,
  status: file.status === "added" ? "added" : file.status === "deleted" ? "deleted" : "modified",
  from: null
})

const todoStatus = (status: string) =>
  status === "pending" || status === "in_progress" || status === "completed" ? status : undefined

export interface SessionRecord {
  readonly sessionId: string
  readonly directory: string
  readonly messages: ReadonlyArray<RecordedMessage>
  readonly todos: ReadonlyArray<SessionTodo>
  readonly diff: ReadonlyArray<ChangedFile>
  readonly buildTime: string
}

/** A context from what an OpenCode session holds, for the way back to Claude Code. */
export const contextOfSession = (record: SessionRecord): HandoffContext => {
  const where = `opencode session ${record.sessionId}`
  const numbered = record.messages.map((message, i) => ({ message, number: i + 1 }))
  const prompts = numbered.filter(({ message }) => message.info.role === "user").map(({ message, number }) => ({ text: textOf(message), number }))
    .filter((p) => p.text.length > 0)
  const [first, ...later] = prompts
  const fromNote = first !== undefined && first.text.startsWith(HANDOFF_TITLE) ? taskOfNote(first.text) : undefined
  const opening = fromNote ?? first?.text ?? `Continue the work of OpenCode session ${record.sessionId}.`
  const laterText = later.slice(-3).map((p) => `- ${p.text.length > 1_000 ? `${p.text.slice(0, 999)}…` : p.text}`)
  const description = laterText.length === 0 ? opening : `${opening}\n\nLater in OpenCode:\n${laterText.join("\n")}`

  const parts = record.messages.flatMap((m) => m.parts)
  const changed = mergeChangedFiles(record.diff, filesOfToolParts(record.directory, parts))
  const modified = changed.map((f) => f.path)
  const referenced: Array<string> = []
  for (const part of parts) {
    if (part.type !== "tool" || !("tool" in part) || part.tool !== "read" || part.state.status !== "completed") continue
    const file = part.state.input?.["filePath"]
    if (typeof file !== "string") continue
    const rel = path.isAbsolute(file) ? path.relative(record.directory, file) : file
    if (!referenced.includes(rel) && !modified.includes(rel)) referenced.push(rel)
  }

  const said: Array<Located> = numbered.filter(({ message }) => message.info.role === "assistant").map(({ message, number }) => ({
    text: textOf(message),
    line: number
  })).filter((s) => s.text.length > 0)
  const notes = extractNotes(said, (n) => `${where} message ${n}`)
  const withStatus = (status: "pending" | "in_progress" | "completed") =>
    record.todos.filter((t) => todoStatus(t.status) === status).map((t) => t.content)
  const created = record.messages[0]?.info.time?.created
  return {
    version: 1,
    task: { description, goal: null, constraints: [] },
    files: { modified, referenced, changes: changed.map(changeOf) },
    todos: { pending: withStatus("pending"), inProgress: withStatus("in_progress"), completed: withStatus("completed") },
    decisions: { recent: notes.decisions, learnings: notes.learnings },
    meta: {
      sessionId: record.sessionId,
      projectPath: record.directory,
      startTime: created === undefined ? null : new Date(created).toISOString(),
      buildTime: record.buildTime,
      claudeUsage: null,
      mode: null,
      git: "ok",
      from: "OpenCode",
      to: "Claude Code",
      transcript: null,
      sources: {
        task: fromNote !== undefined ? `${where} (the handoff it started with, and later prompts)` : `${where} (user messages)`,
        todos: `${where} (its todo list)`,
        files: `${where} (its diff and tool calls)`,
        notes: `${where} (the model's sentences that state a choice or a finding)`
      }
    }
  }
}
