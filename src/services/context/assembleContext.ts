/** The handoff context from what the caller gave, what git says and what the session's transcript shows. */
import * as Either from "effect/Either"
import * as path from "node:path"
import type { FileChange } from "./gitStatus"
import { type BuildContextInput, type GitState, type HandoffContext, HandoffNoTask, type TodoItem } from "./handoff"
import { extractNotes } from "./sessionNotes"
import type { TranscriptFacts } from "./transcript"

export interface FoundContext {
  readonly changes: ReadonlyArray<FileChange>
  readonly git: GitState
  readonly buildTime: string
  readonly transcript: { readonly path: string; readonly facts: TranscriptFacts } | null
  /** Claude Code's own todo file of the session (`<config>/todos/<session>-agent-<session>.json`), when there is one */
  readonly todoFile?: { readonly path: string; readonly items: ReadonlyArray<TodoItem> } | null | undefined
}

const MAX_LATER_PROMPTS = 3
const MAX_PROMPT = 2_000

const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`)

/** a tool's path relative to the project when it is inside it */
const projectRelative = (projectPath: string, file: string): string => {
  if (!path.isAbsolute(file)) return file
  const relative = path.relative(projectPath, file)
  return relative.length > 0 && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : file
}

const lines = (numbers: ReadonlyArray<number>) => `line${numbers.length === 1 ? "" : "s"} ${numbers.join(", ")}`

/** the task the transcript's prompts give: the first one, and the latest few after it */
const taskOfPrompts = (prompts: TranscriptFacts["prompts"]): { readonly description: string; readonly lines: ReadonlyArray<number> } | undefined => {
  const [first, ...rest] = prompts
  if (first === undefined) return undefined
  const later = rest.slice(-MAX_LATER_PROMPTS)
  const description = later.length === 0
    ? clip(first.text, MAX_PROMPT)
    : `${clip(first.text, MAX_PROMPT)}\n\nLater in the session:\n${later.map((p) => `- ${clip(p.text, MAX_PROMPT / 2)}`).join("\n")}`
  return { description, lines: [first.line, ...later.map((p) => p.line)] }
}

/** The context from what the caller gave, git and the transcript; what the caller gave comes first. */
export const assembleContext = (input: typeof BuildContextInput.Type, found: FoundContext): Either.Either<HandoffContext, HandoffNoTask> => {
  const transcript = found.transcript
  const facts = transcript?.facts
  const where = transcript === null ? "" : `transcript ${transcript.path}`
  const fromPrompts = facts === undefined ? undefined : taskOfPrompts(facts.prompts)
  const task = input.task ??
    (fromPrompts !== undefined
      ? { description: fromPrompts.description }
      : input.defaultTask !== undefined && input.defaultTask.trim().length > 0
      ? { description: input.defaultTask }
      : undefined)
  if (task === undefined) {
    return Either.left(new HandoffNoTask({ message: "task: none given, and no transcript with a user prompt was found" }))
  }
  const todoFile = facts?.todos == null ? found.todoFile ?? null : null
  const todos = input.todos ?? facts?.todos?.items ?? todoFile?.items ?? []
  const withStatus = (status: TodoItem["status"]) => todos.filter((t) => t.status === status).map((t) => t.content)
  const relative = (file: string) => projectRelative(input.projectPath, file)
  const modified = [...found.changes.map((c) => c.path)]
  for (const file of facts?.edited ?? []) if (!modified.includes(relative(file))) modified.push(relative(file))
  const referenced = [...(input.referencedFiles ?? [])]
  for (const file of facts?.read ?? []) {
    const r = relative(file)
    if (!referenced.includes(r) && !modified.includes(r)) referenced.push(r)
  }
  const notes = facts === undefined ? { decisions: [], learnings: [] } : extractNotes(facts.said, (line) => `${where} line ${line} (deterministic)`)
  const gitSource = found.git === "ok" ? "git status" : found.git === "not-a-repository" ? "no git repository" : "git status unavailable"
  return Either.right({
    version: 1,
    task: { description: task.description, goal: task.goal ?? input.goal ?? null, constraints: task.constraints ?? [] },
    files: { modified, referenced, changes: found.changes },
    todos: { pending: withStatus("pending"), inProgress: withStatus("in_progress"), completed: withStatus("completed") },
    decisions: { recent: [...(input.decisions ?? []), ...notes.decisions], learnings: [...(input.learnings ?? []), ...notes.learnings] },
    meta: {
      sessionId: input.sessionId,
      projectPath: input.projectPath,
      startTime: input.startTime ?? facts?.startTime ?? null,
      buildTime: found.buildTime,
      claudeUsage: input.claudeUsage === undefined
        ? null
        : { fiveHourUsage: input.claudeUsage.fiveHourUsage ?? null, weeklyUsage: input.claudeUsage.weeklyUsage ?? null },
      mode: input.mode ?? null,
      git: found.git,
      from: input.from ?? "Claude Code",
      to: input.to ?? "OpenCode",
      transcript: transcript?.path ?? null,
      sources: {
        task: input.task !== undefined || fromPrompts === undefined ? "given" : `${where} (user prompts, ${lines(fromPrompts.lines)})`,
        todos: input.todos !== undefined
          ? "given"
          : facts?.todos != null
          ? `${where} (TodoWrite, line ${facts.todos.line})`
          : todoFile !== null
          ? `Claude Code todo file ${todoFile.path}`
          : "none found",
        files: facts === undefined ? gitSource : `${gitSource}; ${where} (Read, Edit and Write calls)`,
        notes: facts === undefined ? "given" : `${where} (deterministic: the model's sentences that state a choice or a finding)`
      }
    }
  })
}
