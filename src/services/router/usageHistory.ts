import type * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type { StateError } from "../../domain/errors"
import type { Store } from "../store"
import type { UsageCache } from "./usageSchemas"
import type { UsageSample } from "./usageForecast"
import type { SessionCostReading } from "./windowSpared"

export type UsageWindow = "5h" | "wk"

/** a statusline redraws often: one reading a minute per window is plenty for a rate */
const SAMPLE_EVERY_MS = 60_000
/** the weekly window and a day more */
const KEEP_MS = 8 * 86_400_000
/** the 5-hour window and an hour more */
const COSTS_KEEP_MS = 6 * 3_600_000

/** The readings of Claude usage the statusline was given, in the shared database (`usage_samples`). */
export const makeUsageHistory = (store: Context.Tag.Service<Store>) => ({
  /** keep the windows of `cache` (at most one reading a minute each, unless the percentage changed) */
  record: (cache: UsageCache): Effect.Effect<void, StateError> =>
    store.transaction("record Claude usage", (db) => {
      const last = db.prepare("SELECT ts, percent FROM usage_samples WHERE window = ? ORDER BY ts DESC LIMIT 1")
      const insert = db.prepare("INSERT INTO usage_samples (ts, window, percent, resets_at) VALUES (?, ?, ?, ?)")
      const windows: ReadonlyArray<readonly [UsageWindow, UsageCache["fiveHour"]]> = [["5h", cache.fiveHour], ["wk", cache.sevenDay]]
      for (const [window, w] of windows) {
        if (w === null) continue
        const previous = last.get(window) as { ts: number; percent: number } | undefined
        if (previous !== undefined && cache.updatedAt - previous.ts < SAMPLE_EVERY_MS && previous.percent === w.percent) continue
        insert.run(cache.updatedAt, window, w.percent, w.resetsAt)
      }
      db.prepare("DELETE FROM usage_samples WHERE ts < ?").run(cache.updatedAt - KEEP_MS)
    }),
  /** a session's cost so far: the newest reading of each minute, kept for the current 5-hour window */
  recordSessionCost: (reading: SessionCostReading): Effect.Effect<void, StateError> =>
    store.transaction("record a session's cost", (db) => {
      db.prepare("INSERT OR REPLACE INTO session_costs (session_id, minute, ts, usd) VALUES (?, ?, ?, ?)")
        .run(reading.sessionId, Math.floor(reading.ts / SAMPLE_EVERY_MS), reading.ts, reading.usd)
      db.prepare("DELETE FROM session_costs WHERE ts < ?").run(reading.ts - COSTS_KEEP_MS)
    }),
  /** every session's cost readings since `since` */
  costsSince: (since: number): Effect.Effect<ReadonlyArray<SessionCostReading>, StateError> =>
    store.use("read session costs", (db) =>
      (db.prepare("SELECT session_id, ts, usd FROM session_costs WHERE ts >= ? ORDER BY ts").all(since) as
        ReadonlyArray<{ session_id: string; ts: number; usd: number }>)
        .map((r) => ({ sessionId: r.session_id, ts: r.ts, usd: r.usd }))),
  /** the readings of `window` since `since`, oldest first */
  since: (window: UsageWindow, since: number): Effect.Effect<ReadonlyArray<UsageSample>, StateError> =>
    store.use("read Claude usage history", (db) =>
      (db.prepare("SELECT ts, percent, resets_at FROM usage_samples WHERE window = ? AND ts >= ? ORDER BY ts").all(window, since) as
        ReadonlyArray<{ ts: number; percent: number; resets_at: number | null }>)
        .map((r) => ({ ts: r.ts, percent: r.percent, resetsAt: r.resets_at })))
})
export type UsageHistory = ReturnType<typeof makeUsageHistory>

/** how far back a window's readings matter: its own length */
export const WINDOW_MS: Readonly<Record<UsageWindow, number>> = { "5h": 5 * 3_600_000, wk: 7 * 86_400_000 }
