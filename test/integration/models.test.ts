// The default model selectors against the real catalog of the pinned OpenCode (node_modules/.bin/opencode, 1.18.33):
// servers started with NO config overrides (the catalog compiled into the binary, offline flags, a temporary home),
// fake provider keys in their environment so that OpenCode counts those providers as connected. No model is called.
import { NodeContext, NodeHttpClient } from "@effect/platform-node"
import { Duration, Effect, Either, Exit, Layer, Scope } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { defaultConfig } from "../../src/domain/defaults"
import { TIERS } from "../../src/domain/model"
import { catalogOf, type OpencodeCatalog } from "../../src/services/models/catalog"
import { explicitIds, resolveTiers } from "../../src/services/models/modelSelection"
import { OPENCODE_OFFLINE_FLAGS, opencodeServeEnv } from "../../src/services/pool/opencodeEnv"
import { OpenCodeClient } from "../../src/services/pool/OpenCodeClient"
import { runOmcm, runOmcmAsync } from "../support/cli"
import { startOpencodeServe } from "../support/opencodeServer"
import { makeTempHome, type TempHome } from "../support/tempHome"

/** the variables OpenCode 1.18.33 reads the keys from (`env` of its openai and google providers in GET /provider) */
const OPENAI_KEY = { OPENAI_API_KEY: "sk-omcm-test-not-a-real-key" }
const GOOGLE_KEY = { GOOGLE_GENERATIVE_AI_API_KEY: "omcm-test-not-a-real-key" }

const Deps = Layer.mergeAll(NodeContext.layer, OpenCodeClient.layerWithoutDependencies.pipe(Layer.provide(NodeHttpClient.layer)))

/** `opencode serve` as it comes: no OPENCODE_CONFIG_CONTENT, its own temporary home, the given keys in its environment */
const startPlainServer = (keys: Readonly<Record<string, string>>) =>
  startOpencodeServe({
    // nothing of the developer's environment: no real key, no OpenCode config of theirs
    env: ({ password, root }) => opencodeServeEnv({ password, xdgRoot: root, base: { PATH: process.env.PATH ?? "" }, extra: keys }),
    startTimeout: Duration.seconds(90)
  })

/** `GET /provider`: every provider of the catalog (6 MB) */
const getProviderList = async (server: { readonly baseUrl: string; readonly password: string; readonly directory: string }) => {
  const response = await fetch(`${server.baseUrl}/provider?directory=${encodeURIComponent(server.directory)}`, {
    headers: { authorization: `Basic ${Buffer.from(`opencode:${server.password}`).toString("base64")}` },
    signal: AbortSignal.timeout(120_000)
  })
  expect(response.status).toBe(200)
  return (await response.json()) as {
    readonly all: ReadonlyArray<{ readonly id: string; readonly models: Record<string, { readonly status: string; readonly capabilities: { readonly toolcall: boolean } }> }>
    readonly connected: ReadonlyArray<string>
  }
}

interface Probe {
  readonly catalog: OpencodeCatalog
  readonly providerList: Awaited<ReturnType<typeof getProviderList>>
  readonly configProviderIds: ReadonlyArray<string>
}

/** Start a plain server with `keys`, read its catalog as omcm does (GET /config/providers) and GET /provider. */
const probe = async (keys: Readonly<Record<string, string>>): Promise<{ readonly probe: Probe; readonly close: () => Promise<void> }> => {
  const scope = Effect.runSync(Scope.make())
  try {
    const { catalog, server } = await Effect.runPromise(
      Effect.gen(function*() {
        const server = yield* startPlainServer(keys)
        const listing = yield* Effect.flatMap(OpenCodeClient, (c) => c.providers(server, server.directory))
        const catalog = Either.getOrThrow(catalogOf({ body: listing.body, source: "test", opencodeVersion: listing.version }, new Date()))
        return { catalog, server }
      }).pipe(Effect.provide(Deps), Scope.extend(scope))
    )
    const providerList = await getProviderList(server)
    return {
      probe: { catalog, providerList, configProviderIds: catalog.providers.map((p) => p.id) },
      close: () => Effect.runPromise(Scope.close(scope, Exit.void))
    }
  } catch (error) {
    await Effect.runPromise(Scope.close(scope, Exit.void))
    throw error
  }
}

/** every candidate of every tier is a model of GET /provider: connected provider, active, with tool calls */
const expectRealCandidates = (p: Probe) => {
  const tiers = resolveTiers(defaultConfig, p.catalog)
  for (const tier of TIERS) {
    for (const c of tiers[tier].candidates) {
      expect(p.providerList.connected, c.id).toContain(c.provider)
      const model = p.providerList.all.find((x) => x.id === c.provider)?.models[c.model]
      expect(model, c.id).toBeDefined()
      expect(model!.status, c.id).toBe("active")
      expect(model!.capabilities.toolcall, c.id).toBe(true)
    }
  }
  return tiers
}

describe("the default models against the pinned OpenCode's own catalog, OpenAI and Google keys", () => {
  let p: Probe
  let close: () => Promise<void> = async () => {}
  beforeAll(async () => {
    const started = await probe({ ...OPENAI_KEY, ...GOOGLE_KEY })
    p = started.probe
    close = started.close
  }, 240_000)
  afterAll(() => close())

  it("GET /config/providers (what omcm reads) is the connected part of GET /provider", () => {
    expect(p.catalog.opencodeVersion).toBe("1.18.33")
    expect([...p.configProviderIds].sort()).toEqual([...p.providerList.connected].sort())
    expect(p.providerList.connected).toEqual(expect.arrayContaining(["openai", "google"]))
    for (const provider of p.catalog.providers) {
      const full = p.providerList.all.find((x) => x.id === provider.id)!
      expect(provider.models.map((m) => m.id).sort()).toEqual(Object.keys(full.models).sort())
    }
  })

  it("every default resolves to models that exist in GET /provider: connected, active, with tool calls", () => {
    const tiers = expectRealCandidates(p)
    expect(tiers.HIGH.candidates.map((c) => c.id)).toEqual(["openai/gpt-6-astra", "google/gemini-3.1-pro-preview"])
    expect(tiers.MEDIUM.candidates.map((c) => c.id)).toEqual(["openai/gpt-6-sol", "google/gemini-3.1-pro-preview"])
    expect(tiers.LOW.candidates.map((c) => c.id)).toEqual(["google/gemini-3.8-flash", "openai/gpt-5.4-mini"])
    // the fixed ids routing uses before any catalog is read are real too
    for (const tier of TIERS) {
      for (const id of explicitIds(defaultConfig.models[tier].opencode)) {
        const [provider, model] = [id.slice(0, id.indexOf("/")), id.slice(id.indexOf("/") + 1)]
        expect(p.providerList.all.find((x) => x.id === provider)?.models[model]?.status, id).toBe("active")
      }
    }
  })
})

describe("the default models with only a Google key", () => {
  let p: Probe
  let close: () => Promise<void> = async () => {}
  beforeAll(async () => {
    const started = await probe(GOOGLE_KEY)
    p = started.probe
    close = started.close
  }, 240_000)
  afterAll(() => close())

  it("MEDIUM and LOW (and HIGH) resolve to Google models; OpenAI's entries say it is not connected", () => {
    expect(p.providerList.connected).toContain("google")
    expect(p.providerList.connected).not.toContain("openai")
    const tiers = expectRealCandidates(p)
    expect(tiers.MEDIUM.candidates.map((c) => c.id)).toEqual(["google/gemini-3.1-pro-preview"])
    expect(tiers.LOW.candidates.map((c) => c.id)).toEqual(["google/gemini-3.8-flash"])
    expect(tiers.HIGH.candidates.map((c) => c.id)).toEqual(["google/gemini-3.1-pro-preview"])
    expect(tiers.MEDIUM.entries[0]!.outcome).toBe("openai is not connected (OpenCode has no credentials for it)")
  })
})

describe("omcm models and routing from the saved catalog (only a Google key)", () => {
  let h: TempHome
  let env: NodeJS.ProcessEnv
  beforeAll(() => {
    h = makeTempHome("omcm-models-")
    env = { ...h.env, ...OPENCODE_OFFLINE_FLAGS, ...GOOGLE_KEY }
    // ports of their own, away from other pools on this machine
    h.writeConfig({ pool: { basePort: 15100 + Math.floor(Math.random() * 40) * 20, minServers: 1 } })
    fs.mkdirSync(path.join(h.root, "project"), { recursive: true })
  })
  afterAll(async () => {
    await runOmcmAsync(["pool", "stop"], env)
    h.cleanup()
  })

  it("without a daemon: a short-lived server's catalog, saved; hooks and omcm route then name Google models", async () => {
    const before = JSON.parse(runOmcm(["route", "executor", "--mode", "hulw", "--json"], env).stdout)
    // no catalog yet: the fixed id of the defaults
    expect(before).toMatchObject({ target: "opencode", provider: "openai", model: "gpt-6-sol" })

    const r = await runOmcmAsync(["models", "--json"], env, { cwd: path.join(h.root, "project"), timeoutMs: 240_000 })
    expect(r.status, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out.catalog).toMatchObject({ origin: "short-lived server", opencodeVersion: "1.18.33", file: h.paths.modelsFile })
    expect(out.catalog.connected).toContain("google")
    // Claude's prices from the same catalog although OpenCode has no Anthropic key (read from GET /provider)
    expect(out.catalog.priceOnly).toEqual(["anthropic"])
    const savedCatalog = JSON.parse(fs.readFileSync(h.paths.modelsFile, "utf8")) as OpencodeCatalog
    expect(savedCatalog.priceOnly?.[0]?.models.find((m) => m.id === "claude-opus-5-5")?.cost).toEqual({ input: 4, output: 20, cacheRead: 0.2, cacheWrite: 5 })
    expect(out.tiers.MEDIUM.model).toBe("google/gemini-3.1-pro-preview")
    expect(out.tiers.LOW.model).toBe("google/gemini-3.8-flash")
    expect(out.tiers.MEDIUM.entries[2]).toMatchObject({ choice: "openai/gpt-6-sol", picked: [] })
    expect(fs.existsSync(h.paths.modelsFile)).toBe(true)

    const after = JSON.parse(runOmcm(["route", "executor", "--mode", "hulw", "--json"], env).stdout)
    expect(after).toMatchObject({ target: "opencode", provider: "google", model: "gemini-3.1-pro-preview", tier: "MEDIUM" })
    const cached = runOmcm(["models", "--cached"], env)
    expect(cached.status).toBe(0)
    expect(cached.stdout).toContain("MEDIUM  → google/gemini-3.1-pro-preview")
    expect(cached.stdout).toContain("openai is not connected (OpenCode has no credentials for it)")
  }, 300_000)

  it("with the pool daemon: it saves the catalog when it starts, and omcm models reads it through the daemon", async () => {
    fs.rmSync(h.paths.modelsFile, { force: true })
    const start = await runOmcmAsync(["pool", "start", "--detach", "--min", "1", "--max", "1"], env, { cwd: path.join(h.root, "project") })
    expect(start.status, start.stderr).toBe(0)
    const deadline = Date.now() + 120_000
    while (!fs.existsSync(h.paths.modelsFile) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250))
    const saved = JSON.parse(fs.readFileSync(h.paths.modelsFile, "utf8")) as OpencodeCatalog
    expect(saved.source).toMatch(/^the pool daemon's server on port \d+$/)
    expect(saved.priceOnly?.map((p) => p.id)).toEqual(["anthropic"])

    const r = await runOmcmAsync(["models", "--json"], env, { timeoutMs: 120_000 })
    expect(r.status, r.stderr).toBe(0)
    expect(r.stderr).toBe("")
    const out = JSON.parse(r.stdout)
    expect(out.catalog.origin).toBe("daemon")
    expect(out.tiers.LOW.model).toBe("google/gemini-3.8-flash")
  }, 300_000)
})
