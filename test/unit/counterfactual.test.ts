import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import type { CallInput } from "../../src/services/tracker/recordInput"
import { MetricsCollector } from "../../src/services/tracker/MetricsCollector"
import { Tracker } from "../../src/services/tracker/Tracker"
import { describeEstimate, shortEstimate } from "../../src/services/tracker/counterfactual"
import { savingsLine } from "../../src/programs/statsFormat"
import { formatSessionSummary } from "../../src/programs/statusline"
import { trackingAt } from "../support/trackerLayers"

const delegated = (agent: string, tier: "HIGH" | "MEDIUM" | "LOW", tokens: { input: number; output: number }): CallInput => ({
  source: "hook", target: "opencode", provider: "openai", model: "gpt-5.2", agent, tier, tokens, durationMs: 100, success: true, sessionId: "s1"
})
/** a real Claude sub-agent run, as the PostToolUse hook records it */
const claudeRun = (agent: string, tier: "HIGH" | "MEDIUM" | "LOW", tokens: { input: number; output: number }): CallInput => ({
  source: "claude-subagent", target: "claude", provider: "anthropic", model: "sonnet", agent, tier, tokens, durationMs: 1000, success: true, sessionId: "s0"
})

const report = Effect.flatMap(MetricsCollector, (m) => m.getReport("day"))

describe("counterfactual savings", () => {
  it.effect("a delegated call is costed at the mean recorded Claude run of the same agent, with the run count", () =>
    Effect.gen(function*() {
      const tracker = yield* Tracker
      yield* TestClock.setTime(10 * 86_400_000)
      // sonnet: $3 in, $15 out per million; runs of 10k/1k and 30k/3k tokens: mean 22k tokens, $0.09
      yield* tracker.recordCall(claudeRun("executor", "MEDIUM", { input: 10_000, output: 1000 }))
      yield* tracker.recordCall(claudeRun("executor", "MEDIUM", { input: 30_000, output: 3000 }))
      // a failed Claude run is no sample
      yield* tracker.recordCall({ ...claudeRun("executor", "MEDIUM", { input: 1, output: 1 }), success: false })
      yield* tracker.recordCall(delegated("executor", "MEDIUM", { input: 9000, output: 100 }))
      yield* tracker.recordCall(delegated("executor", "MEDIUM", { input: 9000, output: 100 }))
      const { savings } = yield* report
      expect(savings.counterfactual.methods).toEqual([{ method: "agent", calls: 2, samples: 2 }])
      expect(savings.counterfactual.claudeTokens).toBe(44_000)
      expect(savings.counterfactual.claudeCost).toBeCloseTo(0.18, 12)
      expect(describeEstimate(savings.counterfactual)).toBe("estimated from 2 recorded Claude runs of the same agent")
      expect(savingsLine(savings, "day")).toMatch(/^Saved 44\.0k Claude tokens in the last day, estimated from 2 recorded Claude runs of the same agent: \$[0-9.]+ on openai instead of \$0\.18 on Claude/)
    }).pipe(Effect.provide(trackingAt(":memory:"))))

  it.effect("else the same tier's runs; with none, the call's own tokens, labelled as such", () =>
    Effect.gen(function*() {
      const tracker = yield* Tracker
      yield* TestClock.setTime(10 * 86_400_000)
      yield* tracker.recordCall(claudeRun("explore", "LOW", { input: 4000, output: 0 }))
      yield* tracker.recordCall(delegated("writer", "LOW", { input: 100, output: 0 }))
      yield* tracker.recordCall(delegated("architect-helper", "HIGH", { input: 1000, output: 0 }))
      const { savings } = yield* report
      const c = savings.counterfactual
      expect(c.methods).toEqual([{ method: "tier", calls: 1, samples: 1 }, { method: "own-work", calls: 1, samples: 0 }])
      // 4000 from the LOW run, 1000 of the HIGH call's own tokens
      expect(c.claudeTokens).toBe(5000)
      expect(describeEstimate(c)).toBe(
        "estimated: 1 call from 1 recorded Claude run of the same tier, 1 call from the delegated calls' own tokens (0 recorded Claude runs to compare with)"
      )
      expect(shortEstimate(c)).toBe("from 1 Claude run + own-work estimate")
    }).pipe(Effect.provide(trackingAt(":memory:"))))

  it.effect("with no Claude run at all: an own-work estimate, in stats and on the statusline", () =>
    Effect.gen(function*() {
      const tracker = yield* Tracker
      yield* TestClock.setTime(10 * 86_400_000)
      yield* tracker.recordCall(delegated("executor", "MEDIUM", { input: 1000, output: 500 }))
      const { savings } = yield* report
      expect(savings.counterfactual).toMatchObject({ claudeTokens: 1500, samples: 0, methods: [{ method: "own-work", calls: 1, samples: 0 }] })
      expect(savings.counterfactual.claudeCost).toBeCloseTo(savings.claudeCost, 12)
      expect(savingsLine(savings, "day")).toContain("estimated from the delegated calls' own tokens (0 recorded Claude runs to compare with)")
      const session = yield* (yield* MetricsCollector).sessionSummary("s1")
      expect(formatSessionSummary(session)).toBe("delegated 1 → OpenCode · saved 1.5k tok (own-work estimate, 0 Claude runs)")
    }).pipe(Effect.provide(trackingAt(":memory:"))))

  it.effect("the statusline names the Claude runs behind a session's savings", () =>
    Effect.gen(function*() {
      const tracker = yield* Tracker
      yield* TestClock.setTime(10 * 86_400_000)
      for (let i = 0; i < 3; i++) yield* tracker.recordCall(claudeRun("executor", "MEDIUM", { input: 20_000, output: 0 }))
      yield* tracker.recordCall(delegated("executor", "MEDIUM", { input: 1000, output: 0 }))
      const session = yield* (yield* MetricsCollector).sessionSummary("s1")
      expect(formatSessionSummary(session)).toBe("delegated 1 → OpenCode · saved 20.0k tok (from 3 Claude runs)")
    }).pipe(Effect.provide(trackingAt(":memory:"))))
})

describe("stats CSV", () => {
  it("quotes a field with a comma or a quote; an unpriced cost is an empty cell", async () => {
    const { breakdownCsv } = await import("../../src/programs/statsFormat")
    const row = { name: 'a,"b"', routed: 1, calls: 2, errors: 0, p50: 10, p95: null, exactLatency: true, tokens: 5, cost: null, unpriced: 2 }
    expect(breakdownCsv({ period: "day", since: 0, until: 1, by: "agent", rows: [row] })).toBe(
      'agent,routed,calls,errors,p50_ms,p95_ms,tokens,cost_usd,unpriced\n"a,""b""",1,2,0,10,,5,,2'
    )
  })
})
