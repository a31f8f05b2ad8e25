import { describe, expect, it } from "vitest"
import { defaultConfig } from "../../src/domain/defaults"
import { claudeEquivalentCost, priceCall } from "../../src/services/tracker/pricing"

const tokens = (t: Partial<{ input: number; output: number; reasoning: number; cacheRead: number; cacheWrite: number }>) => ({
  input: 0, output: 0, reasoning: 0, cacheRead: 0, cacheWrite: 0, ...t
})

describe("priceCall", () => {
  it("prices OpenCode's token mapping on gpt-5.2-codex: input, cache reads, output and reasoning at output", () => {
    // $3 in, $12 out, $0.30 cache read per million: 2028*3 + 6000*0.3 + (9+5)*12 = 8052 micro-dollars
    const cost = priceCall(defaultConfig.prices, "openai/gpt-5.2-codex", tokens({ input: 2028, cacheRead: 6000, output: 9, reasoning: 5 }))
    expect(cost).toBeCloseTo(0.008052, 12)
  })

  it("prices cache writes at cacheWrite (Claude sonnet)", () => {
    // 1000*3 + 500*15 + 2000*0.3 + 400*3.75 = 3000 + 7500 + 600 + 1500 = 12600 micro-dollars
    const cost = priceCall(defaultConfig.prices, "anthropic/sonnet", tokens({ input: 1000, output: 500, cacheRead: 2000, cacheWrite: 400 }))
    expect(cost).toBeCloseTo(0.0126, 12)
  })

  it("falls back to input for cache tokens and to output for reasoning", () => {
    const prices = { "x/m": { input: 2, output: 8 } }
    // 100*2 + 10*2 + 50*8 = 620 micro-dollars
    expect(priceCall(prices, "x/m", tokens({ cacheRead: 100, cacheWrite: 10, reasoning: 50 }))).toBeCloseTo(0.00062, 12)
  })

  it("uses a reasoning price when the table gives one", () => {
    const prices = { "x/m": { input: 1, output: 4, reasoning: 2 } }
    expect(priceCall(prices, "x/m", tokens({ output: 10, reasoning: 10 }))).toBeCloseTo(0.00006, 12)
  })

  it("reports a model missing from the table as unpriced (null), never $0", () => {
    expect(priceCall(defaultConfig.prices, "openai/gpt-9", tokens({ input: 1000 }))).toBeNull()
    expect(priceCall(defaultConfig.prices, "constructor", tokens({ input: 1000 }))).toBeNull()
    expect(priceCall(defaultConfig.prices, "google/gemini-3-flash", tokens({}))).toBe(0)
  })

  it("prices a full model name by the longest table entry of its provider inside it", () => {
    const t = tokens({ input: 1_000_000 })
    expect(priceCall(defaultConfig.prices, "anthropic/claude-opus-5-5", t)).toBe(15)
    expect(priceCall(defaultConfig.prices, "anthropic/claude-haiku-5-5", t)).toBe(0.8)
    expect(priceCall(defaultConfig.prices, "openai/gpt-5.2-codex-2026-01", t)).toBe(3)
    expect(priceCall(defaultConfig.prices, "google/openai-gpt-5.2", t)).toBeNull()
  })

  it("prices the same tokens on the Claude model of the tier", () => {
    const t = tokens({ input: 1_000_000, output: 100_000 })
    expect(claudeEquivalentCost(defaultConfig, "MEDIUM", t)).toBeCloseTo(3 + 1.5, 9) // sonnet
    expect(claudeEquivalentCost(defaultConfig, "LOW", t)).toBeCloseTo(0.8 + 0.4, 9) // haiku
    expect(claudeEquivalentCost(defaultConfig, "HIGH", t)).toBeCloseTo(15 + 7.5, 9) // opus
  })
})
