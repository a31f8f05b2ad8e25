import { afterEach, beforeEach, describe, expect, it } from "@effect/vitest"
import Database from "better-sqlite3"
import { type Duration, Effect, TestClock } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { bucketOf } from "../../src/services/tracker/latency"
import { MetricsCollector } from "../../src/services/tracker/MetricsCollector"
import { Tracker } from "../../src/services/tracker/Tracker"
import { trackingAt } from "../support/trackerLayers"

let dir = ""
let file = ""
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "omcm-compact-"))
  file = path.join(dir, "omcm.db")
})
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

const rows = (sql: string) => {
  const db = new Database(file, { readonly: true })
  try {
    return db.prepare(sql).all()
  } finally {
    db.close()
  }
}
const count = (table: string) => (rows(`SELECT COUNT(*) AS n FROM ${table}`)[0] as { n: number }).n

const providers = ["openai", "google", "xai"] as const
const models = { openai: "gpt-5.2-codex", google: "gemini-3-flash", xai: "grok-5" } as const

/** 300 old events over 50 minutes (decisions, successes, failures, an unpriced provider), then 30 recent ones */
const recordHistory = Effect.gen(function*() {
  const tracker = yield* Tracker
  yield* TestClock.setTime(86_400_000)
  const batch = (n: number, step: Duration.DurationInput) =>
    Effect.gen(function*() {
      for (let i = 0; i < n; i++) {
        const provider = providers[i % 3]!
        const agent = ["executor", "explore", "writer", "architect"][i % 4]!
        if (i % 5 === 0) yield* tracker.recordRouting({ source: "hook", agent, provider, model: models[provider], sessionId: "s" })
        yield* tracker.recordCall({
          source: i % 7 === 0 ? "claude-subagent" : "pool",
          target: i % 7 === 0 ? "claude" : "opencode",
          provider,
          model: models[provider],
          agent,
          tokens: { input: 100 + i, output: 10 * (i % 9), reasoning: i % 4, cacheRead: i % 3 === 0 ? 50 : 0 },
          durationMs: 40 + ((i * 37) % 3000),
          success: i % 6 !== 0
        })
        yield* TestClock.adjust(step)
      }
    })
  yield* batch(250, "12 seconds") // 50 minutes
  yield* TestClock.adjust("3 days")
  yield* batch(30, "1 second")
})

const snapshot = Effect.gen(function*() {
  const collector = yield* MetricsCollector
  return {
    metrics: yield* collector.getMetrics("week"),
    savings: yield* collector.getSavings("week"),
    report: yield* collector.getReport("week")
  }
})

describe("compaction", () => {
  it.effect("folds events older than compactAfterHours into minute aggregates with identical totals, idempotently", () =>
    Effect.gen(function*() {
      yield* recordHistory
      const before = yield* snapshot
      const rawBefore = count("events")
      expect(rawBefore).toBe(280 + 56)

      const result = yield* (yield* Tracker).compact
      expect(result.events).toBe(250 + 50) // calls and decisions older than 48 h
      expect(result.rows).toBeGreaterThan(50)
      expect(count("events")).toBe(36)
      expect(count("minute_aggregates")).toBe(result.rows)

      const after = yield* snapshot
      expect(after.metrics.routingCounts).toEqual(before.metrics.routingCounts)
      expect(after.metrics.unpriced).toEqual(before.metrics.unpriced)
      expect(after.metrics.totalUnpriced).toBe(before.metrics.totalUnpriced)
      expect(after.metrics.totalCost).toBeCloseTo(before.metrics.totalCost, 12)
      for (const p of providers) {
        expect(after.metrics.avgLatencies[p]).toBeCloseTo(before.metrics.avgLatencies[p]!, 9)
        expect(after.metrics.costs[p] ?? -1).toBeCloseTo(before.metrics.costs[p] ?? -1, 12)
      }
      expect({ ...after.savings, cost: 0, claudeCost: 0 }).toEqual({ ...before.savings, cost: 0, claudeCost: 0 })
      expect(after.savings.cost).toBeCloseTo(before.savings.cost, 12)
      expect(after.savings.claudeCost).toBeCloseTo(before.savings.claudeCost, 12)
      for (const [i, row] of after.report.providers.entries()) {
        const was = before.report.providers[i]!
        expect({ ...row, p50: 0, p95: 0, exactLatency: true, cost: 0 }).toEqual({ ...was, p50: 0, p95: 0, exactLatency: true, cost: 0 })
        expect(row.exactLatency).toBe(false)
        // histogram estimates stay within a bucket's width of the exact figures
        expect(Math.abs(row.p50! / was.p50! - 1)).toBeLessThan(0.2)
        expect(Math.abs(row.p95! / was.p95! - 1)).toBeLessThan(0.2)
      }

      const aggregates = rows("SELECT * FROM minute_aggregates ORDER BY minute, kind, source, agent, target, provider, model, tier, success, outcome")
      const again = yield* (yield* Tracker).compact
      expect(again).toEqual({ events: 0, rows: 0 })
      expect(rows("SELECT * FROM minute_aggregates ORDER BY minute, kind, source, agent, target, provider, model, tier, success, outcome")).toEqual(aggregates)
      expect((yield* snapshot).metrics).toEqual(after.metrics)
      expect(rows("PRAGMA integrity_check")).toEqual([{ integrity_check: "ok" }])
    }).pipe(Effect.provide(trackingAt(file))))

  it.effect("a late writer's old event is merged into the existing minute row on the next run", () =>
    Effect.gen(function*() {
      const tracker = yield* Tracker
      yield* TestClock.setTime(600_000)
      const old = { source: "pool", target: "opencode", provider: "openai", model: "gpt-5.2-codex", agent: "executor", tokens: { input: 1000, output: 10 }, durationMs: 800, success: true } as const
      yield* tracker.recordCall(old)
      yield* TestClock.adjust("3 days")
      expect((yield* tracker.compact).events).toBe(1)
      yield* TestClock.setTime(600_000 + 5_000) // the same minute, written late
      yield* tracker.recordCall(old)
      yield* TestClock.adjust("3 days")
      expect(yield* tracker.compact).toEqual({ events: 1, rows: 1 })
      expect(bucketOf(800)).toBe(23) // 1.35^22 <= 800 < 1.35^23, the same bucket SQLite computed
      expect(rows("SELECT count, input_tokens, duration_ms, latency_hist FROM minute_aggregates")).toEqual([
        { count: 2, input_tokens: 2000, duration_ms: 1600, latency_hist: JSON.stringify({ [bucketOf(800)]: 2 }) }
      ])
    }).pipe(Effect.provide(trackingAt(file, { tracker: { compactAfterHours: 48 } }))))
})
