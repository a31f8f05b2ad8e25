import * as Schema from "effect/Schema"
import type { OmcmConfig } from "../../domain/configSchema"
import type { Usage } from "../../domain/model"
import { type Forecast, sparedMethod, sparedText, type UsageSample, type WindowSpared } from "../../services/router"
import { PoolStatus } from "../../services/pool"
import { describeEstimate, shortEstimate, type StatsReport, type StoredEvent, type TrackerStats } from "../../services/tracker"
import { savingsLine } from "../statsFormat"

/** What the charts span: the last hour by minute, or the last day by half hour */
export const RANGES = ["hour", "day"] as const
export const Range = Schema.Literal(...RANGES)
export type Range = typeof Range.Type

const RANGE_MS: Readonly<Record<Range, number>> = { hour: 3_600_000, day: 86_400_000 }
export const BUCKET_MS: Readonly<Record<Range, number>> = { hour: 60_000, day: 1_800_000 }

/** the newest delegations the page lists */
export const DELEGATIONS_SHOWN = 25

const Nullable = <S extends Schema.Schema.Any>(s: S) => Schema.NullOr(s)

const NamedSeries = Schema.Struct({ name: Schema.String, values: Schema.Array(Schema.Number) })

export const Timeline = Schema.Struct({
  range: Range,
  bucketMs: Schema.Number,
  /** the start of each bucket (epoch ms), oldest first; the last one holds now */
  buckets: Schema.Array(Schema.Number),
  callsByProvider: Schema.Array(NamedSeries),
  callsByAgent: Schema.Array(NamedSeries),
  tokens: Schema.Array(Schema.Number),
  /** USD of the priced calls */
  cost: Schema.Array(Schema.Number),
  /** USD saved by successful OpenCode calls: their own tokens at their tier's Claude price, less what they cost */
  saved: Schema.Array(Schema.Number)
})
export type Timeline = typeof Timeline.Type

const StatsRow = Schema.Struct({
  name: Schema.String,
  routed: Schema.Number,
  calls: Schema.Number,
  errors: Schema.Number,
  p50: Nullable(Schema.Number),
  p95: Nullable(Schema.Number),
  tokens: Schema.Number,
  cost: Nullable(Schema.Number),
  unpriced: Schema.Number
})

export const SavingsView = Schema.Struct({
  /** the line `omcm stats` prints */
  line: Schema.String,
  /** how the Claude side was estimated, in words (`estimated from 3 recorded Claude runs of the same agent`) */
  method: Schema.String,
  /** the same, short (`from 3 Claude runs`) */
  methodShort: Schema.String,
  calls: Schema.Number,
  failedCalls: Schema.Number,
  claudeTokens: Schema.Number,
  /** USD spent on the providers */
  cost: Schema.Number,
  /** USD the same work is estimated to have cost on Claude (the counterfactual) */
  claudeCost: Schema.Number,
  share: Nullable(Schema.Number)
})

export const Delegation = Schema.Struct({
  id: Schema.Number,
  ts: Schema.Number,
  agent: Nullable(Schema.String),
  tier: Nullable(Schema.String),
  /** the candidate asked first */
  requestedModel: Schema.String,
  /** the model that answered (or the last one tried, for a failure) */
  model: Schema.String,
  durationMs: Schema.Number,
  /** the size of the answer: its output tokens (reasoning included) */
  resultTokens: Schema.Number,
  success: Schema.Boolean,
  error: Nullable(Schema.String),
  failovers: Schema.Array(Schema.Struct({ id: Schema.String, error: Schema.String }))
})
export type Delegation = typeof Delegation.Type

const Threshold = Schema.Struct({ name: Schema.String, percent: Schema.Number, meaning: Schema.String })

const ForecastView = Schema.Struct({
  ratePerHour: Schema.Number,
  crossesAt: Nullable(Schema.Number),
  beforeReset: Schema.Boolean,
  threshold: Schema.Number
})

export const UsageView = Schema.Struct({
  /** max(5-hour, weekly); null when unknown */
  percent: Nullable(Schema.Number),
  source: Schema.String,
  fiveHour: Nullable(Schema.Number),
  weekly: Nullable(Schema.Number),
  /** when the 5-hour window resets, if known */
  resetsAt: Nullable(Schema.Number),
  /** readings of the 5-hour window the statusline was given, oldest first */
  samples: Schema.Array(Schema.Struct({ ts: Schema.Number, percent: Schema.Number })),
  forecast: Nullable(ForecastView),
  thresholds: Schema.Array(Threshold),
  /** the weekly window: its readings of the last week and its forecast */
  weekWindow: Schema.Struct({
    samples: Schema.Array(Schema.Struct({ ts: Schema.Number, percent: Schema.Number })),
    forecast: Nullable(ForecastView)
  }),
  /** the share of the 5-hour window the delegated work spared, and how it was measured; null when it cannot be told */
  spared: Nullable(Schema.Struct({ points: Schema.Number, text: Schema.String, method: Schema.String }))
})
export type UsageView = typeof UsageView.Type

export const PoolView = Schema.Struct({
  state: Schema.Literal("running", "not running", "unreachable"),
  pid: Nullable(Schema.Number),
  apiPort: Nullable(Schema.Number),
  error: Nullable(Schema.String),
  status: Nullable(PoolStatus)
})
export type PoolView = typeof PoolView.Type

const Cooldown = Schema.Struct({ target: Schema.String, until: Schema.Number, reason: Schema.String })

export const BalancerView = Schema.Struct({
  strategy: Schema.String,
  coolingDown: Schema.Array(Cooldown),
  /** each tier's OpenCode candidates in order, with the cooldown that holds one back */
  candidates: Schema.Array(Schema.Struct({
    tier: Schema.String,
    ids: Schema.Array(Schema.Struct({ id: Schema.String, cooling: Nullable(Cooldown) }))
  })),
  /** where the candidates were resolved: the OpenCode catalog's date, or null for the configured ids */
  catalogFetchedAt: Nullable(Schema.String),
  /** each provider's calls and failures in the last minute */
  recentCalls: Schema.Array(Schema.Struct({ provider: Schema.String, calls: Schema.Number, failed: Schema.Number }))
})
export type BalancerView = typeof BalancerView.Type

const LiveWindow = Schema.Struct({
  routed: Schema.Number,
  calls: Schema.Number,
  avgLatency: Nullable(Schema.Number),
  successRate: Nullable(Schema.Number)
})

/** Everything the page shows, pushed whole on every update. */
export const DashboardSnapshot = Schema.Struct({
  generatedAt: Schema.Number,
  /** the period of the tables and the savings */
  period: Schema.String,
  /** the newest event the snapshot saw (0: none) */
  lastEventId: Schema.Number,
  live: LiveWindow,
  timeline: Timeline,
  providers: Schema.Array(StatsRow),
  agents: Schema.Array(StatsRow),
  savings: SavingsView,
  delegations: Schema.Array(Delegation),
  usage: UsageView,
  pool: PoolView,
  /** null when the balancer's state cannot be read */
  balancer: Nullable(BalancerView)
})
export type DashboardSnapshot = typeof DashboardSnapshot.Type

export interface UsageInput {
  readonly current: Usage
  /** when the 5-hour window resets, from the statusline's cache */
  readonly resetsAt: number | null
  readonly samples: ReadonlyArray<UsageSample>
  readonly forecast: Forecast | null
  readonly spared: WindowSpared | null
  /** the weekly window's readings of the last week and its forecast */
  readonly weekWindow: { readonly samples: ReadonlyArray<UsageSample>; readonly forecast: Forecast | null }
}

export interface SnapshotInput {
  readonly now: number
  readonly range: Range
  /** the newest events (the RealtimeTracker's ring buffer), any order */
  readonly events: ReadonlyArray<StoredEvent>
  readonly report: StatsReport
  readonly live: TrackerStats
  readonly routing: OmcmConfig["routing"]
  readonly usage: UsageInput
  readonly pool: PoolView
  readonly balancer: BalancerView | null
}

const isOutcome = (e: StoredEvent) => e.kind === "call" || e.outcome === true
const isDelegation = (e: StoredEvent) => e.kind === "call" && e.target === "opencode"
const tokensOf = (e: StoredEvent) =>
  (e.inputTokens ?? 0) + (e.outputTokens ?? 0) + (e.reasoningTokens ?? 0) + (e.cacheRead ?? 0) + (e.cacheWrite ?? 0)
const modelId = (e: StoredEvent) => (e.model ? `${e.provider ?? "?"}/${e.model}` : e.provider ?? "?")

/** one series per name, most events first */
const seriesOf = (counts: Map<string, Array<number>>) =>
  [...counts]
    .map(([name, values]) => ({ name, values, total: values.reduce((a, b) => a + b, 0) }))
    .sort((a, b) => b.total - a.total || a.name.localeCompare(b.name))
    .map(({ name, values }) => ({ name, values }))

/** Calls per provider and per agent, tokens, cost and savings of the range ending at `now`, bucket by bucket. */
export const timelineOf = (events: ReadonlyArray<StoredEvent>, range: Range, now: number): Timeline => {
  const bucketMs = BUCKET_MS[range]
  const last = Math.floor(now / bucketMs) * bucketMs
  const count = RANGE_MS[range] / bucketMs
  const first = last - (count - 1) * bucketMs
  const buckets = Array.from({ length: count }, (_, i) => first + i * bucketMs)
  const zeros = () => new Array<number>(count).fill(0)
  const byProvider = new Map<string, Array<number>>()
  const byAgent = new Map<string, Array<number>>()
  const tokens = zeros(), cost = zeros(), saved = zeros()
  const bump = (map: Map<string, Array<number>>, key: string, i: number) => {
    const values = map.get(key) ?? zeros()
    values[i]! += 1
    map.set(key, values)
  }
  for (const e of events) {
    if (!isOutcome(e) || e.ts < first || e.ts > now) continue
    const i = Math.min(count - 1, Math.floor((e.ts - first) / bucketMs))
    bump(byProvider, e.provider ?? "unknown", i)
    bump(byAgent, e.agent ?? "(none)", i)
    tokens[i]! += tokensOf(e)
    cost[i]! += e.cost ?? 0
    if (isDelegation(e) && e.success !== false && typeof e.claudeCost === "number" && typeof e.cost === "number") {
      saved[i]! += e.claudeCost - e.cost
    }
  }
  return { range, bucketMs, buckets, callsByProvider: seriesOf(byProvider), callsByAgent: seriesOf(byAgent), tokens, cost, saved }
}

/** The newest delegated calls (OpenCode), newest first. */
export const delegationsOf = (events: ReadonlyArray<StoredEvent>, limit = DELEGATIONS_SHOWN): ReadonlyArray<Delegation> =>
  events
    .filter(isDelegation)
    .sort((a, b) => b.ts - a.ts || b.id - a.id)
    .slice(0, limit)
    .map((e) => ({
      id: e.id,
      ts: e.ts,
      agent: e.agent ?? null,
      tier: e.tier ?? null,
      requestedModel: e.requestedModel ?? e.failovers?.[0]?.id ?? modelId(e),
      model: modelId(e),
      durationMs: e.durationMs ?? 0,
      resultTokens: (e.outputTokens ?? 0) + (e.reasoningTokens ?? 0),
      success: e.success !== false,
      error: e.success === false ? (e.error ?? "failed") : null,
      failovers: e.failovers ?? []
    }))

export const savingsOf = (report: StatsReport): typeof SavingsView.Type => {
  const s = report.savings
  return {
    line: savingsLine(s, report.period),
    method: describeEstimate(s.counterfactual),
    methodShort: shortEstimate(s.counterfactual),
    calls: s.calls,
    failedCalls: s.failedCalls,
    claudeTokens: s.counterfactual.claudeTokens,
    cost: s.cost,
    claudeCost: s.counterfactual.claudeCost,
    share: s.share
  }
}

/** the lines of the usage chart: where ulw starts moving work, MEDIUM follows, and the heavy state's hysteresis */
export const thresholdsOf = (routing: OmcmConfig["routing"]): UsageView["thresholds"] => [
  { name: "usageThreshold", percent: routing.usageThreshold, meaning: "ulw moves LOW-tier work to OpenCode" },
  { name: "mediumThreshold", percent: routing.mediumThreshold, meaning: "MEDIUM tier follows" },
  { name: "recoverThreshold", percent: routing.recoverThreshold, meaning: "back to Claude-first below this" },
  { name: "heavyThreshold", percent: routing.heavyThreshold, meaning: "OpenCode-heavy from here" }
]

export const usageOf = (input: UsageInput, routing: OmcmConfig["routing"]): UsageView => ({
  percent: input.current.source === "unknown" ? null : input.current.percent,
  source: input.current.source,
  fiveHour: input.current.fiveHour,
  weekly: input.current.weekly,
  resetsAt: input.resetsAt,
  samples: input.samples.map((s) => ({ ts: s.ts, percent: s.percent })),
  forecast: input.forecast,
  thresholds: thresholdsOf(routing),
  weekWindow: { samples: input.weekWindow.samples.map((s) => ({ ts: s.ts, percent: s.percent })), forecast: input.weekWindow.forecast },
  spared: input.spared === null ? null : { points: input.spared.points, text: sparedText(input.spared), method: sparedMethod(input.spared) }
})

const rowOf = (r: StatsReport["providers"][number]) => ({
  name: r.name,
  routed: r.routed,
  calls: r.calls,
  errors: r.errors,
  p50: r.p50,
  p95: r.p95,
  tokens: r.tokens,
  cost: r.cost,
  unpriced: r.unpriced
})

/** The page's whole state from what the tracker, the usage history, the pool and the balancer say now. */
export const buildSnapshot = (input: SnapshotInput): DashboardSnapshot => ({
  generatedAt: input.now,
  period: input.report.period,
  lastEventId: input.events.reduce((max, e) => Math.max(max, e.id), 0),
  live: {
    routed: input.live.routing.total,
    calls: input.live.performance.calls,
    avgLatency: input.live.performance.avgLatency,
    successRate: input.live.performance.successRate
  },
  timeline: timelineOf(input.events, input.range, input.now),
  providers: input.report.providers.map(rowOf),
  agents: input.report.agents.map(rowOf),
  savings: savingsOf(input.report),
  delegations: delegationsOf(input.events),
  usage: usageOf(input.usage, input.routing),
  pool: input.pool,
  balancer: input.balancer
})

/** the snapshot as the page receives it (JSON text) */
export const encodeSnapshot = Schema.encodeSync(Schema.parseJson(DashboardSnapshot))
