import { Effect, Either, Exit, Layer, Option, Schema } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { type ModelChoice, OmcmConfig, type OpencodeModels } from "../../src/domain/configSchema"
import { defaultConfig } from "../../src/domain/defaults"
import { TIERS } from "../../src/domain/model"
import { Config } from "../../src/services/config/Config"
import { loadConfig } from "../../src/services/config/Config"
import { CatalogCache, makeCatalogCache } from "../../src/services/models/CatalogCache"
import { catalogOf, type OpencodeCatalog } from "../../src/services/models/catalog"
import { ModelCatalog } from "../../src/services/models/ModelCatalog"
import { explicitIds, resolveTier, resolveTiers, routingModel } from "../../src/services/models/modelSelection"
import { lookupAgent } from "../../src/services/router/agentCatalog"
import { route } from "../../src/services/router/routingPolicy"

/** `GET /provider` of the pinned OpenCode (1.18.33), trimmed: openai, google, opencode, deepseek, mistral */
const FIXTURE = JSON.parse(fs.readFileSync(path.join(__dirname, "../fixtures/opencode-1.18.33-provider.json"), "utf8")) as {
  readonly all: ReadonlyArray<{ readonly id: string; readonly models: Record<string, { status: string; capabilities: { toolcall: boolean } }> }>
  readonly connected: ReadonlyArray<string>
}

const NOW = new Date("2026-12-01T00:00:00Z")

/** the fixture's catalog as a server with credentials for `connected` would give it */
const catalogWith = (connected: ReadonlyArray<string>): OpencodeCatalog => {
  const result = catalogOf({ body: { ...FIXTURE, connected }, source: "fixture", opencodeVersion: "1.18.33" }, NOW)
  if (Either.isLeft(result)) throw new Error(result.left)
  return result.right
}

const BOTH = catalogWith(["google", "openai", "opencode"])
const GOOGLE_ONLY = catalogWith(["google", "opencode"])
const NO_KEYS = catalogWith(["opencode"])

const ids = (models: OpencodeModels, catalog: OpencodeCatalog | undefined) => resolveTier("MEDIUM", models, catalog).candidates.map((c) => c.id)

const inFixture = (id: string) => {
  const [provider, model] = [id.slice(0, id.indexOf("/")), id.slice(id.indexOf("/") + 1)]
  return FIXTURE.all.find((p) => p.id === provider)?.models[model]
}

describe("the catalog of OpenCode's provider list", () => {
  it("keeps the connected providers of GET /provider, with what choosing a model needs", () => {
    expect(BOTH.providers.map((p) => p.id)).toEqual(["openai", "google", "opencode"])
    expect(BOTH.connected).toEqual(["google", "openai", "opencode"])
    const sol = BOTH.providers[0]!.models.find((m) => m.id === "gpt-6-sol")
    expect(sol).toEqual({
      id: "gpt-6-sol",
      name: "GPT-6 Sol",
      family: "gpt-sol",
      releaseDate: "2026-09-22",
      status: "active",
      toolCall: true,
      cost: { input: 2, output: 10, cacheRead: 0.2, cacheWrite: 2.5 },
      context: 1_050_000,
      output: 128_000
    })
    expect(BOTH.providers[1]!.env).toContain("GOOGLE_GENERATIVE_AI_API_KEY")
    expect(BOTH).toMatchObject({ version: 1, fetchedAt: NOW.toISOString(), source: "fixture", opencodeVersion: "1.18.33" })
  })

  it("reads GET /config/providers (every provider listed is connected), models.dev's spellings and models without a date", () => {
    const body = {
      providers: [{
        id: "acme",
        env: ["ACME_KEY"],
        key: "sk-secret",
        options: { apiKey: "sk-secret" },
        models: {
          "coder-2": { id: "coder-2", release_date: "", tool_call: true, cost: { input: 1, output: 2, cache_read: 0.1 }, status: "beta" },
          "broken": { release_date: 42 },
          "bare": {}
        }
      }, { name: "no id" }],
      default: { acme: "coder-2" }
    }
    const catalog = Either.getOrThrow(catalogOf({ body, source: "test", opencodeVersion: null }, NOW))
    expect(catalog.connected).toEqual(["acme"])
    expect(catalog.providers[0]!.models).toEqual([
      { id: "coder-2", name: "coder-2", family: null, releaseDate: null, status: "beta", toolCall: true, cost: { input: 1, output: 2, cacheRead: 0.1, cacheWrite: null }, context: null, output: null },
      { id: "bare", name: "bare", family: null, releaseDate: null, status: "active", toolCall: false, cost: null, context: null, output: null }
    ])
    // a provider's key never reaches the cache
    expect(JSON.stringify(catalog)).not.toContain("sk-secret")
  })

  it("fails with a reason on a body of another shape", () => {
    expect(Either.isLeft(catalogOf({ body: { error: "nope" }, source: "x", opencodeVersion: null }, NOW))).toBe(true)
    expect(Either.isLeft(catalogOf({ body: "html", source: "x", opencodeVersion: null }, NOW))).toBe(true)
  })
})

describe("the default models in the pinned OpenCode's catalog", () => {
  it("with OpenAI and Google keys: OpenAI's newest flagship, general and mini models, Google's newest pro and flash", () => {
    const tiers = resolveTiers(defaultConfig, BOTH)
    expect(tiers.HIGH.candidates.map((c) => c.id)).toEqual(["openai/gpt-6-astra", "google/gemini-3.1-pro-preview"])
    expect(tiers.MEDIUM.candidates.map((c) => c.id)).toEqual(["openai/gpt-6-sol", "google/gemini-3.1-pro-preview"])
    expect(tiers.LOW.candidates.map((c) => c.id)).toEqual(["google/gemini-3.8-flash", "openai/gpt-5.4-mini"])
    for (const tier of TIERS) {
      for (const c of tiers[tier].candidates) {
        expect(inFixture(c.id), c.id).toMatchObject({ status: "active", capabilities: { toolcall: true } })
      }
      // the fixed id is what the selectors found first: a duplicate, not a third candidate
      expect(tiers[tier].entries.at(-1)!.outcome).toBe("already candidate 1")
    }
    expect(tiers.MEDIUM.candidates[0]!.why).toBe("newest of 10 usable matches (released 2026-09-22)")
  })

  it("the fixed ids of the defaults (used until a catalog is read) are real models of the catalog", () => {
    for (const tier of TIERS) {
      for (const id of explicitIds(defaultConfig.models[tier].opencode)) {
        expect(inFixture(id), id).toMatchObject({ status: "active", capabilities: { toolcall: true } })
      }
    }
  })

  it("only Google credentials -> MEDIUM and LOW (and HIGH) resolve to Google models, saying why OpenAI's were skipped", () => {
    const tiers = resolveTiers(defaultConfig, GOOGLE_ONLY)
    expect(tiers.MEDIUM.candidates.map((c) => c.id)).toEqual(["google/gemini-3.1-pro-preview"])
    expect(tiers.LOW.candidates.map((c) => c.id)).toEqual(["google/gemini-3.8-flash"])
    expect(tiers.HIGH.candidates.map((c) => c.id)).toEqual(["google/gemini-3.1-pro-preview"])
    const [openai, , fixed] = tiers.MEDIUM.entries
    expect(openai!.outcome).toBe("openai is not connected (OpenCode has no credentials for it)")
    expect(fixed).toMatchObject({
      label: "openai/gpt-6-sol",
      outcome: "dropped: openai is not connected (OpenCode has no credentials for it)",
      leftOut: [{ id: "openai/gpt-6-sol", reason: "openai is not connected (OpenCode has no credentials for it)" }]
    })
    const d = route({ config: defaultConfig, mapping: {}, agent: "executor", mode: "hulw", usage: { percent: 0, fiveHour: null, weekly: null, source: "unknown" }, heavy: false, catalog: GOOGLE_ONLY })
    expect(d).toMatchObject({ target: "opencode", provider: "google", model: "gemini-3.1-pro-preview", tier: "MEDIUM" })
    expect(Object.keys(d).sort()).toEqual(["mode", "model", "provider", "reason", "target", "tier", "usage"])
  })

  it("no provider credentials: no tier has a model, and routing keeps the call on Claude, saying why", () => {
    const tiers = resolveTiers(defaultConfig, NO_KEYS)
    for (const tier of TIERS) expect(tiers[tier].candidates).toEqual([])
    const d = route({ config: defaultConfig, mapping: {}, agent: "explore", mode: "hulw", usage: { percent: 0, fiveHour: null, weekly: null, source: "unknown" }, heavy: false, catalog: NO_KEYS })
    expect(d).toMatchObject({ target: "claude", provider: "anthropic", model: "haiku", tier: "LOW" })
    expect(d.reason).toMatch(/^No OpenCode model of LOW is usable \(models\.LOW\.opencode: .*google is not connected.*\), so explore stays on Claude\.$/)
  })

  it("without a catalog: the fixed ids as they are, selectors unresolved", () => {
    const r = resolveTier("MEDIUM", defaultConfig.models.MEDIUM.opencode, undefined)
    expect(r.catalog).toBeNull()
    expect(r.candidates.map((c) => c.id)).toEqual(["openai/gpt-6-sol"])
    expect(r.entries.map((e) => e.outcome)).toEqual([
      "not resolved: no OpenCode catalog read yet",
      "not resolved: no OpenCode catalog read yet",
      "candidate 1, not checked: no OpenCode catalog read yet"
    ])
    expect(routingModel("LOW", defaultConfig.models.LOW.opencode, undefined)).toMatchObject({ _tag: "Model", id: "google/gemini-3.8-flash" })
    expect(routingModel("LOW", { provider: "google" }, undefined)).toMatchObject({ _tag: "None" })
  })
})

describe("selectors", () => {
  it("match and exclude are case-insensitive; newest ties go to the shorter id; models without tool calls are left out", () => {
    const r = resolveTier("MEDIUM", { provider: "openai", match: "CODEX|GPT", exclude: "pro|mini|nano", pick: "newest" }, BOTH)
    // gpt-6-sol, gpt-6-luna and their -fast variants share 2026-09-22
    expect(r.candidates.map((c) => c.id)).toEqual(["openai/gpt-6-sol"])
    expect(r.entries[0]!.leftOut).toEqual(expect.arrayContaining([
      { id: "openai/gpt-image-2", reason: "no tool calls" },
      { id: "openai/chatgpt-image-latest", reason: "no tool calls" }
    ]))
  })

  it("pick cheapest (input + output), first (the catalog's order), and limit", () => {
    expect(ids({ provider: "openai", match: "^gpt-[0-9.]+-mini$", pick: "cheapest" }, BOTH)).toEqual(["openai/gpt-4.1-mini"])
    expect(ids({ provider: "google", match: "^gemini-[0-9.]+-flash$", limit: 3 }, BOTH)).toEqual([
      "google/gemini-3.8-flash",
      "google/gemini-3.7-flash",
      "google/gemini-3.6-flash"
    ])
    const first = resolveTier("LOW", { provider: "google", match: "flash", pick: "first" }, BOTH)
    const catalogOrder = BOTH.providers[1]!.models.filter((m) => /flash/i.test(m.id) && m.toolCall && m.status === "active").map((m) => `google/${m.id}`)
    expect(first.candidates.map((c) => c.id)).toEqual([catalogOrder[0]])
  })

  it("a model already a candidate is skipped and the next one taken", () => {
    expect(ids(["google/gemini-3.8-flash", { provider: "google", match: "^gemini-[0-9.]+-flash$" }], BOTH)).toEqual([
      "google/gemini-3.8-flash",
      "google/gemini-3.7-flash"
    ])
  })

  it("without a provider, every connected provider's models count", () => {
    expect(ids({ match: "^big-pickle$" }, BOTH)).toEqual(["opencode/big-pickle"])
    expect(resolveTier("LOW", { match: "^nothing-like-this$" }, BOTH).entries[0]!.outcome).toBe("no model of the connected providers matches")
  })

  it("takes active models only; deprecated models are left out with the reason", () => {
    const withMistral = catalogWith(["mistral", "deepseek"])
    const mistral = withMistral.providers.find((p) => p.id === "mistral")!.models
    const beta = mistral.find((m) => m.status === "beta" && m.toolCall)
    const deprecated = mistral.find((m) => m.status === "deprecated" && m.toolCall)!
    const r = resolveTier("LOW", { provider: "mistral", limit: 20 }, withMistral)
    expect(r.entries[0]!.leftOut).toContainEqual({ id: `mistral/${deprecated.id}`, reason: "deprecated" })
    if (beta !== undefined) {
      expect(r.entries[0]!.leftOut).toContainEqual({ id: `mistral/${beta.id}`, reason: "beta (a selector takes active models only)" })
      // a fixed id may name a beta model, never a deprecated one
      expect(ids([`mistral/${beta.id}`], withMistral)).toEqual([`mistral/${beta.id}`])
    }
    expect(resolveTier("LOW", [`mistral/${deprecated.id}`], withMistral).entries[0]!.outcome).toBe("dropped: deprecated")
  })
})

describe("fixed ids are checked against the catalog", () => {
  it("drops ids the catalog does not have, models without tool calls and duplicates, with the reason", () => {
    const r = resolveTier("MEDIUM", ["openai/gpt-5.2-codex", "openai/gpt-image-2", "openai/gpt-5.4", "openai/gpt-5.4", "deepseek/deepseek-chat"], BOTH)
    expect(r.candidates.map((c) => c.id)).toEqual(["openai/gpt-5.4"])
    expect(r.entries.map((e) => e.outcome)).toEqual([
      "dropped: not in OpenCode's catalog (openai lists 57 models)",
      "dropped: no tool calls",
      "candidate 1",
      "already candidate 1",
      "dropped: deepseek is not connected (OpenCode has no credentials for it)"
    ])
    expect(r.candidates[0]!.why).toBe("fixed id (released 2026-03-05)")
  })

  it("agent-mapping's pinned model is taken as it is", () => {
    const info = lookupAgent(defaultConfig, { agents: { writer: { model: "google/gemini-3-pro" } } }, "writer", NO_KEYS)
    expect(info).toMatchObject({ tier: "LOW", opencodeModel: "google/gemini-3-pro" })
  })
})

describe("config.json's models.<TIER>.opencode", () => {
  const decode = (opencode: unknown) =>
    Schema.decodeUnknownEither(OmcmConfig, { onExcessProperty: "error" })({ ...defaultConfig, models: { ...defaultConfig.models, LOW: { claude: "anthropic/haiku", opencode } } })

  it("takes an id, a selector, or a mixed list", () => {
    const choices: ReadonlyArray<unknown> = [
      "google/gemini-3.8-flash",
      { provider: "google", match: "flash", exclude: "lite|image|tts|live", pick: "cheapest", limit: 2 },
      [{ provider: "openai", match: "mini" }, "google/gemini-3.8-flash", {}]
    ]
    for (const c of choices) expect(Either.isRight(decode(c)), JSON.stringify(c)).toBe(true)
    expect(Either.isLeft(decode([]))).toBe(true)
  })

  const dirs: Array<string> = []
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
  })
  const tempDir = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), "omcm-models-config-"))
    dirs.push(d)
    return d
  }
  const errorOf = async (opencode: unknown) => {
    const dir = tempDir()
    fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify({ models: { LOW: { opencode } } }))
    const exit = await Effect.runPromiseExit(loadConfig(path.join(dir, "config.json"), path.join(dir, "agent-mapping.json")))
    if (Exit.isSuccess(exit)) throw new Error("expected a config error")
    return exit.cause._tag === "Fail" ? exit.cause.error.message : undefined
  }

  it("names the bad part of a selector or list", async () => {
    expect(await errorOf("gemini")).toBe(`config.json: models.LOW.opencode: expected a model id of the form provider/model, got "gemini"`)
    expect(await errorOf({ provider: "google", match: "(" })).toBe(`config.json: models.LOW.opencode.match: expected a regular expression, got "("`)
    expect(await errorOf({ provider: "google", pick: "best" })).toBe(`config.json: models.LOW.opencode.pick: expected one of "newest", "cheapest", "first", got "best"`)
    expect(await errorOf({ provider: "google", matches: "flash" })).toBe("config.json: models.LOW.opencode.matches: unknown key")
    expect(await errorOf(["google/gemini-3.8-flash", "flash"])).toBe(`config.json: models.LOW.opencode[1]: expected a model id of the form provider/model, got "flash"`)
    expect(await errorOf([])).toBe("config.json: models.LOW.opencode: expected a non-empty list of model ids and selectors, got []")
  })

  it("a user's selector or id replaces the default list whole (no deep merge into it)", async () => {
    const dir = tempDir()
    fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify({ models: { LOW: { opencode: { provider: "openai", match: "mini" } } } }))
    const loaded = await Effect.runPromise(loadConfig(path.join(dir, "config.json"), path.join(dir, "agent-mapping.json")))
    expect(loaded.config.models.LOW.opencode).toEqual({ provider: "openai", match: "mini" })
    expect(ids(loaded.config.models.LOW.opencode, BOTH)).toEqual(["openai/gpt-5.4-mini"])
  })
})

describe("CatalogCache and ModelCatalog", () => {
  let dir: string | undefined
  afterEach(() => dir !== undefined && fs.rmSync(dir, { recursive: true, force: true }))

  it("saves the catalog with its date for other processes; a missing or broken file is no catalog", async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "omcm-models-cache-"))
    const file = path.join(dir, "state", "opencode-models.json")
    const cache = makeCatalogCache(file)
    expect(Option.isNone(await Effect.runPromise(cache.read))).toBe(true)
    await Effect.runPromise(cache.write(GOOGLE_ONLY))
    const other = makeCatalogCache(file)
    const read = await Effect.runPromise(other.read)
    expect(Option.getOrThrow(read)).toEqual(GOOGLE_ONLY)
    // read again unchanged: the same decoded value, not a new read
    expect(Option.getOrThrow(await Effect.runPromise(other.read))).toBe(Option.getOrThrow(read))
    fs.writeFileSync(file, "{ not json")
    expect(Option.isNone(await Effect.runPromise(other.read))).toBe(true)
  })

  it("refresh turns a server's answer into the saved catalog; candidates(tier) resolve against it", async () => {
    const layer = ModelCatalog.layerWithoutDependencies.pipe(
      Layer.provideMerge(Layer.mergeAll(CatalogCache.none, Layer.succeed(Config, Config.make())))
    )
    const program = Effect.gen(function*() {
      const models = yield* ModelCatalog
      const before = yield* models.candidates("MEDIUM")
      const body = { providers: FIXTURE.all.filter((p) => p.id === "google") }
      const saved = yield* models.refresh(Effect.succeed({ body, source: "a test server", opencodeVersion: "1.18.33" }))
      const after = yield* models.candidates("MEDIUM")
      const bad = yield* Effect.flip(models.refresh(Effect.succeed({ body: [], source: "x", opencodeVersion: null })))
      return { before, saved, after, bad, cached: yield* models.cached }
    })
    const { after, bad, before, cached, saved } = await Effect.runPromise(Effect.provide(program, layer))
    expect(before.candidates.map((c) => c.id)).toEqual(["openai/gpt-6-sol"])
    expect(saved.connected).toEqual(["google"])
    expect(after.candidates.map((c) => c.id)).toEqual(["google/gemini-3.1-pro-preview"])
    expect(after.catalog).toEqual({ fetchedAt: saved.fetchedAt, source: "a test server" })
    expect(bad._tag).toBe("CatalogUnreadable")
    expect(Option.getOrThrow(cached)).toEqual(saved)
  })
})

it("every selector of the defaults is a valid ModelChoice (sanity of the types the README shows)", () => {
  const all: ReadonlyArray<ModelChoice> = TIERS.flatMap((t) => {
    const m = defaultConfig.models[t].opencode
    return Array.isArray(m) ? m : [m as ModelChoice]
  })
  expect(all.filter((c) => typeof c !== "string").length).toBe(6)
})
