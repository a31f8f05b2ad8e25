import type { OmcmConfig, Price } from "../../domain/configSchema"
import type { TokenUsage } from "../../domain/execution"
import type { Tier } from "../../domain/model"

const PER_MILLION = 1_000_000

/**
 * The price of a model id (`provider/model`) in the table, or undefined (unpriced). Without an exact entry, the
 * longest entry of the same provider whose model name is part of the id applies: `anthropic/claude-opus-5-5` is
 * priced as `anthropic/opus`, a dated `openai/gpt-5.2-codex-2026-01` as `openai/gpt-5.2-codex`.
 */
export const findPrice = (prices: Readonly<Record<string, Price>>, modelId: string): Price | undefined => {
  if (Object.prototype.hasOwnProperty.call(prices, modelId)) return prices[modelId]
  const slash = modelId.indexOf("/")
  if (slash < 0) return undefined
  const provider = modelId.slice(0, slash + 1)
  const model = modelId.slice(slash + 1)
  const key = Object.keys(prices)
    .filter((k) => k.startsWith(provider) && k.length > provider.length && model.includes(k.slice(provider.length)))
    .sort((a, b) => b.length - a.length)[0]
  return key === undefined ? undefined : prices[key]
}

/**
 * USD for one call's tokens on `modelId`, or null when the model is not in the price table (unpriced, never $0).
 * Token counts are disjoint, as OpenCode and the Anthropic API report them: `input` excludes cache reads and writes,
 * `output` excludes `reasoning`. Cache reads cost `cacheRead`, cache writes `cacheWrite` (both fall back to `input`);
 * reasoning tokens are output tokens (`output`) unless the table gives `reasoning`.
 */
export const priceCall = (prices: Readonly<Record<string, Price>>, modelId: string, tokens: TokenUsage): number | null => {
  const price = findPrice(prices, modelId)
  if (price === undefined) return null
  const micro = tokens.input * price.input +
    tokens.cacheRead * (price.cacheRead ?? price.input) +
    tokens.cacheWrite * (price.cacheWrite ?? price.input) +
    tokens.output * price.output +
    tokens.reasoning * (price.reasoning ?? price.output)
  return micro / PER_MILLION
}

/** What the same tokens would have cost on the Claude model of `tier` (`config.models[tier].claude`). */
export const claudeEquivalentCost = (config: OmcmConfig, tier: Tier, tokens: TokenUsage): number | null =>
  priceCall(config.prices, config.models[tier].claude, tokens)
