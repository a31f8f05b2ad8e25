import { type BreakdownReport, describeEstimate, type Period, type TrackerStats, type Savings, type StatsReport, type StatsRow } from "../services/tracker"
import { formatCostCell as formatCost, formatMs, formatTokens, formatUsd } from "../lib/format"
import { renderTable } from "../lib/table"

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`


const latency = (ms: number | null, exact: boolean) => (ms === null ? "-" : `${exact ? "" : "~"}${formatMs(ms)}`)

const table = (title: string, rows: ReadonlyArray<StatsRow>): string =>
  renderTable(
    [title, "routed", "calls", "errors", "p50", "p95", "tokens", "cost"],
    rows.length === 0
      ? [["(no events)", "", "", "", "", "", "", ""]]
      : rows.map((r) => [
        r.name,
        String(r.routed),
        String(r.calls),
        String(r.errors),
        latency(r.p50, r.exactLatency),
        latency(r.p95, r.exactLatency),
        formatTokens(r.tokens),
        r.calls === 0 ? "-" : formatCost(r.cost, r.unpriced)
      ])
  )

const inThe = (period: Period) => `in the last ${period}`

/**
 * `Saved 48.2k Claude tokens in the last day, estimated from 12 recorded Claude runs of the same agent: $0.21 on
 * openai/google instead of $1.37 on Claude (62% of sub-agent tokens)`: the Claude side is the counterfactual, and
 * the line says how it was estimated and from how many runs.
 */
export const savingsLine = (s: Savings, period: Period): string => {
  const failed = s.failedCalls > 0 ? `; ${plural(s.failedCalls, "failed delegation")} saved nothing` : ""
  if (s.calls === 0) {
    return s.failedCalls > 0 ? `No Claude tokens saved ${inThe(period)}${failed}.` : `No work moved off Claude ${inThe(period)}.`
  }
  const c = s.counterfactual
  const spent = s.unpriced > 0 ? `${formatUsd(s.cost)} (+${plural(s.unpriced, "unpriced call")})` : formatUsd(s.cost)
  const claude = c.claudeUnpriced > 0 ? `${formatUsd(c.claudeCost)} (+${c.claudeUnpriced} unpriced)` : formatUsd(c.claudeCost)
  const share = s.share === null ? "" : ` (${Math.round(s.share * 100)}% of sub-agent tokens)`
  return `Saved ${formatTokens(c.claudeTokens)} Claude tokens ${inThe(period)}, ${describeEstimate(c)}: ${spent} on ${s.providers.join("/")} instead of ${claude} on Claude${share}${failed}`
}

const stamp = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace("T", " ")

export const formatReport = (report: StatsReport): string =>
  [
    `omcm stats · last ${report.period} (since ${stamp(report.since)} UTC)`,
    "",
    table("provider", report.providers),
    "",
    table("agent", report.agents),
    "",
    savingsLine(report.savings, report.period),
    ...(report.redactions.length === 0 ? [] : [redactionLine(report.redactions)]),
    ...failoverLines(report.failovers)
  ].join("\n")

/** `openai/gpt-6-sol: rate limited -> google/gemini-3.1-pro-preview answered` */
const failoverLines = ({ count, recent }: StatsReport["failovers"]): ReadonlyArray<string> =>
  count === 0 ? [] : [
    `${plural(count, "call")} failed over to another OpenCode candidate${recent.length < count ? ` (newest ${recent.length}):` : ":"}`,
    ...recent.map((e) => {
      const tried = (e.failovers ?? []).map((f) => `${f.id}: ${f.error}`).join(" -> ")
      const end = e.success ? `${e.provider}/${e.model} answered` : "none answered, ran on Claude"
      return `  ${new Date(e.ts).toISOString().slice(0, 16).replace("T", " ")} ${e.agent ?? "-"}  ${tried} -> ${end}`
    })
  ]

const redactionLine = (found: StatsReport["redactions"]): string => {
  const total = found.reduce((n, r) => n + r.count, 0)
  return `${plural(total, "secret")} redacted before delegated calls left the machine (${found.map((r) => `${r.kind} ${r.count}`).join(", ")})`
}

const rate = (r: number | null) => (r === null ? "-" : `${Math.round(r * 100)}%`)

/** The live line of `omcm stats --watch`, from the tracker's stats stream. */
export const liveLine = (s: TrackerStats): string =>
  `live, last ${s.period}: ${plural(s.routing.total, "routing")} · ${plural(s.performance.calls, "call")} · avg ${
    s.performance.avgLatency === null ? "-" : formatMs(s.performance.avgLatency)
  } · ${rate(s.performance.successRate)} ok · cache hits ${rate(s.cache.hitRate)}`

/** `omcm stats --by model|agent|session|day`: one table, a row per value */
export const formatBreakdown = (report: BreakdownReport): string =>
  [
    `omcm stats · last ${report.period} (since ${stamp(report.since)} UTC) · by ${report.by}`,
    "",
    table(report.by, report.rows)
  ].join("\n")

const csvField = (value: string | number | null): string => {
  const text = value === null ? "" : String(value)
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

const CSV_COLUMNS = ["routed", "calls", "errors", "p50_ms", "p95_ms", "tokens", "cost_usd", "unpriced"]

const csvRow = (leading: ReadonlyArray<string>, r: StatsRow) =>
  [...leading, r.name, r.routed, r.calls, r.errors, r.p50, r.p95, r.tokens, r.cost, r.unpriced].map(csvField).join(",")

/** CSV of the default report: a `group` column (provider or agent) before each row; empty cells are unknown or unpriced */
export const reportCsv = (report: StatsReport): string =>
  [
    ["group", "name", ...CSV_COLUMNS].join(","),
    ...report.providers.map((r) => csvRow(["provider"], r)),
    ...report.agents.map((r) => csvRow(["agent"], r))
  ].join("\n")

export const breakdownCsv = (report: BreakdownReport): string =>
  [[report.by, ...CSV_COLUMNS].join(","), ...report.rows.map((r) => csvRow([], r))].join("\n")
