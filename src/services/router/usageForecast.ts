import type { Usage } from "../../domain/model"

/** One reading of a usage window: when, how full (percent), and when it resets (epoch ms, if known). */
export interface UsageSample {
  readonly ts: number
  readonly percent: number
  readonly resetsAt: number | null
}

export interface Forecast {
  /** percentage points per hour over the current window's readings */
  readonly ratePerHour: number
  /** when `threshold` is reached at this rate; null when usage is not rising */
  readonly crossesAt: number | null
  /** the crossing comes before the window resets (the reset unknown: false) */
  readonly beforeReset: boolean
  readonly threshold: number
}

/** readings closer together than this say little about a rate */
const MIN_SPAN_MS = 5 * 60_000

/**
 * The burn rate of one window from its readings (oldest first): a least-squares line through the readings of the
 * current window (those after the last drop, which is a reset), and when it reaches `threshold` percent. Null with
 * too little to go on (fewer than two readings, or under five minutes of them).
 */
export const forecastWindow = (samples: ReadonlyArray<UsageSample>, now: number, threshold = 90): Forecast | null => {
  let start = 0
  for (let i = 1; i < samples.length; i++) if (samples[i]!.percent < samples[i - 1]!.percent) start = i
  const current = samples.slice(start)
  if (current.length < 2) return null
  const first = current[0]!
  const last = current[current.length - 1]!
  if (last.ts - first.ts < MIN_SPAN_MS) return null
  const n = current.length
  const meanT = current.reduce((a, s) => a + s.ts, 0) / n
  const meanP = current.reduce((a, s) => a + s.percent, 0) / n
  let cov = 0, varT = 0
  for (const s of current) {
    cov += (s.ts - meanT) * (s.percent - meanP)
    varT += (s.ts - meanT) ** 2
  }
  const perMs = varT === 0 ? 0 : cov / varT
  const ratePerHour = perMs * 3_600_000
  if (last.percent >= threshold) return { ratePerHour, crossesAt: last.ts, beforeReset: true, threshold }
  if (perMs <= 0) return { ratePerHour, crossesAt: null, beforeReset: false, threshold }
  const crossesAt = Math.max(now, last.ts + (threshold - last.percent) / perMs)
  return { ratePerHour, crossesAt, beforeReset: last.resetsAt !== null && crossesAt < last.resetsAt, threshold }
}

/**
 * `routing.pacing`: the 5-hour window counted as full as its burn rate makes it by its reset, so ulw moves work
 * before the wall instead of at it (any threshold projected to be crossed before the reset counts as crossed).
 * Unchanged without a rising forecast or a known reset. `projected`: that figure, when it is higher than now.
 */
export const pacedUsage = (
  usage: Usage,
  samples: ReadonlyArray<UsageSample>,
  now: number
): { readonly usage: Usage; readonly projected: number | null } => {
  const f = forecastWindow(samples, now, 100)
  const last = samples[samples.length - 1]
  if (f === null || f.ratePerHour <= 0 || last === undefined || last.resetsAt === null || usage.fiveHour === null) return { usage, projected: null }
  const projected = Math.min(100, usage.fiveHour + (f.ratePerHour * Math.max(0, last.resetsAt - now)) / 3_600_000)
  if (projected <= usage.percent) return { usage, projected: null }
  return { usage: { ...usage, fiveHour: projected, percent: Math.max(usage.percent, projected) }, projected }
}
