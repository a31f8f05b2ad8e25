import { describe, expect, it } from "vitest"
import { defaultConfig } from "../../src/domain/defaults"
import { claudeEquivalentCost, lookupPrice, priceBookOf, priceCall, priceFreshness, priceWith } from "../../src/services/tracker/pricing"
import { Either } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { type CatalogReading, catalogOf, needsPriceReference, type OpencodeCatalog } from "../../src/services/models/catalog"
import { resolveTier } from "../../src/services/models/modelSelection"

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

describe("prices from OpenCode's catalog", () => {
  const model = (id: string, cost: { input: number; output: number; cacheRead: number | null; cacheWrite: number | null } | null, releaseDate: string | null = null) => ({
    id, name: id, family: null, releaseDate, status: "active", toolCall: true, cost, context: null, output: null
  })
  const catalog: OpencodeCatalog = {
    version: 1,
    fetchedAt: "2026-11-30T00:00:00.000Z",
    source: "test",
    opencodeVersion: "1.18.33",
    connected: ["openai", "anthropic"],
    providers: [
      { id: "openai", name: "OpenAI", env: [], models: [model("gpt-6-sol", { input: 2, output: 10, cacheRead: 0.2, cacheWrite: null }), model("gpt-x", null)] },
      {
        id: "anthropic", name: "Anthropic", env: [], models: [
          model("claude-opus-5-1", { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 }, "2026-01-01"),
          model("claude-opus-5-5", { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 }, "2026-09-01")
        ]
      }
    ]
  }
  const sources = (ids: ReadonlyArray<string>) => new Map(ids.map((id) => [`prices.${id}.input`, "/home/u/.config/omcm/config.json"]))

  it("the catalog's price applies before the built-in table; config.json's own entries override both", () => {
    const config = { ...defaultConfig, prices: { ...defaultConfig.prices, "openai/gpt-6-sol": { input: 1, output: 1 } } }
    const fromCatalog = priceBookOf({ config: defaultConfig, sources: new Map() }, catalog)
    expect(lookupPrice(fromCatalog, "openai/gpt-6-sol")).toEqual({ source: "catalog", price: { input: 2, output: 10, cacheRead: 0.2 } })
    // not in the catalog: the built-in table
    expect(lookupPrice(fromCatalog, "google/gemini-3.8-flash")?.source).toBe("built-in")
    const overridden = priceBookOf({ config, sources: sources(["openai/gpt-6-sol"]) }, catalog)
    expect(lookupPrice(overridden, "openai/gpt-6-sol")).toEqual({ source: "config", price: { input: 1, output: 1 } })
    // 1M input at $2 (catalog), 1M output at $10
    expect(priceWith(fromCatalog, "openai/gpt-6-sol", tokens({ input: 1_000_000, output: 1_000_000 }))).toBeCloseTo(12, 9)
  })

  it("Claude models from the catalog's anthropic entries: an alias is the newest model holding it, a dated id its prefix", () => {
    const book = priceBookOf({ config: defaultConfig, sources: new Map() }, catalog)
    expect(lookupPrice(book, "anthropic/opus")).toMatchObject({ source: "catalog", price: { input: 5, output: 25 } })
    expect(lookupPrice(book, "anthropic/claude-opus-5-1-20260101")).toMatchObject({ source: "catalog", price: { input: 15 } })
    expect(claudeEquivalentCost(defaultConfig, "HIGH", tokens({ output: 1_000_000 }), book)).toBeCloseTo(25, 9)
  })

  it("a model no source prices stays unpriced, never $0 (a catalog model without a cost too)", () => {
    const book = priceBookOf({ config: { ...defaultConfig, prices: {} }, sources: new Map() }, catalog)
    expect(priceWith(book, "openai/gpt-x", tokens({ input: 1000 }))).toBeNull()
    expect(priceWith(book, "xai/grok-5", tokens({ input: 1000 }))).toBeNull()
  })

  it("the catalog's date: stale after a week, and with no catalog", () => {
    const fetched = Date.parse(catalog.fetchedAt)
    expect(priceFreshness(catalog, fetched + 86_400_000)).toEqual({ catalogFetchedAt: catalog.fetchedAt, ageMs: 86_400_000, stale: false })
    expect(priceFreshness(catalog, fetched + 8 * 86_400_000).stale).toBe(true)
    expect(priceFreshness(undefined, fetched)).toEqual({ catalogFetchedAt: null, ageMs: null, stale: true })
  })
})

describe("Claude prices from the catalog when OpenCode has no Anthropic key", () => {
  const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, "../fixtures/opencode-1.18.33-provider.json"), "utf8")) as {
    readonly all: ReadonlyArray<{ readonly id: string }>
    readonly connected: ReadonlyArray<string>
  }
  /** what `GET /config/providers` answers: the connected part of `GET /provider` */
  const configProviders = { providers: fixture.all.filter((p) => fixture.connected.includes(p.id)), default: {} }
  const read = (reading: Omit<CatalogReading, "source" | "opencodeVersion">) =>
    Either.getOrThrow(catalogOf({ ...reading, source: "test", opencodeVersion: "1.18.33" }, new Date("2026-12-01T00:00:00Z")))

  it("keeps Anthropic's priced models from GET /provider apart from the connected providers, and prices Claude from them", () => {
    expect(needsPriceReference(configProviders)).toBe(true)
    const catalog = read({ body: configProviders, reference: fixture })
    expect(catalog.connected).not.toContain("anthropic")
    expect(catalog.providers.map((p) => p.id)).not.toContain("anthropic")
    expect(catalog.priceOnly?.map((p) => p.id)).toEqual(["anthropic"])
    const book = priceBookOf({ config: defaultConfig, sources: new Map() }, catalog)
    // the aliases of the default tiers: the newest priced model of each family in OpenCode 1.18.33's catalog
    expect(lookupPrice(book, "anthropic/opus")).toEqual({ source: "catalog", price: { input: 4, output: 20, cacheRead: 0.2, cacheWrite: 5 } })
    expect(lookupPrice(book, "anthropic/sonnet")).toEqual({ source: "catalog", price: { input: 2, output: 10, cacheRead: 0.2, cacheWrite: 2.5 } })
    expect(lookupPrice(book, "anthropic/haiku")?.source).toBe("catalog")
    expect(claudeEquivalentCost(defaultConfig, "MEDIUM", tokens({ input: 1_000_000, output: 100_000 }), book)).toBeCloseTo(2 + 1, 9)
    // a whole GET /provider body gives the same
    expect(read({ body: fixture }).priceOnly).toEqual(catalog.priceOnly)
  })

  it("never routes to a price-only provider, and asks for no reference when Anthropic is connected", () => {
    const catalog = read({ body: configProviders, reference: fixture })
    expect(resolveTier("MEDIUM", ["anthropic/claude-sonnet-5"], catalog).candidates).toEqual([])
    const withAnthropic = { providers: fixture.all, default: {} }
    expect(needsPriceReference(withAnthropic)).toBe(false)
    expect(read({ body: withAnthropic }).priceOnly).toEqual([])
    // without a reference, Claude is priced from the built-in table
    const book = priceBookOf({ config: defaultConfig, sources: new Map() }, read({ body: configProviders }))
    expect(lookupPrice(book, "anthropic/opus")?.source).toBe("built-in")
  })
})
