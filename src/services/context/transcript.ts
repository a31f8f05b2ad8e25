/**
 * What a Claude Code session's transcript (`<config>/projects/<project>/<session>.jsonl`) says about its work: the
 * user's prompts, the last TODO list the model wrote, the files its tools read and changed, and what it said.
 * Each line is decoded on its own and only for the keys read here; a line of another shape is skipped, never fatal
 * (the format grows with every Claude Code release).
 */
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { TodoItem } from "./handoff"

const TextBlock = Schema.Struct({ type: Schema.Literal("text"), text: Schema.String })
const ToolUseBlock = Schema.Struct({
  type: Schema.Literal("tool_use"),
  name: Schema.String,
  input: Schema.optionalWith(Schema.Record({ key: Schema.String, value: Schema.Unknown }), { default: () => ({}) })
})
const OtherBlock = Schema.Struct({ type: Schema.String })
const Block = Schema.Union(TextBlock, ToolUseBlock, OtherBlock)

const Entry = Schema.Struct({
  type: Schema.String,
  isSidechain: Schema.optional(Schema.Boolean),
  isMeta: Schema.optional(Schema.Boolean),
  sessionId: Schema.optional(Schema.String),
  cwd: Schema.optional(Schema.String),
  timestamp: Schema.optional(Schema.String),
  message: Schema.optional(Schema.Struct({
    role: Schema.optional(Schema.String),
    content: Schema.optional(Schema.Union(Schema.String, Schema.Array(Block)))
  }))
})
type Entry = typeof Entry.Type

const decodeEntry = Schema.decodeUnknownOption(Entry, { onExcessProperty: "ignore" })
const TodoWriteInput = Schema.Struct({ todos: Schema.Array(TodoItem) })
const decodeTodos = Schema.decodeUnknownOption(TodoWriteInput, { onExcessProperty: "ignore" })

/** a line of the transcript (1-based), for "where it came from" */
export interface Located {
  readonly text: string
  readonly line: number
}

export interface TranscriptFacts {
  readonly sessionId: string | null
  readonly cwd: string | null
  /** the time of the first entry */
  readonly startTime: string | null
  readonly prompts: ReadonlyArray<Located>
  /** the last TodoWrite call's list; null when the model never wrote one */
  readonly todos: { readonly items: ReadonlyArray<TodoItem>; readonly line: number } | null
  /** paths as the tools gave them (usually absolute), first use first */
  readonly read: ReadonlyArray<string>
  readonly edited: ReadonlyArray<string>
  /** the model's own text, in order */
  readonly said: ReadonlyArray<Located>
}

const READ_TOOLS = new Set(["Read", "NotebookRead"])
const EDIT_TOOLS = new Set(["Edit", "MultiEdit", "Write", "NotebookEdit"])

/** text Claude Code itself puts in the user's turn: slash-command wrappers, caveats, reminders, interruptions */
const isHarnessText = (text: string): boolean =>
  /^\s*(<command-(name|message|args)>|<local-command-|<system-reminder>|<bash-(input|stdout|stderr)>|<user-prompt-submit-hook>|Caveat: |\[Request interrupted)/
    .test(text)

const userText = (entry: Entry): string | undefined => {
  const content = entry.message?.content
  if (content === undefined) return undefined
  const texts = typeof content === "string"
    ? [content]
    : content.flatMap((b) => (b.type === "text" && "text" in b ? [b.text] : []))
  const kept = texts.filter((t) => t.trim().length > 0 && !isHarnessText(t))
  return kept.length === 0 ? undefined : kept.join("\n").trim()
}

const pathOf = (input: Readonly<Record<string, unknown>>): string | undefined => {
  const p = input["file_path"] ?? input["notebook_path"]
  return typeof p === "string" && p.length > 0 ? p : undefined
}

const pushOnce = (list: Array<string>, value: string) => {
  if (!list.includes(value)) list.push(value)
}

/** Read the transcript's text (JSONL). Sub-agent (sidechain) entries are left out: they are not the session's own. */
export const readTranscript = (text: string): TranscriptFacts => {
  let sessionId: string | null = null
  let cwd: string | null = null
  let startTime: string | null = null
  let todos: TranscriptFacts["todos"] = null
  const prompts: Array<Located> = []
  const said: Array<Located> = []
  const read: Array<string> = []
  const edited: Array<string> = []
  text.split("\n").forEach((raw, index) => {
    const line = index + 1
    if (raw.trim().length === 0) return
    let json: unknown
    try {
      json = JSON.parse(raw)
    } catch {
      return
    }
    const found = decodeEntry(json)
    if (Option.isNone(found)) return
    const entry = found.value
    if (entry.isSidechain === true) return
    sessionId ??= entry.sessionId ?? null
    cwd ??= entry.cwd ?? null
    startTime ??= entry.timestamp ?? null
    if (entry.type === "user" && entry.isMeta !== true) {
      const prompt = userText(entry)
      if (prompt !== undefined) prompts.push({ text: prompt, line })
      return
    }
    if (entry.type !== "assistant" || !Array.isArray(entry.message?.content)) return
    for (const block of entry.message.content) {
      if (block.type === "text" && "text" in block && block.text.trim().length > 0) said.push({ text: block.text, line })
      if (block.type !== "tool_use" || !("name" in block)) continue
      if (block.name === "TodoWrite") {
        Option.map(decodeTodos(block.input), (input) => (todos = { items: input.todos, line }))
        continue
      }
      const file = pathOf(block.input)
      if (file === undefined) continue
      if (READ_TOOLS.has(block.name)) pushOnce(read, file)
      if (EDIT_TOOLS.has(block.name)) pushOnce(edited, file)
    }
  })
  return { sessionId, cwd, startTime, prompts, todos, read, edited, said }
}

/** Claude Code's name for a project's transcript folder: every character but ASCII letters and digits becomes `-` */
export const projectFolderName = (projectPath: string): string => projectPath.replace(/[^a-zA-Z0-9]/g, "-")
