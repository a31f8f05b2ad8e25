import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import { forecastWindow, pacedUsage } from "../../src/services/router/usageForecast"
import { route } from "../../src/services/router/routingPolicy"
import { defaultConfig } from "../../src/domain/defaults"
import type { Usage } from "../../src/domain/model"
import { makeUsageHistory } from "../../src/services/router/usageHistory"
import { Store } from "../../src/services/store/Store"
import { clockTime, forecastText, usageText } from "../../src/programs/statusline"
import { storeAt } from "../support/trackerLayers"

const H = 3_600_000
const T0 = 1_700_000_000_000

describe("usage forecast", () => {
  it("a steady 10 points an hour from 40%: 90% in 5 hours, after a reset due in 2 hours", () => {
    const samples = [0, 1, 2].map((h) => ({ ts: T0 + h * H, percent: 20 + 10 * h, resetsAt: T0 + 4 * H }))
    const f = forecastWindow(samples, T0 + 2 * H)
    expect(f?.ratePerHour).toBeCloseTo(10, 9)
    expect(f?.crossesAt).toBe(T0 + 7 * H)
    expect(f?.beforeReset).toBe(false)
    expect(forecastText(f)).toBe(`, 90% at ${clockTime(T0 + 7 * H)} after reset`)
  })

  it("a crossing projected before the reset says so; readings before a reset (a drop) are left out", () => {
    const samples = [
      { ts: T0 - 2 * H, percent: 95, resetsAt: T0 - H },
      { ts: T0, percent: 10, resetsAt: T0 + 5 * H },
      { ts: T0 + H, percent: 40, resetsAt: T0 + 5 * H }
    ]
    const f = forecastWindow(samples, T0 + H)
    expect(f?.ratePerHour).toBeCloseTo(30, 9)
    expect(f?.crossesAt).toBeCloseTo(T0 + H + (50 / 30) * H, 0) // 50 points to go at 30 an hour
    expect(f?.beforeReset).toBe(true)
  })

  it("no forecast from one reading or a few minutes; none rising: no crossing", () => {
    expect(forecastWindow([{ ts: T0, percent: 10, resetsAt: null }], T0)).toBeNull()
    expect(forecastWindow([{ ts: T0, percent: 10, resetsAt: null }, { ts: T0 + 60_000, percent: 11, resetsAt: null }], T0)).toBeNull()
    const flat = forecastWindow([{ ts: T0, percent: 10, resetsAt: null }, { ts: T0 + H, percent: 10, resetsAt: null }], T0 + H)
    expect(flat).toMatchObject({ crossesAt: null })
    expect(forecastText(flat)).toBe("")
  })

  it("the statusline shows the forecast after the window's reset time", () => {
    const now = T0
    const cache = Option.some({ updatedAt: now, fiveHour: { percent: 40, resetsAt: now + 2 * H }, sevenDay: null })
    const fiveHour = { ratePerHour: 30, crossesAt: now + H, beforeReset: true, threshold: 90 }
    expect(usageText(cache, now, undefined, { fiveHour })).toBe(`Claude 40% (5h 40% resets 2h, 90% at ${clockTime(now + H)} before reset · wk ?)`)
  })

  it.effect("history keeps one reading a minute per window unless it changed, oldest first", () =>
    Effect.gen(function*() {
      const history = makeUsageHistory(yield* Store)
      const at = (ts: number, percent: number) => ({ updatedAt: ts, fiveHour: { percent, resetsAt: T0 + 5 * H }, sevenDay: { percent: 3, resetsAt: null } })
      yield* history.record(at(T0, 10))
      yield* history.record(at(T0 + 10_000, 10)) // same, within a minute: skipped
      yield* history.record(at(T0 + 20_000, 11)) // changed: kept
      yield* history.record(at(T0 + 120_000, 11)) // a minute later: kept
      expect((yield* history.since("5h", 0)).map((s) => [s.ts - T0, s.percent])).toEqual([[0, 10], [20_000, 11], [120_000, 11]])
      expect((yield* history.since("wk", 0)).map((s) => s.ts - T0)).toEqual([0, 120_000])
    }).pipe(Effect.provide(Layer.fresh(storeAt(":memory:")))))
})

describe("routing.pacing", () => {
  const usageAt = (percent: number) => ({ percent, fiveHour: percent, weekly: null, source: "statusline" as const })
  // 10 points an hour, at 60% now, the reset three hours away: 90% by the reset
  const samples = [0, 1, 2].map((h) => ({ ts: T0 + h * H, percent: 40 + 10 * h, resetsAt: T0 + 5 * H }))

  it("counts the 5-hour window as full as its burn rate makes it by the reset", () => {
    const { usage, projected } = pacedUsage(usageAt(60), samples, T0 + 2 * H)
    expect(projected).toBeCloseTo(90, 9)
    expect(usage).toMatchObject({ percent: projected, fiveHour: projected })
    // falling or unknown: unchanged
    expect(pacedUsage(usageAt(60), [...samples].reverse().map((s, i) => ({ ...s, ts: T0 + i * H })), T0 + 2 * H).projected).toBeNull()
    expect(pacedUsage(usageAt(60), [], T0).projected).toBeNull()
  })

  it("ulw moves work early: a crossing projected before the reset routes like a crossing", () => {
    const now = T0 + 2 * H
    const decide = (usage: Usage) =>
      route({ config: defaultConfig, mapping: {}, agent: "executor", mode: "ulw", usage, heavy: false })
    expect(decide(usageAt(60)).target).toBe("claude")
    expect(decide(pacedUsage(usageAt(60), samples, now).usage).target).toBe("opencode")
  })
})
