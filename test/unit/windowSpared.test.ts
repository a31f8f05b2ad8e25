import { describe, expect, it } from "vitest"
import { currentWindowStart, FIVE_HOURS_MS, sparedMethod, sparedText, windowSpared } from "../../src/services/router/windowSpared"

const now = 10 * FIVE_HOURS_MS
const resetsAt = now + 2 * 3_600_000
const start = resetsAt - FIVE_HOURS_MS
const at = (minutes: number) => start + minutes * 60_000

describe("the share of the 5-hour window spared", () => {
  const samples = [
    { ts: at(-30), percent: 80, resetsAt: start },
    { ts: at(10), percent: 10, resetsAt },
    { ts: at(60), percent: 20, resetsAt },
    { ts: at(170), percent: 30, resetsAt }
  ]

  it("measures points per dollar from this window's rise and the sessions' spend, then prices the saved work with it", () => {
    expect(currentWindowStart(samples, now)).toBe(start)
    const costs = [
      // before the window and after its last usage reading: left out
      { sessionId: "a", ts: at(-20), usd: 0.5 },
      { sessionId: "a", ts: at(10), usd: 1 },
      { sessionId: "a", ts: at(100), usd: 3 },
      { sessionId: "b", ts: at(20), usd: 7 },
      { sessionId: "b", ts: at(170), usd: 9 },
      { sessionId: "b", ts: at(175), usd: 20 }
    ]
    const spared = windowSpared({ samples, costs, savedUsd: 1.2, now })
    // 20 points over $4 of Claude work: 5 points per dollar; $1.20 of delegated work is 6 points
    expect(spared).toMatchObject({ measuredPoints: 20, measuredUsd: 4, pointsPerUsd: 5, windowStart: start })
    expect(spared?.points).toBeCloseTo(6)
    expect(sparedText(spared!)).toBe("spared ≈6% of 5h")
    expect(sparedMethod(spared!)).toBe("at 5.0 points per $ of Claude work measured this window ($4.00, 20 points)")
    expect(sparedText({ ...spared!, points: 0.3 })).toBe("spared <1% of 5h")
  })

  it("says nothing without a reset time or with too little Claude use to measure", () => {
    const costs = [{ sessionId: "a", ts: at(10), usd: 1 }, { sessionId: "a", ts: at(170), usd: 5 }]
    expect(windowSpared({ samples: samples.map((s) => ({ ...s, resetsAt: null })), costs, savedUsd: 1, now })).toBeNull()
    // the reset is past: the window the readings describe is over
    expect(windowSpared({ samples, costs, savedUsd: 1, now: resetsAt + 1 })).toBeNull()
    expect(windowSpared({ samples, costs: [{ sessionId: "a", ts: at(10), usd: 1 }, { sessionId: "a", ts: at(170), usd: 1.2 }], savedUsd: 1, now })).toBeNull()
    const flat = samples.map((s) => (s.ts > start ? { ...s, percent: 10.5 } : s))
    expect(windowSpared({ samples: flat, costs, savedUsd: 1, now })).toBeNull()
    expect(windowSpared({ samples: [], costs, savedUsd: 1, now })).toBeNull()
  })
})
