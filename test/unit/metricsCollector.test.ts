import { afterEach, beforeEach, describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import type { CallInput } from "../../src/services/tracker/recordInput"
import { MetricsCollector } from "../../src/services/tracker/MetricsCollector"
import { Tracker } from "../../src/services/tracker/Tracker"
import { trackingAt } from "../support/trackerLayers"

let dir = ""
let file = ""
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "omcm-metrics-"))
  file = path.join(dir, "omcm.db")
})
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

const call = (over: Partial<CallInput> & Pick<CallInput, "provider" | "model">): CallInput => ({
  source: "test",
  target: "opencode",
  tokens: { input: 0, output: 0 },
  durationMs: 0,
  success: true,
  ...over
})

/** a known day: decisions and calls on four providers, one failure, two unpriced models */
const recordKnownSet = Effect.gen(function*() {
  const tracker = yield* Tracker
  yield* TestClock.setTime(86_400_000)
  // two hours before "now": only in the day window
  yield* tracker.recordCall(call({ provider: "openai", model: "gpt-5.2-codex", agent: "executor", tokens: { input: 1_000_000, output: 0 }, durationMs: 50 }))
  yield* TestClock.adjust("2 hours")
  for (let i = 0; i < 3; i++) yield* tracker.recordRouting({ source: "hook", agent: "oh-my-claudecode:executor", provider: "openai", model: "gpt-5.2-codex", target: "opencode" })
  for (let i = 0; i < 2; i++) yield* tracker.recordRouting({ source: "hook", agent: "explore", provider: "google", model: "gemini-3-flash", target: "opencode" })
  yield* tracker.recordRouting({ source: "hook", agent: "architect", provider: "anthropic", model: "opus", target: "claude" })
  yield* tracker.recordCall(call({ provider: "openai", model: "gpt-5.2-codex", agent: "executor", tokens: { input: 1000, output: 500 }, durationMs: 1000 }))
  yield* tracker.recordCall(call({ provider: "openai", model: "openai/gpt-5.2-codex", agent: "executor", tokens: { input: 200, output: 0 }, durationMs: 3000, success: false, error: "rate limited" }))
  yield* tracker.recordCall(call({ provider: "google", model: "gemini-3-flash", agent: "explore", tokens: { input: 4000, output: 1000 }, durationMs: 500 }))
  yield* tracker.recordCall(call({ provider: "google", model: "gemini-9-ultra", agent: "explore", tokens: { input: 100, output: 100 }, durationMs: 700 }))
  yield* tracker.recordCall(call({ provider: "xai", model: "grok-5", agent: "writer", tokens: { input: 100, output: 100 }, durationMs: 100 }))
  yield* tracker.recordCall(call({ source: "claude-subagent", target: "claude", provider: "anthropic", model: "opus", agent: "architect", tokens: { input: 10_000, output: 2000 }, durationMs: 4000 }))
  yield* TestClock.adjust("1 minute")
})

describe("MetricsCollector", () => {
  it.effect("getMetrics: routing counts, average latency and costs per provider; unpriced is never $0", () =>
    Effect.gen(function*() {
      yield* recordKnownSet
      const metrics = yield* (yield* MetricsCollector).getMetrics("hour")
      expect(metrics.routingCounts).toEqual({ openai: 3, google: 2, anthropic: 1, xai: 0 })
      expect(metrics.avgLatencies).toEqual({ openai: 2000, google: 600, anthropic: 4000, xai: 100 })
      // openai: (1000*3 + 500*12)/1e6 + 200*3/1e6; google: (4000*0.5 + 1000*2)/1e6 + an unpriced call
      expect(metrics.costs.openai).toBeCloseTo(0.0096, 12)
      expect(metrics.costs.google).toBeCloseTo(0.004, 12)
      expect(metrics.costs.anthropic).toBeCloseTo(0.3, 12) // (10000*15 + 2000*75)/1e6
      expect(metrics.costs.xai).toBeNull()
      expect(metrics.unpriced).toEqual({ openai: 0, google: 1, anthropic: 0, xai: 1 })
      expect(metrics.totalCost).toBeCloseTo(0.3136, 12)
      expect(metrics.totalUnpriced).toBe(2)

      const day = yield* (yield* MetricsCollector).getMetrics("day")
      expect(day.avgLatencies.openai).toBeCloseTo((50 + 1000 + 3000) / 3, 9)
      expect(day.costs.openai).toBeCloseTo(3 + 0.0096, 12)
    }).pipe(Effect.provide(trackingAt(file))))

  it.effect("getProviderStats: requests, errors, latency, tokens and estimated cost", () =>
    Effect.gen(function*() {
      yield* recordKnownSet
      const collector = yield* MetricsCollector
      expect(yield* collector.getProviderStats("openai", "hour")).toEqual({
        provider: "openai", period: "hour", routed: 3, requestCount: 2, errorCount: 1, avgLatency: 2000, totalTokens: 1700,
        estimatedCost: expect.closeTo(0.0096, 12), unpricedCount: 0
      })
      const xai = yield* collector.getProviderStats("xai", "hour")
      expect(xai.estimatedCost).toBeNull()
      expect(xai.unpricedCount).toBe(1)
      const none = yield* collector.getProviderStats("mistral")
      expect(none).toMatchObject({ requestCount: 0, errorCount: 0, avgLatency: null, totalTokens: 0, estimatedCost: 0 })
    }).pipe(Effect.provide(trackingAt(file))))

  it.effect("savings count successful OpenCode calls only, with their cost and the Claude cost of their tier", () =>
    Effect.gen(function*() {
      yield* recordKnownSet
      const savings = yield* (yield* MetricsCollector).getSavings("hour")
      expect(savings.tokens).toBe(1500 + 5000 + 200 + 200)
      expect(savings.calls).toBe(4)
      expect(savings.failedCalls).toBe(1)
      expect(savings.providers).toEqual(["google", "openai", "xai"])
      expect(savings.cost).toBeCloseTo(0.009 + 0.004, 12)
      expect(savings.unpriced).toBe(2)
      // executor MEDIUM on sonnet: 0.0105; explore LOW on haiku: 0.0072 and 0.00048; writer LOW on haiku: 0.00048
      expect(savings.claudeCost).toBeCloseTo(0.0105 + 0.0072 + 0.00048 + 0.00048, 12)
      expect(savings.claudeUnpriced).toBe(0)
      expect(savings.claudeTokens).toBe(12_000)
      expect(savings.share).toBeCloseTo(6900 / 18_900, 12)
    }).pipe(Effect.provide(trackingAt(file))))

  it.effect("a failed delegation saves nothing; a successful one counts its tokens and both costs", () =>
    Effect.gen(function*() {
      const tracker = yield* Tracker
      const collector = yield* MetricsCollector
      yield* tracker.recordCall(call({ provider: "openai", model: "gpt-5.2-codex", tier: "MEDIUM", tokens: { input: 5000, output: 1000, reasoning: 500 }, durationMs: 9000, success: false, error: "timeout" }))
      const failed = yield* collector.getSavings("day")
      expect(failed).toMatchObject({ tokens: 0, calls: 0, failedCalls: 1, cost: 0, claudeCost: 0, share: null })

      yield* tracker.recordCall(call({ provider: "openai", model: "gpt-5.2-codex", tier: "MEDIUM", tokens: { input: 5000, output: 1000, reasoning: 500, cacheRead: 2000 }, durationMs: 9000 }))
      const saved = yield* collector.getSavings("day")
      expect(saved.tokens).toBe(8500)
      expect(saved.calls).toBe(1)
      // codex: 5000*3 + 2000*0.3 + 1500*12 = 33600; sonnet: 5000*3 + 2000*0.3 + 1500*15 = 38100 (micro-dollars)
      expect(saved.cost).toBeCloseTo(0.0336, 12)
      expect(saved.claudeCost).toBeCloseTo(0.0381, 12)
      expect(saved.share).toBe(1)
    }).pipe(Effect.provide(trackingAt(file))))

  it.effect("report: tables per provider and per agent with exact p50/p95 from raw events", () =>
    Effect.gen(function*() {
      const tracker = yield* Tracker
      for (const ms of [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 5000]) {
        yield* tracker.recordCall(call({ provider: "openai", model: "gpt-5.2-codex", agent: "executor", durationMs: ms }))
      }
      yield* tracker.recordCall(call({ provider: "google", model: "gemini-3-flash", agent: "explore", durationMs: 42 }))
      const report = yield* (yield* MetricsCollector).getReport("day")
      const openai = report.providers.find((r) => r.name === "openai")!
      expect(openai).toMatchObject({ calls: 11, errors: 0, p50: 600, p95: 5000, exactLatency: true })
      expect(report.providers.map((r) => r.name)).toEqual(["openai", "google"])
      expect(report.agents.find((r) => r.name === "explore")).toMatchObject({ calls: 1, p50: 42, p95: 42 })
    }).pipe(Effect.provide(trackingAt(file))))

  it.effect("session summary: the session's routings to OpenCode and its savings", () =>
    Effect.gen(function*() {
      const tracker = yield* Tracker
      for (const sessionId of ["s1", "s1", "s2"]) {
        yield* tracker.recordRouting({ source: "hook", agent: "executor", provider: "openai", model: "gpt-5.2-codex", sessionId })
        yield* tracker.recordCall(call({ provider: "openai", model: "gpt-5.2-codex", agent: "executor", sessionId, tokens: { input: 1000, output: 100 } }))
      }
      yield* tracker.recordRouting({ source: "hook", agent: "architect", provider: "anthropic", model: "opus", sessionId: "s1" })
      const s1 = yield* (yield* MetricsCollector).sessionSummary("s1")
      expect(s1.routedToOpencode).toBe(2)
      expect(s1.savings.tokens).toBe(2200)
    }).pipe(Effect.provide(trackingAt(file))))
})
