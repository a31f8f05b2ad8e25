/**
 * The handoff's two forms. Markdown for the model that picks the work up, in the seed's format section for section
 * (title, "Switched from" and "Generated" lines, Session Information, Current Task, Pending TODOs, Recently Modified
 * Files, Decisions, Session Learnings); what the seed has no section for comes after them. JSON that `readHandoff`
 * decodes with the same schema.
 */
import * as Schema from "effect/Schema"
import type { FileChange } from "./gitStatus"
import { HandoffContext, type Note, type UsageSnapshot } from "./handoff"

/** a code span that survives backticks in its content */
const code = (value: string): string => {
  const longest = Math.max(0, ...(value.match(/`+/g) ?? []).map((run) => run.length))
  const fence = "`".repeat(longest + 1)
  const pad = value.startsWith("`") || value.endsWith("`") ? " " : ""
  return `${fence}${pad}${value}${pad}${fence}`
}

/** a path as the seed writes it (plain), in a code span when Markdown would read it otherwise */
const pathText = (p: string): string => {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(p)) return code(JSON.stringify(p))
  return /^[\p{L}\p{N}._/@~+-][\p{L}\p{N}._/@~+ ,=-]*$/u.test(p) && !p.endsWith(" ") ? p : code(p)
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
    ? ` (${c.status} from ${pathText(c.from ?? "unknown")})`
    : ` (${c.status})`
  return `- ${pathText(c.path)}${suffix}`
}

const filesSection = (context: HandoffContext): string => {
  const { changes, modified } = context.files
  const fromGit = new Set(changes.map((c) => c.path))
  const lines = [...changes.map(changeLine), ...modified.filter((f) => !fromGit.has(f)).map((f) => `- ${pathText(f)}`)]
  if (lines.length === 0) {
    const why = context.meta.git === "not-a-repository" ? " (not a git repository)" : context.meta.git === "unavailable" ? " (git status unavailable)" : ""
    return `none${why}`
  }
  const more = lines.length > MAX_FILES ? [`- ... and ${lines.length - MAX_FILES} more (see context.json)`] : []
  return [...lines.slice(0, MAX_FILES), ...more].join("\n")
}

const taskSection = (task: HandoffContext["task"]): string => {
  const parts = [task.description.trim()]
  if (task.goal !== null && task.goal.trim().length > 0) parts.push(`**Goal:** ${task.goal.trim()}`)
  if (task.constraints.length > 0) parts.push(["**Constraints:**", ...task.constraints.map((c) => `- ${item(c)}`)].join("\n"))
  return parts.join("\n\n")
}

/** a note, with where it came from unless the caller gave it */
const noteText = (note: Note): string => (note.source === "given" ? note.text : `${note.text} _(${note.source})_`)

/** The seed's handoff format. Nothing unknown prints as `undefined` or `null`; an empty section says "none". */
export const serializeContextToMarkdown = (context: HandoffContext): string => {
  const { decisions, files, meta, todos } = context
  const seed = [
    "# Task Handoff Context",
    `> Switched from ${meta.from} to ${meta.to}\n> Generated: ${meta.buildTime}`,
    "---",
    [
      "## Session Information",
      "| Item | Value |",
      "|------|-----|",
      `| Project Path | ${cell(code(meta.projectPath))} |`,
      `| Timestamp | ${cell(meta.buildTime)} |`,
      `| Usage | ${usageText(meta.claudeUsage)} |`
    ].join("\n"),
    `## Current Task\n${taskSection(context.task)}`,
    `## Pending TODOs\n${none([
      ...todos.inProgress.map((t) => `- [ ] ${item(t, "      ")} (in progress)`),
      ...todos.pending.map((t) => `- [ ] ${item(t, "      ")}`)
    ])}`,
    `## Recently Modified Files\n${filesSection(context)}`,
    `## Decisions\n${none(decisions.recent.map((d, i) => `${i + 1}. ${item(noteText(d), "   ")}`))}`,
    `## Session Learnings\n${none(decisions.learnings.map((l) => `- ${item(noteText(l))}`))}`
  ]
  const details = [
    "## Session Details",
    "| Item | Value |",
    "|------|-----|",
    `| Session ID | ${cell(code(meta.sessionId))} |`,
    `| Started | ${cell(meta.startTime ?? "unknown")} |`,
    `| Mode | ${meta.mode ?? "unknown"} |`,
    ...(meta.transcript === null ? [] : [`| Transcript | ${cell(code(meta.transcript))} |`]),
    ...(meta.sources === null ? [] : [
      `| Task from | ${cell(meta.sources.task)} |`,
      `| TODOs from | ${cell(meta.sources.todos)} |`,
      `| Files from | ${cell(meta.sources.files)} |`,
      `| Notes from | ${cell(meta.sources.notes)} |`
    ])
  ].join("\n")
  const extra = [
    ...(todos.completed.length > 0 ? [`## Completed TODOs\n${todos.completed.map((t) => `- [x] ${item(t, "      ")}`).join("\n")}`] : []),
    ...(files.referenced.length > 0 ? [`## Referenced Files\n${files.referenced.map((f) => `- ${pathText(f)}`).join("\n")}`] : []),
    details
  ]
  return `${[...seed, ...extra].join("\n\n")}\n`
}

export const serializeContextToJSON = (context: HandoffContext): string =>
  `${JSON.stringify(Schema.encodeSync(HandoffContext)(context), null, 2)}\n`
