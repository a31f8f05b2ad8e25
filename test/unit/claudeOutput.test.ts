import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { decodeClaudeJson, mainModelOf, tokensOf } from "../../src/services/executor/claudeOutput"

// trimmed from what claude 2.1.330 prints for `-p --output-format json` after one sub-agent run
const result = {
  type: "result",
  subtype: "success",
  is_error: false,
  result: "done",
  session_id: "84a3f57d",
  duration_ms: 460,
  num_turns: 2,
  total_cost_usd: 0.0024,
  api_error_status: null,
  usage: { input_tokens: 200, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 40, service_tier: "standard" },
  modelUsage: {
    "claude-opus-5-5": { inputTokens: 300, outputTokens: 60, cacheReadInputTokens: 4, cacheCreationInputTokens: 2, costUSD: 0.002 },
    "claude-haiku-5-5": { inputTokens: 10, outputTokens: 5, cacheReadInputTokens: 0, cacheCreationInputTokens: 0, costUSD: 0.0004 }
  }
}

describe("decodeClaudeJson", () => {
  it("decodes the single result object and sums tokens over every model", () => {
    const decoded = Either.getOrThrow(decodeClaudeJson(JSON.stringify(result)))
    expect(decoded.result).toBe("done")
    expect(tokensOf(decoded)).toEqual({ input: 310, output: 65, reasoning: 0, cacheRead: 4, cacheWrite: 2 })
    expect(mainModelOf(decoded)).toBe("claude-opus-5-5")
  })

  it("takes the last result of the --verbose array form", () => {
    const array = [{ type: "system", subtype: "init" }, { type: "assistant", message: {} }, result]
    expect(Either.getOrThrow(decodeClaudeJson(JSON.stringify(array))).session_id).toBe("84a3f57d")
  })

  it("falls back to usage when modelUsage is empty (an API error before any answer)", () => {
    const decoded = Either.getOrThrow(decodeClaudeJson(JSON.stringify({ ...result, modelUsage: {} })))
    expect(tokensOf(decoded)).toEqual({ input: 200, output: 40, reasoning: 0, cacheRead: 0, cacheWrite: 0 })
    expect(mainModelOf(decoded)).toBeUndefined()
  })

  it("says in one line what is wrong", () => {
    expect(decodeClaudeJson("Welcome")).toEqual(Either.left(expect.stringMatching(/^not valid JSON/)))
    expect(decodeClaudeJson("[]")).toEqual(Either.left("no result message in the JSON array"))
    expect(decodeClaudeJson(JSON.stringify({ ...result, total_cost_usd: "free" }))).toEqual(
      Either.left('result: total_cost_usd: expected number, got "free"')
    )
  })
})
