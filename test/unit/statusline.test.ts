import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option, TestClock } from "effect"
import { formatHud, formatSessionSummary, sessionMode, usageText, wantsPlainText } from "../../src/programs/statusline"
import { Sessions } from "../../src/services/router/Sessions"
import { MetricsCollector } from "../../src/services/tracker/MetricsCollector"
import { Tracker } from "../../src/services/tracker/Tracker"
import { formatSpan } from "../../src/lib/format"
import { trackingAt } from "../support/trackerLayers"

const tracking = () => {
  const base = trackingAt(":memory:")
  return Layer.merge(base, Sessions.layerWithoutDependencies.pipe(Layer.provide(base)))
}

const delegatedSession = (success: boolean) =>
  Effect.gen(function*() {
    const tracker = yield* Tracker
    const base = { source: "hook" as const, sessionId: "s1", agent: "executor", mode: "hulw" as const }
    yield* tracker.recordRouting({ ...base, provider: "openai", model: "gpt-6-sol", target: "opencode" })
    yield* tracker.recordCall({
      ...base, target: "opencode", provider: "openai", model: "gpt-6-sol", durationMs: 10,
      tokens: success ? { input: 1000, output: 500 } : { input: 0, output: 0 }, success, ...(success ? {} : { error: "OpenCodeTimeout" })
    })
  })

describe("statusline", () => {
  it.effect("a failed delegation ran on Claude: a fallback, never 'delegated → OpenCode' nor 'last → openai/...'", () =>
    Effect.gen(function*() {
      yield* delegatedSession(false)
      yield* delegatedSession(false)
      const collector = yield* MetricsCollector
      const last = yield* collector.lastExecutor("s1")
      expect(Option.getOrThrow(last)).toMatchObject({ ran: "claude", fellBack: true, agent: "executor" })
      const summary = formatSessionSummary(yield* collector.sessionSummary("s1"))
      expect(summary).toBe("delegated 0 → OpenCode · 2 fell back to Claude")
      const line = formatHud({ cache: Option.none(), mode: "hulw", last, extra: summary, now: 0 })
      expect(line).toContain("last executor → Claude (delegation failed)")
      expect(line).not.toContain("openai/")
    }).pipe(Effect.provide(tracking())))

  it.effect("a delegation that succeeded ran on OpenCode; one not finished yet is running", () =>
    Effect.gen(function*() {
      yield* delegatedSession(true)
      const collector = yield* MetricsCollector
      const last = yield* collector.lastExecutor("s1")
      expect(Option.getOrThrow(last)).toMatchObject({ ran: "opencode", provider: "openai", model: "gpt-6-sol" })
      expect(formatSessionSummary(yield* collector.sessionSummary("s1"))).toBe("delegated 1 → OpenCode · saved 1.5k tok (own-work estimate, 0 Claude runs)")
      yield* (yield* Tracker).recordRouting({ source: "hook", sessionId: "s1", agent: "explore", provider: "google", model: "gemini-3.8-flash", target: "opencode" })
      const running = yield* collector.lastExecutor("s1")
      expect(formatHud({ cache: Option.none(), mode: "ulw", last: running, now: 0 })).toContain("last explore → google/gemini-3.8-flash (running)")
    }).pipe(Effect.provide(tracking())))

  it.effect("an ended session shows its real mode, not 'off'", () =>
    Effect.gen(function*() {
      const sessions = yield* Sessions
      yield* sessions.setMode("s1", { mode: "hulw", autopilot: false, task: null }, "/tmp")
      yield* sessions.end("s1")
      expect(Option.isNone(yield* sessions.getMode("s1"))).toBe(true)
      const recorded = yield* sessions.lastMode("s1")
      expect(sessionMode(recorded, Option.none())).toBe("hulw (ended)")
      // a session the table forgot: the mode of its newest routing decision
      yield* delegatedSession(true)
      const last = yield* (yield* MetricsCollector).lastExecutor("s1")
      expect(sessionMode(Option.none(), last)).toBe("hulw")
      expect(sessionMode(Option.none(), Option.none())).toBe("off")
    }).pipe(Effect.provide(tracking())))

  it.effect("usage with the time left to each window's reset", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(1_000_000_000)
      const now = 1_000_000_000
      const cache = Option.some({
        updatedAt: now,
        fiveHour: { percent: 45.4, resetsAt: now + 2 * 3_600_000 + 10 * 60_000 },
        sevenDay: { percent: 20, resetsAt: now + 3 * 86_400_000 + 4 * 3_600_000 }
      })
      expect(usageText(cache, now)).toBe("Claude 45% (5h 45% resets 2h10m · wk 20% resets 3d4h)")
      expect(usageText(Option.some({ updatedAt: now, fiveHour: { percent: 5, resetsAt: null }, sevenDay: null }), now)).toBe("Claude 5% (5h 5% · wk ?)")
      expect(formatSpan(30_000)).toBe("<1m")
      expect(formatSpan(45 * 60_000)).toBe("45m")
      expect(formatSpan(3 * 3_600_000)).toBe("3h")
    }))

  it("plain text when Claude Code asks for it (NO_COLOR, TERM=dumb): ASCII only", () => {
    expect(wantsPlainText({ NO_COLOR: "1" })).toBe(true)
    expect(wantsPlainText({ TERM: "dumb" })).toBe(true)
    expect(wantsPlainText({ TERM: "xterm-256color", NO_COLOR: "" })).toBe(false)
    const last = Option.some({ agent: "executor", ran: "opencode" as const, fellBack: false, provider: "openai", model: "gpt-6-sol", mode: "ulw" })
    const line = formatHud({
      cache: Option.some({ updatedAt: 0, fiveHour: { percent: 10, resetsAt: 3_600_000 }, sevenDay: null }),
      mode: "ulw", last, extra: "delegated 1 → OpenCode · saved 1.5k tok", notice: "⚠ omcm.db was corrupt", now: 0, plain: true
    })
    expect(line).toBe("omcm | Claude 10% (5h 10% resets 1h - wk ?) | mode ulw | last executor -> openai/gpt-6-sol | delegated 1 -> OpenCode - saved 1.5k tok | ! omcm.db was corrupt")
    expect(/[^\x20-\x7e]/.test(line)).toBe(false)
    const spared = { points: 9.2, pointsPerUsd: 5, measuredUsd: 4, measuredPoints: 20, savedUsd: 1.84, windowStart: 0 }
    const withSpared = formatHud({
      cache: Option.some({ updatedAt: 0, fiveHour: { percent: 10, resetsAt: 3_600_000 }, sevenDay: null }),
      mode: "ulw", last: Option.none(), now: 0, plain: true, forecasts: { spared }
    })
    expect(withSpared).toBe("omcm | Claude 10% (5h 10% resets 1h, spared ~9% of 5h - wk ?) | mode ulw | no routing yet")
  })
})
