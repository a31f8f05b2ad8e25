import { totalTokens } from "../../../domain/execution"
import type { TaskResult, TaskRoute } from "../../../services/executor"
import { formatCost, formatCount, formatDuration, formatTokens, joinAtMost } from "../../../lib/format"
import { renderTable } from "../../../lib/table"

export interface CheckReport {
  readonly file: string
  readonly tasks: number
  /** task ids in dependency order */
  readonly order: ReadonlyArray<string>
  readonly parallel: {
    readonly canParallel: boolean
    readonly reason: string
    /** `file`: a path both tasks' patterns can name */
    readonly conflicts: ReadonlyArray<{ readonly file: string; readonly tasks: ReadonlyArray<string> }>
  }
  readonly routes: ReadonlyArray<TaskRoute & { readonly dependsOn: ReadonlyArray<string> }>
}

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, " ").trim()

/** the text of `tasks check` lists this many tasks of the order and conflicts at most (`--json` has them all) */
const ORDER_SHOWN = 20
const CONFLICTS_SHOWN = 50

export const formatCheck = (c: CheckReport): string =>
  [
    `${c.file}: ${c.tasks} task(s), dependency order ${joinAtMost(c.order, " → ", ORDER_SHOWN)}`,
    `all at once: ${c.parallel.canParallel ? "yes" : "no"} (${c.parallel.reason})`,
    ...c.parallel.conflicts.slice(0, CONFLICTS_SHOWN).map((x) => `  conflict: "${x.tasks[0]}" and "${x.tasks[1]}" can both touch ${x.file}`),
    ...(c.parallel.conflicts.length > CONFLICTS_SHOWN
      ? [`  ... and ${formatCount(c.parallel.conflicts.length - CONFLICTS_SHOWN)} more conflicts (--json lists them all)`]
      : []),
    "",
    renderTable(
      ["TASK", "AFTER", "AGENT", "TIER", "TARGET", "MODEL", "WHY"],
      c.routes.map((r) => [
        r.taskId,
        r.dependsOn.length === 0 ? "-" : r.dependsOn.join(","),
        r.agent,
        r.tier,
        r.target,
        `${r.provider}/${r.model}`,
        oneLine(r.reason)
      ]),
      ["l", "l", "l", "l", "l", "l", "l"]
    )
  ].join("\n")

export type TaskStatusWord = "ok" | "failed" | "skipped"

export const statusOf = (r: TaskResult): TaskStatusWord => (r.skipped === true ? "skipped" : r.success ? "ok" : "failed")

/** the line before a finished task's output */
export const taskHeading = (r: TaskResult): string => {
  const status = statusOf(r)
  const where = `${r.target} ${r.provider}/${r.model}`
  if (status === "skipped") return `── ${r.taskId} · ${r.error ?? "skipped"}`
  const figures = `${formatTokens(totalTokens(r.tokens))} tokens · ${formatCost(r.cost)} · ${formatDuration(r.executionTime)}`
  return status === "ok"
    ? `── ${r.taskId} · ok · ${where} · ${figures}`
    : `── ${r.taskId} · failed: ${r.error ?? "failed"} · ${where} · ${formatDuration(r.executionTime)}`
}

export interface RunSummary {
  readonly tasks: number
  readonly ok: number
  readonly failed: number
  readonly skipped: number
  readonly tokens: number
  /** the priced tasks' cost; null when none is priced */
  readonly cost: number | null
  /** tasks that ran but whose model has no price */
  readonly unpriced: number
  readonly wallMs: number
}

export const summarize = (results: ReadonlyArray<TaskResult>, wallMs: number): RunSummary => {
  const ran = results.filter((r) => r.skipped !== true)
  const priced = ran.filter((r) => r.cost !== null)
  return {
    tasks: results.length,
    ok: results.filter((r) => statusOf(r) === "ok").length,
    failed: results.filter((r) => statusOf(r) === "failed").length,
    skipped: results.filter((r) => statusOf(r) === "skipped").length,
    tokens: ran.reduce((n, r) => n + totalTokens(r.tokens), 0),
    cost: priced.length === 0 ? null : priced.reduce((n, r) => n + r.cost!, 0),
    unpriced: ran.length - priced.length,
    wallMs
  }
}

export const formatRunTable = (results: ReadonlyArray<TaskResult>): string =>
  renderTable(
    ["TASK", "STATUS", "TARGET", "MODEL", "TOKENS", "COST", "TIME", "NOTE"],
    results.map((r) => {
      const status = statusOf(r)
      const ran = status !== "skipped"
      return [
        r.taskId,
        status,
        r.target,
        `${r.provider}/${r.model}`,
        ran ? formatTokens(totalTokens(r.tokens)) : "-",
        ran ? formatCost(r.cost) : "-",
        ran ? formatDuration(r.executionTime) : "-",
        status === "ok" ? "" : oneLine(r.error ?? "")
      ]
    }),
    ["l", "l", "l", "l", "r", "r", "r", "l"]
  )

export const formatSummary = (s: RunSummary, how: string): string => {
  const cost = s.cost === null ? (s.unpriced > 0 ? "unpriced" : formatCost(0)) : `${formatCost(s.cost)}${s.unpriced > 0 ? " + unpriced" : ""}`
  return `${s.tasks} task(s): ${s.ok} ok, ${s.failed} failed, ${s.skipped} skipped · ${formatTokens(s.tokens)} tokens · ${cost} · ${formatDuration(s.wallMs)} · ${how}`
}
