import { describe, expect, it } from "@effect/vitest"
import * as Schema from "effect/Schema"
import { defaultConfig } from "../../src/domain/defaults"
import {
  buildSnapshot,
  DashboardSnapshot,
  delegationsOf,
  encodeSnapshot,
  type SnapshotInput,
  timelineOf
} from "../../src/programs/dashboard/snapshot"
import type { StatsReport, StoredEvent } from "../../src/services/tracker"
import { windowStats } from "../../src/services/tracker/windows"

/** half a minute into a minute */
const NOW = 1_800_000_030_000
let nextId = 1
const event = (over: Partial<StoredEvent>): StoredEvent => ({
  id: nextId++,
  ts: NOW - 1000,
  kind: "call",
  source: "test",
  target: "opencode",
  provider: "openai",
  model: "gpt-6-sol",
  agent: "executor",
  tier: "MEDIUM",
  success: true,
  durationMs: 1000,
  inputTokens: 100,
  outputTokens: 10,
  cost: 0.01,
  claudeCost: 0.05,
  ...over
})

const report = (over: Partial<StatsReport["savings"]> = {}): StatsReport => ({
  period: "day",
  since: NOW - 86_400_000,
  until: NOW,
  providers: [{ name: "openai", routed: 1, calls: 2, errors: 0, p50: 1000, p95: 1000, exactLatency: true, tokens: 220, cost: 0.02, unpriced: 0 }],
  agents: [],
  savings: {
    tokens: 220,
    calls: 2,
    failedCalls: 0,
    providers: ["openai"],
    cost: 0.02,
    unpriced: 0,
    claudeCost: 0.1,
    claudeUnpriced: 0,
    claudeTokens: 0,
    share: 1,
    counterfactual: { claudeTokens: 220, claudeCost: 0.1, claudeUnpriced: 0, methods: [{ method: "own-work", calls: 2, samples: 0 }], samples: 0 },
    ...over
  },
  redactions: [],
  failovers: { count: 0, recent: [] }
})

describe("the dashboard's timeline", () => {
  it("counts calls per provider and agent into the bucket of their time; routing without an outcome and old events stay out", () => {
    const minute = 60_000
    const lastBucket = Math.floor(NOW / minute) * minute
    const events = [
      event({ ts: NOW - 10 }),
      event({ ts: lastBucket - 1, provider: "google", agent: "writer", cost: null, claudeCost: null }),
      event({ ts: lastBucket - 5 * minute, success: false, claudeCost: 0.5 }),
      event({ kind: "routing", ts: NOW - 10 }),
      event({ ts: NOW - 2 * 3_600_000 })
    ]
    const t = timelineOf(events, "hour", NOW)
    expect(t.buckets).toHaveLength(60)
    expect(t.buckets.at(-1)).toBe(lastBucket)
    expect(t.bucketMs).toBe(minute)
    const at = (values: ReadonlyArray<number>) => ({ last: values[59], previous: values[58], fiveBefore: values[54] })
    expect(t.callsByProvider.map((s) => s.name)).toEqual(["openai", "google"])
    expect(at(t.callsByProvider[0]!.values)).toEqual({ last: 1, previous: 0, fiveBefore: 1 })
    expect(at(t.callsByProvider[1]!.values)).toEqual({ last: 0, previous: 1, fiveBefore: 0 })
    expect(t.callsByAgent.map((s) => s.name)).toEqual(["executor", "writer"])
    expect(t.tokens[59]).toBe(110)
    // a failed delegation saves nothing; an unpriced one cannot be counted
    expect(t.saved[59]).toBeCloseTo(0.04, 12)
    expect(t.saved[54]).toBe(0)
    expect(t.saved[58]).toBe(0)
    expect(t.cost[54]).toBeCloseTo(0.01, 12)
  })

  it("spans a day in half hours", () => {
    const t = timelineOf([event({ ts: NOW - 23 * 3_600_000 })], "day", NOW)
    expect(t.buckets).toHaveLength(48)
    expect(t.callsByProvider[0]!.values.reduce((a, b) => a + b, 0)).toBe(1)
  })
})

describe("the dashboard's delegations", () => {
  it("lists OpenCode calls newest first with the requested and the actual model, the result size and why one failed", () => {
    const rows = delegationsOf([
      event({ ts: NOW - 3000, outputTokens: 400, reasoningTokens: 100 }),
      event({ ts: NOW - 2000, provider: "google", model: "gemini-3.1-pro-preview", requestedModel: "openai/gpt-6-sol", failovers: [{ id: "openai/gpt-6-sol", error: "rate limited" }] }),
      event({ ts: NOW - 1000, success: false, error: "stalled" }),
      event({ ts: NOW, target: "claude", provider: "anthropic", model: "sonnet" })
    ])
    expect(rows.map((r) => [r.model, r.requestedModel, r.success, r.error])).toEqual([
      ["openai/gpt-6-sol", "openai/gpt-6-sol", false, "stalled"],
      ["google/gemini-3.1-pro-preview", "openai/gpt-6-sol", true, null],
      ["openai/gpt-6-sol", "openai/gpt-6-sol", true, null]
    ])
    expect(rows[1]!.failovers).toEqual([{ id: "openai/gpt-6-sol", error: "rate limited" }])
    expect(rows[2]!.resultTokens).toBe(500)
  })

  it("keeps the newest few", () => {
    const many = Array.from({ length: 40 }, (_, i) => event({ ts: NOW - i }))
    const rows = delegationsOf(many, 5)
    expect(rows.map((r) => r.ts)).toEqual([NOW, NOW - 1, NOW - 2, NOW - 3, NOW - 4])
  })
})

describe("the dashboard's snapshot", () => {
  const input = (over: Partial<SnapshotInput> = {}): SnapshotInput => ({
    now: NOW,
    range: "hour",
    events: [event({}), event({ ts: NOW - 500 })],
    report: report(),
    live: windowStats("minute", [], NOW),
    routing: defaultConfig.routing,
    usage: {
      current: { percent: 66, fiveHour: 66, weekly: 31, source: "statusline" },
      resetsAt: NOW + 3_600_000,
      samples: [{ ts: NOW - 600_000, percent: 60, resetsAt: NOW + 3_600_000 }],
      forecast: { ratePerHour: 12, crossesAt: NOW + 7_200_000, beforeReset: false, threshold: 90 },
      weekWindow: { samples: [{ ts: NOW - 86_400_000, percent: 20, resetsAt: null }], forecast: null },
      spared: { points: 6.2, pointsPerUsd: 5, measuredUsd: 4, measuredPoints: 20, savedUsd: 1.24, windowStart: NOW - 3_600_000 }
    },
    pool: { state: "not running", pid: null, apiPort: null, error: null, status: null },
    balancer: null,
    ...over
  })

  it("says how the savings were estimated, as omcm stats does", () => {
    const given = input()
    const s = buildSnapshot(given)
    expect(s.savings.method).toBe("estimated from the delegated calls' own tokens (0 recorded Claude runs to compare with)")
    expect(s.savings.methodShort).toBe("own-work estimate, 0 Claude runs")
    expect(s.savings.line).toMatch(/^Saved .* in the last day, estimated from the delegated calls' own tokens/)
    expect(s.lastEventId).toBe(Math.max(...given.events.map((e) => e.id)))
  })

  it("draws the configured thresholds and unknown usage as unknown", () => {
    const s = buildSnapshot(input({
      routing: { ...defaultConfig.routing, usageThreshold: 60, heavyThreshold: 95 },
      usage: { current: { percent: 0, fiveHour: null, weekly: null, source: "unknown" }, resetsAt: null, samples: [], forecast: null, spared: null, weekWindow: { samples: [], forecast: null } }
    }))
    expect(s.usage.thresholds.map((t) => t.percent)).toEqual([60, 80, 85, 95])
    expect(s.usage.percent).toBeNull()
  })

  it("is valid JSON of its schema", () => {
    const json = encodeSnapshot(buildSnapshot(input()))
    const decoded = Schema.decodeUnknownSync(Schema.parseJson(DashboardSnapshot))(json)
    expect(decoded.usage.forecast?.crossesAt).toBe(NOW + 7_200_000)
    expect(decoded.providers[0]!.calls).toBe(2)
    expect(decoded.usage.weekWindow.samples).toEqual([{ ts: NOW - 86_400_000, percent: 20 }])
    expect(decoded.usage.spared).toEqual({
      points: 6.2,
      text: "spared ≈6% of 5h",
      method: "at 5.0 points per $ of Claude work measured this window ($4.00, 20 points)"
    })
  })
})
