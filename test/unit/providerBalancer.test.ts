import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, FastCheck as fc, Layer } from "effect"
import { type BalancerSettings, balancerSettings, DEFAULT_PROVIDERS } from "../../src/services/balancer/strategies"
import { Config } from "../../src/services/config/Config"
import { Store } from "../../src/services/store/Store"
import { makeProviderBalancer, ProviderBalancer } from "../../src/services/balancer/ProviderBalancer"

const defaults = balancerSettings({})
const times = <A, E>(n: number, effect: Effect.Effect<A, E>) => Effect.all(Array.from({ length: n }, () => effect))
const count = (picks: ReadonlyArray<string>) =>
  picks.reduce<Record<string, number>>((acc, p) => ({ ...acc, [p]: (acc[p] ?? 0) + 1 }), {})

describe("ProviderBalancer settings", () => {
  it("defaults to the seed's claude 3/1, openai 2/2, gemini 2/2 and the weighted strategy", () => {
    expect(defaults.strategy).toBe("weighted")
    expect(defaults.providers.map(([name, s]) => [name, s.weight, s.priority, s.enabled])).toEqual([
      ["claude", 3, 1, true],
      ["openai", 2, 2, true],
      ["gemini", 2, 2, true]
    ])
  })

  it.scoped("agent-mapping.json's balancingStrategy and providers override the defaults field by field", () =>
    Effect.gen(function*() {
      const mapping = {
        balancingStrategy: "latency" as const,
        providers: { openai: { weight: 5 }, gemini: { enabled: false }, mistral: { priority: 3, models: ["large"] } }
      }
      const context = yield* Layer.build(ProviderBalancer.layerWithoutDependencies.pipe(
        Layer.provide([Layer.succeed(Config, Config.make({}, mapping)), Store.layerInMemory])
      ))
      const balancer = Context.get(context, ProviderBalancer)
      expect(balancer.settings.strategy).toBe("latency")
      expect(Object.fromEntries(balancer.settings.providers)).toEqual({
        claude: DEFAULT_PROVIDERS[0]![1],
        openai: { ...DEFAULT_PROVIDERS[1]![1], weight: 5 },
        gemini: { ...DEFAULT_PROVIDERS[2]![1], enabled: false },
        mistral: { weight: 1, priority: 3, enabled: true, models: ["large"] }
      })
      // disabled providers are never chosen
      expect(count(yield* times(20, balancer.selectRoundRobin()))).toEqual({ claude: 7, openai: 7, mistral: 6 })
    }))
})

describe("ProviderBalancer strategies", () => {
  it.effect("round-robin cycles through the candidates in order", () =>
    Effect.gen(function*() {
      const b = yield* makeProviderBalancer(defaults)
      expect(yield* times(5, b.selectRoundRobin(["claude", "openai", "gemini"]))).toEqual(["claude", "openai", "gemini", "claude", "openai"])
    }))

  it.effect("weighted is smooth: 3/2/2 spread over each cycle of 7", () =>
    Effect.gen(function*() {
      const b = yield* makeProviderBalancer(defaults)
      const picks = yield* times(14, b.selectWeighted())
      expect(picks.slice(0, 7)).toEqual(["claude", "openai", "gemini", "claude", "openai", "gemini", "claude"])
      expect(picks.slice(7)).toEqual(picks.slice(0, 7))
    }))

  it.effect("latency picks the lowest moving average; unmeasured providers are tried first", () =>
    Effect.gen(function*() {
      const b = yield* makeProviderBalancer({ ...defaults, latencyWindow: 2 })
      yield* b.recordLatency("claude", 1200)
      yield* b.recordLatency("openai", 950)
      expect(yield* b.selectByLatency()).toBe("gemini")
      yield* b.recordLatency("gemini", 800)
      yield* b.recordLatency("claude", 1100)
      yield* b.recordLatency("openai", 920)
      expect(yield* b.selectByLatency(["claude", "openai", "gemini"])).toBe("gemini")
      // the window keeps the last 2 samples: gemini's 800 then 2000, 3000 averages 2500
      yield* b.recordLatency("gemini", 2000)
      yield* b.recordLatency("gemini", 3000)
      expect(yield* b.selectByLatency()).toBe("openai")
      const stats = yield* b.getStats
      expect(stats.latencies).toEqual({ claude: 1150, openai: 935, gemini: 2500 })
      expect(stats.latencySamples).toEqual({ claude: 2, openai: 2, gemini: 2 })
    }))

  it.effect("usage picks the lowest token usage; update sets it, add accumulates", () =>
    Effect.gen(function*() {
      const b = yield* makeProviderBalancer(defaults)
      yield* b.updateTokenUsage("claude", 45000)
      yield* b.updateTokenUsage("openai", 12000)
      yield* b.updateTokenUsage("gemini", 8000)
      expect(yield* b.selectByUsage()).toBe("gemini")
      yield* b.addTokenUsage("google", 5000) // model ids say google: counted for gemini
      expect(yield* b.selectByUsage()).toBe("openai")
      expect((yield* b.getStats).tokenUsage).toEqual({ claude: 45000, openai: 12000, gemini: 13000 })
    }))

  it.effect("selectWithContext excludes providers, keeps analysis and HIGH agents to top priority, reserves the estimate", () =>
    Effect.gen(function*() {
      const b = yield* makeProviderBalancer({ ...defaults, strategy: "usage" }, { tierOf: (agent) => (agent === "architect" ? "HIGH" : "MEDIUM") })
      expect(yield* b.selectWithContext({ taskType: "analysis", agentType: "architect", tokenEstimate: 5000, excludeProviders: ["gemini"] })).toBe("claude")
      expect(yield* b.selectWithContext({ agentType: "architect" })).toBe("claude")
      expect(yield* b.selectWithContext({ taskType: "execution", tokenEstimate: 100 })).toBe("openai")
      expect(yield* b.selectWithContext({ taskType: "execution", excludeProviders: ["openai"] })).toBe("gemini")
      expect((yield* b.getStats).tokenUsage).toEqual({ claude: 5000, openai: 100, gemini: 0 })
    }))

  it.effect("no candidate left is a typed error that says why", () =>
    Effect.gen(function*() {
      const b = yield* makeProviderBalancer(balancerSettings({ providers: { openai: { enabled: false } } }))
      const empty = yield* Effect.flip(b.selectWeighted([]))
      expect(empty).toMatchObject({ _tag: "NoProviderAvailable", message: "no provider available: the candidate list is empty" })
      const none = yield* Effect.flip(b.selectWithContext({ candidates: ["claude", "openai", "mistral"], excludeProviders: ["claude"] }))
      expect(none.message).toBe("no provider available among claude, openai, mistral: claude is excluded, openai is disabled, mistral is not configured")
    }))
})

describe("ProviderBalancer properties", () => {
  const names = ["claude", "openai", "gemini", "mistral"] as const
  const settingsOf = (weights: ReadonlyArray<number>, strategy: BalancerSettings["strategy"]): BalancerSettings => ({
    strategy,
    latencyWindow: 5,
    providers: weights.map((weight, i) => [names[i]!, { weight, priority: i + 1, enabled: true, models: [] }] as const)
  })
  const strategy = fc.constantFrom("round-robin", "weighted", "latency", "usage") as fc.Arbitrary<BalancerSettings["strategy"]>

  it.effect.prop(
    "an excluded provider is never chosen, whatever the strategy and history",
    [
      fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 2, maxLength: 4 }),
      strategy,
      fc.array(fc.subarray([...names]), { minLength: 1, maxLength: 30 }),
      fc.array(fc.tuple(fc.constantFrom(...names), fc.integer({ min: 0, max: 5000 })), { maxLength: 10 })
    ],
    ([weights, strat, exclusions, history]) =>
      Effect.gen(function*() {
        const b = yield* makeProviderBalancer(settingsOf(weights, strat))
        for (const [p, n] of history) {
          yield* b.recordLatency(p, n)
          yield* b.addTokenUsage(p, n)
        }
        const configured = names.slice(0, weights.length)
        for (const excluded of exclusions) {
          const result = yield* Effect.either(b.selectWithContext({ excludeProviders: excluded }))
          if (configured.every((p) => excluded.includes(p))) expect(result._tag).toBe("Left")
          else if (result._tag === "Right") expect(excluded).not.toContain(result.right)
          else throw new Error(`unexpected ${result.left.message}`)
        }
      })
  )

  it.effect.prop(
    "weighted selection gives each provider exactly its weight in every cycle",
    [fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 5 })],
    ([weights, cycles]) =>
      Effect.gen(function*() {
        fc.pre(weights.some((w) => w > 0))
        const b = yield* makeProviderBalancer(settingsOf(weights, "weighted"))
        const total = weights.reduce((a, w) => a + w, 0)
        const picks = yield* times(total * cycles, b.selectWeighted())
        const expected = Object.fromEntries(weights.flatMap((w, i) => (w > 0 ? [[names[i]!, w]] : [])))
        for (let c = 0; c < cycles; c++) expect(count(picks.slice(c * total, (c + 1) * total))).toEqual(expected)
      })
  )

  it.effect("weighted cycles stay exact when other candidate sets are asked in between", () =>
    Effect.gen(function*() {
      const b = yield* makeProviderBalancer(defaults)
      const picks: Array<string> = []
      for (let i = 0; i < 21; i++) {
        picks.push(yield* b.selectWeighted())
        yield* b.selectWeighted(["openai", "gemini"])
      }
      for (let c = 0; c < 3; c++) expect(count(picks.slice(c * 7, c * 7 + 7))).toEqual({ claude: 3, openai: 2, gemini: 2 })
    }))
})
