import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { StateError } from "../../domain/errors"
import type { StoredEvent } from "./events"
import { type Period, periodMs } from "./windows"
import { addTotals, tokensOf, type Totals, zeroTotals } from "./totals"
import { type ClaudeSamples, claudeSamples, type Counterfactual, counterfactualOf } from "./counterfactual"
import { type Dimension, type FailoverSummary, type Percentiles, type RedactionCount, type SummaryRow, TrackerStore } from "./TrackerStore"

/** The seed's `getMetrics(period)`, per provider. A cost of null means every call of that provider is unpriced. */
export interface Metrics {
  readonly period: Period
  readonly since: number
  readonly until: number
  /** routing decisions per provider */
  readonly routingCounts: Readonly<Record<string, number>>
  /** mean call latency (ms) per provider; null with no calls */
  readonly avgLatencies: Readonly<Record<string, number | null>>
  /** USD per provider of the priced calls; null when none is priced */
  readonly costs: Readonly<Record<string, number | null>>
  /** calls per provider whose model is not in the price table */
  readonly unpriced: Readonly<Record<string, number>>
  readonly totalCost: number
  readonly totalUnpriced: number
}

/** The seed's `getProviderStats(provider)` over a period. */
export interface ProviderStats {
  readonly provider: string
  readonly period: Period
  readonly routed: number
  readonly requestCount: number
  readonly errorCount: number
  readonly avgLatency: number | null
  readonly totalTokens: number
  /** null when every call is unpriced (or there are none with a price and some without) */
  readonly estimatedCost: number | null
  readonly unpricedCount: number
}

/** One line of the `omcm stats` tables. */
export interface StatsRow {
  readonly name: string
  readonly routed: number
  readonly calls: number
  readonly errors: number
  readonly p50: number | null
  readonly p95: number | null
  /** false when the percentiles come from compacted minutes' histograms */
  readonly exactLatency: boolean
  readonly tokens: number
  readonly cost: number | null
  readonly unpriced: number
}

/**
 * What routing saved: successful OpenCode calls only (a failed delegation saves nothing), their cost on the
 * provider and what the same tokens would have cost on the Claude model of their tier.
 */
export interface Savings {
  readonly tokens: number
  readonly calls: number
  readonly failedCalls: number
  readonly providers: ReadonlyArray<string>
  readonly cost: number
  readonly unpriced: number
  readonly claudeCost: number
  readonly claudeUnpriced: number
  /** sub-agent tokens that stayed on Claude (recorded by the hooks) */
  readonly claudeTokens: number
  /** the delegated work's estimated Claude tokens / (those + claudeTokens); null when both are 0 */
  readonly share: number | null
  /**
   * What the delegated calls would have cost on Claude, estimated from recorded Claude runs of the same agent or
   * tier (else from their own tokens), with the method and the number of runs behind it. `claudeCost` above is the
   * own-tokens figure.
   */
  readonly counterfactual: Counterfactual
}

export interface StatsReport {
  readonly period: Period
  readonly since: number
  readonly until: number
  readonly providers: ReadonlyArray<StatsRow>
  readonly agents: ReadonlyArray<StatsRow>
  readonly savings: Savings
  /** secrets replaced by placeholders before delegated calls left the machine, by kind */
  readonly redactions: ReadonlyArray<RedactionCount>
  /** calls that moved from one OpenCode candidate to another (or ran out of them), the newest few in detail */
  readonly failovers: FailoverSummary
}

/** What `omcm stats --by` groups by: a model is `provider/model`, a day is a UTC date */
export const BREAKDOWNS = ["model", "agent", "session", "day"] as const
export type Breakdown = typeof BREAKDOWNS[number]

export interface BreakdownReport {
  readonly period: Period
  readonly since: number
  readonly until: number
  readonly by: Breakdown
  readonly rows: ReadonlyArray<StatsRow>
}

export interface SessionSummary {
  /** routing decisions of the session that went to OpenCode */
  readonly routedToOpencode: number
  readonly savings: Savings
}

/**
 * Where the newest routed sub-agent call of a session ran. A decision for OpenCode whose delegation failed ran on
 * Claude (the hook let it through): `fellBack`. `running`: the delegation has not finished yet.
 */
export interface LastExecutor {
  readonly agent: string | null
  readonly ran: "claude" | "opencode" | "running"
  readonly fellBack: boolean
  /** the provider and model that ran it (Claude's for a call that stayed or fell back) */
  readonly provider: string | null
  readonly model: string | null
  /** the session mode the decision was made in */
  readonly mode: string | null
}

/** The decision `routing` and, for OpenCode, the call that carried it out. */
export const lastExecutorOf = (routing: StoredEvent, call: Option.Option<StoredEvent>): LastExecutor => {
  const base = { agent: routing.agent ?? null, mode: routing.mode ?? null }
  if (routing.target !== "opencode") {
    return { ...base, ran: "claude", fellBack: false, provider: routing.provider ?? null, model: routing.model ?? null }
  }
  if (Option.isNone(call)) {
    return { ...base, ran: "running", fellBack: false, provider: routing.provider ?? null, model: routing.model ?? null }
  }
  return call.value.success === false
    ? { ...base, ran: "claude", fellBack: true, provider: null, model: null }
    : { ...base, ran: "opencode", fellBack: false, provider: call.value.provider ?? null, model: call.value.model ?? null }
}

export interface MetricsCollectorShape {
  readonly getMetrics: (period: Period) => Effect.Effect<Metrics, StateError>
  readonly getProviderStats: (provider: string, period?: Period) => Effect.Effect<ProviderStats, StateError>
  readonly getSavings: (period: Period) => Effect.Effect<Savings, StateError>
  /** what routing saved since `since` (epoch ms): the current 5-hour window's share */
  readonly getSavingsSince: (since: number) => Effect.Effect<Savings, StateError>
  readonly getReport: (period: Period) => Effect.Effect<StatsReport, StateError>
  /** one row per model, agent, session or day of the period */
  readonly getBreakdown: (period: Period, by: Breakdown) => Effect.Effect<BreakdownReport, StateError>
  readonly sessionSummary: (sessionId: string) => Effect.Effect<SessionSummary, StateError>
  /** the newest routing decision, of one Claude Code session or of any */
  readonly lastRouting: (sessionId: string | undefined) => Effect.Effect<Option.Option<StoredEvent>, StateError>
  /** where the newest routed call of one session (or of any) ran: none before the first decision */
  readonly lastExecutor: (sessionId: string | undefined) => Effect.Effect<Option.Option<LastExecutor>, StateError>
}

const costOf = (t: Totals): number | null => (t.calls > 0 && t.unpriced === t.calls ? null : t.cost)

const SAVINGS_DIMS: ReadonlyArray<Dimension> = ["kind", "target", "source", "provider", "success", "agent", "tier"]
/** what Claude sub-agent runs are told apart by, for the counterfactual */
const SAMPLE_DIMS: ReadonlyArray<Dimension> = ["kind", "target", "source", "success", "agent", "tier"]

/** `rows` grouped by SAVINGS_DIMS; `samples`: the recorded Claude runs the counterfactual is estimated from */
export const savingsOf = (rows: ReadonlyArray<SummaryRow>, samples: ClaudeSamples = claudeSamples([])): Savings => {
  let saved = zeroTotals
  let failedCalls = 0
  let claudeTokens = 0
  const providers = new Set<string>()
  const delegated: Array<SummaryRow> = []
  for (const row of rows) {
    const { key, totals } = row
    if (key.kind !== "call" || key.source === "handoff") continue
    if (key.target === "opencode" && key.success === "1") {
      saved = addTotals(saved, totals)
      delegated.push(row)
      if (totals.calls > 0) providers.add(key.provider ?? "")
    } else if (key.target === "opencode") failedCalls += totals.calls
    else if (key.target === "claude" && key.source === "claude-subagent") claudeTokens += tokensOf(totals)
  }
  const tokens = tokensOf(saved)
  const counterfactual = counterfactualOf(delegated, samples)
  const moved = counterfactual.claudeTokens
  return {
    tokens,
    calls: saved.calls,
    failedCalls,
    providers: [...providers].sort(),
    cost: saved.cost,
    unpriced: saved.unpriced,
    claudeCost: saved.claudeCost,
    claudeUnpriced: saved.claudeUnpriced,
    claudeTokens,
    share: moved + claudeTokens === 0 ? null : moved / (moved + claudeTokens),
    counterfactual
  }
}

/** Sum rows grouped by several dimensions into one row per value of `dim`. */
const regroup = (rows: ReadonlyArray<SummaryRow>, dim: Dimension): ReadonlyArray<SummaryRow> => {
  const byValue = new Map<string, Totals>()
  for (const { key, totals } of rows) {
    const value = key[dim] ?? ""
    byValue.set(value, addTotals(byValue.get(value) ?? zeroTotals, totals))
  }
  return [...byValue].map(([value, totals]) => ({ key: { [dim]: value }, totals }))
}

const statsRows = (rows: ReadonlyArray<SummaryRow>, dim: Dimension, latency: ReadonlyMap<string, Percentiles>): Array<StatsRow> =>
  rows
    .map(({ key, totals }): StatsRow => {
      const name = key[dim] ?? ""
      const p = latency.get(name)
      return {
        name: name.length === 0 ? "(none)" : name,
        routed: totals.routed,
        calls: totals.calls,
        errors: totals.errors,
        p50: p?.p50 ?? null,
        p95: p?.p95 ?? null,
        exactLatency: p?.exact ?? true,
        tokens: tokensOf(totals),
        cost: costOf(totals),
        unpriced: totals.unpriced
      }
    })
    .filter((r) => r.routed > 0 || r.calls > 0)
    .sort((a, b) => b.calls - a.calls || b.routed - a.routed || a.name.localeCompare(b.name))

export class MetricsCollector extends Context.Tag("omcm/MetricsCollector")<MetricsCollector, MetricsCollectorShape>() {
  static readonly layerWithoutDependencies = Layer.effect(
    MetricsCollector,
    Effect.map(TrackerStore, (store): MetricsCollectorShape => {
      const window = (period: Period) =>
        Effect.map(Clock.currentTimeMillis, (until) => ({ since: until - periodMs[period], until }))

      const getMetrics = (period: Period) =>
        Effect.gen(function*() {
          const { since, until } = yield* window(period)
          const rows = yield* store.summarize({ since, dims: ["provider"] })
          const routingCounts: Record<string, number> = {}
          const avgLatencies: Record<string, number | null> = {}
          const costs: Record<string, number | null> = {}
          const unpriced: Record<string, number> = {}
          let totalCost = 0
          let totalUnpriced = 0
          for (const { key, totals } of rows) {
            const provider = key.provider ?? ""
            routingCounts[provider] = totals.routed
            avgLatencies[provider] = totals.calls === 0 ? null : totals.durationMs / totals.calls
            costs[provider] = costOf(totals)
            unpriced[provider] = totals.unpriced
            totalCost += totals.cost
            totalUnpriced += totals.unpriced
          }
          return { period, since, until, routingCounts, avgLatencies, costs, unpriced, totalCost, totalUnpriced }
        })

      const getProviderStats = (provider: string, period: Period = "day") =>
        Effect.gen(function*() {
          const { since } = yield* window(period)
          const rows = yield* store.summarize({ since, dims: ["provider"] })
          const t = rows.find((r) => r.key.provider === provider)?.totals ?? zeroTotals
          return {
            provider,
            period,
            routed: t.routed,
            requestCount: t.calls,
            errorCount: t.errors,
            avgLatency: t.calls === 0 ? null : t.durationMs / t.calls,
            totalTokens: tokensOf(t),
            estimatedCost: costOf(t),
            unpricedCount: t.unpriced
          }
        })

      /** every recorded Claude sub-agent run, whatever the period: the more runs, the better the estimate */
      const samples = Effect.map(store.summarize({ since: 0, dims: SAMPLE_DIMS }), claudeSamples)

      const getSavingsSince = (since: number) => Effect.zipWith(store.summarize({ since, dims: SAVINGS_DIMS }), samples, savingsOf)

      const getSavings = (period: Period) => Effect.flatMap(window(period), ({ since }) => getSavingsSince(since))

      const getReport = (period: Period) =>
        Effect.gen(function*() {
          const { since, until } = yield* window(period)
          // one scan for both tables and the savings, one for the percentiles
          const [rows, latency, redactions, runs, failovers] = yield* Effect.all([
            store.summarize({ since, dims: SAVINGS_DIMS }),
            store.percentiles(since, ["provider", "agent"]),
            store.redactions(since),
            samples,
            store.failovers(since, 3)
          ])
          const none = new Map<string, Percentiles>()
          return {
            period,
            since,
            until,
            providers: statsRows(regroup(rows, "provider"), "provider", latency.get("provider") ?? none),
            agents: statsRows(regroup(rows, "agent"), "agent", latency.get("agent") ?? none),
            savings: savingsOf(rows, runs),
            redactions,
            failovers
          }
        })

      const getBreakdown = (period: Period, by: Breakdown) =>
        Effect.gen(function*() {
          const { since, until } = yield* window(period)
          const dims: ReadonlyArray<Dimension> = by === "model" ? ["provider", "model"] : [by]
          const [rows, latency] = yield* Effect.all([store.summarize({ since, dims }), store.percentiles(since, [by])])
          // a model's name is its whole id; its latency is that of its model part
          const nameOf = (key: SummaryRow["key"]) => by === "model" ? (key.model ? `${key.provider}/${key.model}` : "") : key[by] ?? ""
          const named = rows.map(({ key, totals }) => ({ key: { [by]: nameOf(key) }, totals }))
          const byWhole = new Map<string, Percentiles>()
          for (const { key } of rows) {
            const p = latency.get(by)?.get(key[by] ?? "")
            if (p !== undefined) byWhole.set(nameOf(key), p)
          }
          const sorted = statsRows(named, by, byWhole)
          return { period, since, until, by, rows: by === "day" ? [...sorted].sort((a, b) => a.name.localeCompare(b.name)) : sorted }
        })

      const sessionSummary = (sessionId: string) =>
        Effect.zipWith(store.summarize({ since: 0, dims: SAVINGS_DIMS, sessionId }), samples, (rows, runs) => ({
          routedToOpencode: rows.filter((r) => r.key.kind === "routing" && r.key.target === "opencode")
            .reduce((n, r) => n + r.totals.routed, 0),
          savings: savingsOf(rows, runs)
        }))

      const lastExecutor = (sessionId: string | undefined) =>
        Effect.flatMap(store.lastRouting(sessionId), Option.match({
          onNone: () => Effect.succeed(Option.none<LastExecutor>()),
          onSome: (routing) =>
            Effect.map(
              routing.target === "opencode" ? store.delegatedCall(routing) : Effect.succeed(Option.none<StoredEvent>()),
              (call) => Option.some(lastExecutorOf(routing, call))
            )
        }))

      return { getMetrics, getProviderStats, getSavings, getSavingsSince, getReport, getBreakdown, sessionSummary, lastRouting: store.lastRouting, lastExecutor }
    })
  )

  static readonly layer = MetricsCollector.layerWithoutDependencies.pipe(Layer.provide(TrackerStore.layer))
}
