import { hasOutcome, type TrackedEvent } from "./events"
import { totalTokens } from "../../domain/execution"

/** Periods `omcm stats` and the MetricsCollector report on: rolling windows ending now. */
export const PERIODS = ["minute", "hour", "day", "week", "month"] as const
export type Period = typeof PERIODS[number]

/** Windows the in-memory RealtimeTracker emits stats for. */
export const WINDOWS = ["minute", "hour", "day"] as const
export type WindowPeriod = typeof WINDOWS[number]

export const periodMs: Readonly<Record<Period, number>> = {
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 604_800_000,
  /** 30 days */
  month: 2_592_000_000
}

/**
 * The seed's stats shape for one window, plus counts that make the rates readable. Routing counts are routing
 * decisions; performance, cache, tokens and cost come from events that carry an outcome (calls). A rate with
 * nothing to measure is null, never 0.
 */
export interface TrackerStats {
  readonly period: WindowPeriod
  readonly since: number
  readonly until: number
  readonly routing: {
    readonly total: number
    readonly byProvider: Readonly<Record<string, number>>
    readonly byAgent: Readonly<Record<string, number>>
  }
  readonly performance: { readonly avgLatency: number | null; readonly successRate: number | null; readonly calls: number }
  readonly cache: { readonly hitRate: number | null }
  readonly tokens: number
  /** priced cost of the outcomes, USD; `unpriced` outcomes are not in it */
  readonly cost: number
  readonly unpriced: number
}

const bump = (counts: Record<string, number>, key: string) => {
  counts[key] = (counts[key] ?? 0) + 1
}

/** Stats of the events with `since < ts <= until` (events may come in any order). */
export const windowStats = (period: WindowPeriod, events: Iterable<TrackedEvent>, until: number): TrackerStats => {
  const since = until - periodMs[period]
  const byProvider: Record<string, number> = {}
  const byAgent: Record<string, number> = {}
  let routed = 0, calls = 0, ok = 0, hits = 0, latency = 0, tokens = 0, cost = 0, unpriced = 0
  for (const e of events) {
    if (e.ts <= since || e.ts > until) continue
    if (e.kind === "routing") {
      routed++
      bump(byProvider, e.provider ?? "unknown")
      bump(byAgent, e.agent ?? "unknown")
    }
    if (!hasOutcome(e)) continue
    calls++
    if (e.success !== false) ok++
    if (e.cacheHit === true) hits++
    latency += e.durationMs ?? 0
    tokens += totalTokens({
      input: e.inputTokens ?? 0,
      output: e.outputTokens ?? 0,
      reasoning: e.reasoningTokens ?? 0,
      cacheRead: e.cacheRead ?? 0,
      cacheWrite: e.cacheWrite ?? 0
    })
    if (e.cost === null || e.cost === undefined) unpriced++
    else cost += e.cost
  }
  return {
    period,
    since,
    until,
    routing: { total: routed, byProvider, byAgent },
    performance: { avgLatency: calls === 0 ? null : latency / calls, successRate: calls === 0 ? null : ok / calls, calls },
    cache: { hitRate: calls === 0 ? null : hits / calls },
    tokens,
    cost,
    unpriced
  }
}
