import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type { StateError } from "../domain/errors"
import { formatUsd } from "../lib/format"
import {
  currentWindowStart,
  FIVE_HOURS_MS,
  makeUsageHistory,
  sparedAt,
  sparedMethod,
  sparedShare,
  type UsageHistory,
  type UsageSample,
  windowRate,
  type WindowSpared
} from "../services/router"
import { Store } from "../services/store"
import { MetricsCollector, type MetricsCollectorShape } from "../services/tracker"

/**
 * The share of the current 5-hour window the delegated calls spared (`samples`: the 5-hour window's readings of the
 * last five hours), or null when the readings cannot tell.
 */
export const windowSparedNow = (
  history: UsageHistory,
  collector: MetricsCollectorShape,
  samples: ReadonlyArray<UsageSample>,
  now: number
): Effect.Effect<WindowSpared | null, StateError> =>
  Effect.gen(function*() {
    const start = currentWindowStart(samples, now)
    if (start === null) return null
    const rate = windowRate({ samples, costs: yield* history.costsSince(start), now })
    // the savings (a scan of the window's events) only when there is a rate to apply them at
    if (rate === null) return null
    return sparedAt(rate, (yield* collector.getSavingsSince(rate.windowStart)).counterfactual.claudeCost)
  })

/** the same, read from the shared database now */
export const currentWindowSpared: Effect.Effect<WindowSpared | null, StateError, Store | MetricsCollector> = Effect.gen(function*() {
  const history = makeUsageHistory(yield* Store)
  const now = yield* Clock.currentTimeMillis
  const samples = yield* history.since("5h", now - FIVE_HOURS_MS)
  return yield* windowSparedNow(history, yield* MetricsCollector, samples, now)
})

/** `Spared ≈9% of the current 5-hour window, at 3.1 points per $ ...` */
export const sparedLine = (s: WindowSpared): string =>
  `Spared ${sparedShare(s)} of the current 5-hour window (${formatUsd(s.savedUsd)} of Claude work), ${sparedMethod(s)}.`
