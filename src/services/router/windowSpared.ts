import type { UsageSample } from "./usageForecast"

/** One reading of a Claude Code session's own cost estimate (`cost.total_cost_usd` of the statusline input). */
export interface SessionCostReading {
  readonly sessionId: string
  readonly ts: number
  /** USD at list price, as Claude Code estimates it for the whole session so far */
  readonly usd: number
}

/**
 * How much of the current 5-hour window the delegated work spared, in percentage points of the window. Claude Code
 * gives the window's percentage and each session's list-price cost, not how many dollars a point is worth: that rate
 * is measured over this window (points gained / dollars spent by the sessions that drew a statusline), then applied
 * to the Claude cost the delegated calls would have had (the savings' counterfactual).
 */
export interface WindowSpared {
  /** percentage points of the 5-hour window the delegated calls would have used on Claude */
  readonly points: number
  /** the measured rate */
  readonly pointsPerUsd: number
  /** the Claude spend behind the rate (list price) */
  readonly measuredUsd: number
  /** the window's percentage rise behind the rate */
  readonly measuredPoints: number
  /** what the delegated calls of this window would have cost on Claude */
  readonly savedUsd: number
  /** when the window began (its reset time less five hours) */
  readonly windowStart: number
}

export const FIVE_HOURS_MS = 5 * 3_600_000

/** a rate from less than this says more about noise than about the plan */
const MIN_POINTS = 2
const MIN_USD = 0.5

/** The start of the 5-hour window the newest reading belongs to, if the readings say when it resets. */
export const currentWindowStart = (samples: ReadonlyArray<UsageSample>, now: number): number | null => {
  const last = samples[samples.length - 1]
  if (last === undefined || last.resetsAt === null || last.resetsAt <= now) return null
  return last.resetsAt - FIVE_HOURS_MS
}

/**
 * The Claude spend between the first and the last usage reading of the window: each session's cost increases
 * between two of its own readings inside that span (a session's cost before its first reading is unknown, so it
 * is left out, as is the window's rise before the first usage reading).
 */
const spendBetween = (costs: ReadonlyArray<SessionCostReading>, from: number, to: number): number => {
  const bySession = new Map<string, Array<SessionCostReading>>()
  for (const c of costs) {
    if (c.ts < from || c.ts > to) continue
    const list = bySession.get(c.sessionId) ?? []
    list.push(c)
    bySession.set(c.sessionId, list)
  }
  let usd = 0
  for (const readings of bySession.values()) {
    readings.sort((a, b) => a.ts - b.ts)
    for (let i = 1; i < readings.length; i++) usd += Math.max(0, readings[i]!.usd - readings[i - 1]!.usd)
  }
  return usd
}

/** What a point of the current window is worth, as measured over it. */
export type WindowRate = Omit<WindowSpared, "points" | "savedUsd">

/**
 * The rate of the current window, or null when the readings cannot tell: no reset time, or too little Claude use in
 * this window to measure one (under 2 points or $0.50).
 */
export const windowRate = (input: {
  readonly samples: ReadonlyArray<UsageSample>
  readonly costs: ReadonlyArray<SessionCostReading>
  readonly now: number
}): WindowRate | null => {
  const windowStart = currentWindowStart(input.samples, input.now)
  if (windowStart === null) return null
  const inWindow = input.samples.filter((s) => s.ts >= windowStart)
  const first = inWindow[0]
  const last = inWindow[inWindow.length - 1]
  if (first === undefined || last === undefined) return null
  const measuredPoints = last.percent - first.percent
  const measuredUsd = spendBetween(input.costs, first.ts, last.ts)
  if (measuredPoints < MIN_POINTS || measuredUsd < MIN_USD) return null
  return { pointsPerUsd: measuredPoints / measuredUsd, measuredUsd, measuredPoints, windowStart }
}

/** `savedUsd` of Claude work (the counterfactual of the window's delegated calls) in points of the window */
export const sparedAt = (rate: WindowRate, savedUsd: number): WindowSpared => ({ ...rate, points: savedUsd * rate.pointsPerUsd, savedUsd })

/** The share of the current window spared (`windowRate` applied to `savedUsd`), or null when it cannot be told. */
export const windowSpared = (input: {
  readonly samples: ReadonlyArray<UsageSample>
  readonly costs: ReadonlyArray<SessionCostReading>
  readonly savedUsd: number
  readonly now: number
}): WindowSpared | null => {
  const rate = windowRate(input)
  return rate === null ? null : sparedAt(rate, input.savedUsd)
}

/** `≈9%` (under half a point: `<1%`) */
export const sparedShare = (s: WindowSpared): string => (s.points < 0.5 ? "<1%" : `≈${Math.round(s.points)}%`)

/** `spared ≈9% of 5h` */
export const sparedText = (s: WindowSpared): string => `spared ${sparedShare(s)} of 5h`

/** the method, in words: `at 3.1 points per $ of Claude work measured this window ($4.20, 13 points)` */
export const sparedMethod = (s: WindowSpared): string =>
  `at ${s.pointsPerUsd.toFixed(1)} points per $ of Claude work measured this window ($${s.measuredUsd.toFixed(2)}, ${
    Math.round(s.measuredPoints)
  } points)`
