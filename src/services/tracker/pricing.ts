import type { OmcmConfig, Price } from "../../domain/configSchema"
import type { TokenUsage } from "../../domain/execution"
import type { Tier } from "../../domain/model"
import type { CatalogModel, OpencodeCatalog } from "../models"

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
export const claudeEquivalentCost = (config: OmcmConfig, tier: Tier, tokens: TokenUsage, book: PriceBook = tableBook(config.prices)): number | null =>
  priceWith(book, config.models[tier].claude, tokens)

/** Where a price came from: the user's config.json, OpenCode's catalog, or omcm's built-in table (neither names it). */
export type PriceSource = "config" | "catalog" | "built-in"

/**
 * Every price omcm knows, in the order they apply: the entries of config.json `prices` the user wrote (overrides),
 * OpenCode's catalog as some process last saved it (the source OpenCode prices its own calls from), and the
 * built-in table for a model neither names. A model none of them names is unpriced.
 */
export interface PriceBook {
  readonly overrides: Readonly<Record<string, Price>>
  readonly catalog: OpencodeCatalog | undefined
  readonly builtIn: Readonly<Record<string, Price>>
}

/** the price book of a loaded config (its `sources` tell the user's entries from the defaults) and a saved catalog */
export const priceBookOf = (
  loaded: { readonly config: OmcmConfig; readonly sources: ReadonlyMap<string, string> },
  catalog: OpencodeCatalog | undefined
): PriceBook => {
  const overrides: Record<string, Price> = {}
  const builtIn: Record<string, Price> = {}
  for (const [id, price] of Object.entries(loaded.config.prices)) {
    const fromUser = [...loaded.sources].some(([leaf, source]) => source !== "default" && leaf.startsWith(`prices.${id}.`))
    if (fromUser) overrides[id] = price
    else builtIn[id] = price
  }
  return { overrides, catalog, builtIn }
}

/** a price table only (tests, and callers without a catalog) */
export const tableBook = (prices: Readonly<Record<string, Price>>): PriceBook => ({ overrides: prices, catalog: undefined, builtIn: {} })

const asPrice = (cost: NonNullable<CatalogModel["cost"]>): Price => ({
  input: cost.input,
  output: cost.output,
  ...(cost.cacheRead === null ? {} : { cacheRead: cost.cacheRead }),
  ...(cost.cacheWrite === null ? {} : { cacheWrite: cost.cacheWrite })
})

/**
 * The catalog's price of `provider/model`: the model itself; else, for a dated id (`claude-opus-5-5-20261001`), the
 * longest catalog id it starts with; else, for an alias (`anthropic/opus`), the newest priced model whose id holds it.
 */
export const catalogPrice = (catalog: OpencodeCatalog, modelId: string): Price | undefined => {
  const slash = modelId.indexOf("/")
  if (slash < 0) return undefined
  const provider = modelId.slice(0, slash)
  const models = (catalog.providers.find((p) => p.id === provider) ?? catalog.priceOnly?.find((p) => p.id === provider))
    ?.models.filter((m) => m.cost !== null) ?? []
  const model = modelId.slice(slash + 1)
  const exact = models.find((m) => m.id === model)
  const prefix = models.filter((m) => model.startsWith(m.id)).sort((a, b) => b.id.length - a.id.length)[0]
  const alias = models.filter((m) => m.id.includes(model))
    .sort((a, b) => (b.releaseDate ?? "").localeCompare(a.releaseDate ?? "") || a.id.localeCompare(b.id))[0]
  const found = exact ?? prefix ?? alias
  return found?.cost == null ? undefined : asPrice(found.cost)
}

export const lookupPrice = (book: PriceBook, modelId: string): { readonly price: Price; readonly source: PriceSource } | undefined => {
  const override = findPrice(book.overrides, modelId)
  if (override !== undefined) return { price: override, source: "config" }
  const listed = book.catalog === undefined ? undefined : catalogPrice(book.catalog, modelId)
  if (listed !== undefined) return { price: listed, source: "catalog" }
  const builtIn = findPrice(book.builtIn, modelId)
  return builtIn === undefined ? undefined : { price: builtIn, source: "built-in" }
}

/** `priceCall` against a price book */
export const priceWith = (book: PriceBook, modelId: string, tokens: TokenUsage): number | null => {
  const found = lookupPrice(book, modelId)
  return found === undefined ? null : priceCall({ [modelId]: found.price }, modelId, tokens)
}

/** how old the saved catalog's prices are; `stale` past `maxAgeMs` (for `omcm doctor`, the stats JSON) */
export interface PriceFreshness {
  readonly catalogFetchedAt: string | null
  readonly ageMs: number | null
  readonly stale: boolean
}

export const CATALOG_STALE_AFTER_MS = 7 * 86_400_000

export const priceFreshness = (catalog: OpencodeCatalog | undefined, now: number, maxAgeMs = CATALOG_STALE_AFTER_MS): PriceFreshness => {
  if (catalog === undefined) return { catalogFetchedAt: null, ageMs: null, stale: true }
  const ageMs = Math.max(0, now - Date.parse(catalog.fetchedAt))
  return { catalogFetchedAt: catalog.fetchedAt, ageMs, stale: !(ageMs <= maxAgeMs) }
}
