import { FastCheck } from "effect"
import { describe, expect, it } from "vitest"
import { SEED_AGENTS } from "../../src/services/router/agentCatalog"
import type { OmcmConfig } from "../../src/domain/configSchema"
import { defaultConfig } from "../../src/domain/defaults"
import type { Mode, Tier, Usage } from "../../src/domain/model"
import { nextHeavy, route } from "../../src/services/router/routingPolicy"

const usage = (percent: number): Usage => ({ percent, fiveHour: percent, weekly: null, source: "override" })
const unknown: Usage = { percent: 0, fiveHour: null, weekly: null, source: "unknown" }

/** the defaults with empty preferClaude / preferOpencode lists: the rules of tiers and modes alone */
const byRules: OmcmConfig = { ...defaultConfig, routing: { ...defaultConfig.routing, preferClaude: [], preferOpencode: [] } }

const decide = (agent: string, mode: Mode, u: Usage, config: OmcmConfig = byRules, heavyBefore = false) =>
  route({ config, mapping: {}, agent, mode, usage: u, heavy: nextHeavy(config, heavyBefore, u) })

const withConfig = (patch: (c: OmcmConfig) => OmcmConfig) => patch(byRules)
const allAgents = (["HIGH", "MEDIUM", "LOW"] as const).flatMap((tier) => SEED_AGENTS[tier].map((name) => [name, tier] as const))

describe("hulw routes by tier", () => {
  it.each(allAgents)("%s (%s)", (name, tier) => {
    for (const u of [usage(0), usage(50), usage(95), unknown]) {
      const d = decide(name, "hulw", u)
      if (tier === "HIGH") expect(d).toMatchObject({ target: "claude", provider: "anthropic", model: "opus" })
      if (tier === "MEDIUM") expect(d).toMatchObject({ target: "opencode", provider: "openai", model: "gpt-6-sol" })
      if (tier === "LOW") expect(d).toMatchObject({ target: "opencode", provider: "google", model: "gemini-3.8-flash" })
      expect(d.tier).toBe(tier)
      expect(d.reason.length).toBeGreaterThan(10)
    }
  })
})

describe("ulw switches by usage band", () => {
  // [usage, HIGH target, MEDIUM target, LOW target], starting from the Claude-first state
  const bands: ReadonlyArray<readonly [number, string, string, string]> = [
    [0, "claude", "claude", "claude"],
    [69.9, "claude", "claude", "claude"],
    [70, "claude", "claude", "opencode"],
    [79, "claude", "claude", "opencode"],
    [80, "claude", "opencode", "opencode"],
    [89.9, "claude", "opencode", "opencode"],
    [90, "opencode", "opencode", "opencode"],
    [100, "opencode", "opencode", "opencode"]
  ]
  it.each(allAgents)("%s (%s)", (name, tier) => {
    for (const [u, high, medium, low] of bands) {
      const expected = { HIGH: high, MEDIUM: medium, LOW: low }[tier as Tier]
      expect({ u, target: decide(name, "ulw", usage(u)).target }).toEqual({ u, target: expected })
    }
  })

  it("treats unknown usage as 0 and says so", () => {
    const d = decide("explore", "ulw", unknown)
    expect(d.target).toBe("claude")
    expect(d.usage).toBeNull()
    expect(d.reason).toContain("unknown")
  })

  it("uses the tier's OpenCode model when heavy, HIGH included", () => {
    expect(decide("architect", "ulw", usage(95))).toMatchObject({ target: "opencode", provider: "openai", model: "gpt-6-astra" })
  })
})

describe("no mode, autopilot and fusionDefault", () => {
  const fusion = withConfig((c) => ({ ...c, fusionDefault: true }))
  it("no mode stays on Claude unless fusionDefault", () => {
    expect(decide("explore", "off", usage(99)).target).toBe("claude")
    expect(decide("explore", "off", usage(0), fusion).target).toBe("opencode")
    expect(decide("architect", "off", usage(0), fusion).target).toBe("claude")
  })
  it("autopilot follows fusionDefault, else Claude-first until 90%", () => {
    expect(decide("explore", "autopilot", usage(85)).target).toBe("claude")
    expect(decide("explore", "autopilot", usage(92)).target).toBe("opencode")
    expect(decide("explore", "autopilot", usage(0), fusion).target).toBe("opencode")
    expect(decide("architect", "autopilot", usage(0), fusion).target).toBe("claude")
  })
})

describe("switches that override modes", () => {
  it("routing.enabled false and autoDelegate false keep everything on Claude", () => {
    const off = withConfig((c) => ({ ...c, routing: { ...c.routing, enabled: false, preferOpencode: ["explore"] } }))
    const noDelegate = withConfig((c) => ({ ...c, routing: { ...c.routing, autoDelegate: false } }))
    for (const [name] of allAgents) {
      expect(decide(name, "hulw", usage(99), off).target).toBe("claude")
      expect(decide(name, "ulw", usage(99), noDelegate).target).toBe("claude")
    }
  })
  it("preferOpencode wins over the mode", () => {
    const c = withConfig((c) => ({ ...c, routing: { ...c.routing, preferOpencode: ["oh-my-claudecode:architect"] } }))
    expect(decide("architect", "off", usage(0), c)).toMatchObject({ target: "opencode", model: "gpt-6-astra" })
  })

  const modes: ReadonlyArray<Mode> = ["hulw", "ulw", "autopilot", "off"]
  it("property: an agent in preferClaude always stays on Claude", () => {
    FastCheck.assert(
      FastCheck.property(
        FastCheck.constantFrom(...allAgents.map(([name]) => name), "custom-agent", "Plan"),
        FastCheck.constantFrom(...modes),
        FastCheck.double({ min: 0, max: 100, noNaN: true }),
        FastCheck.boolean(),
        FastCheck.boolean(),
        FastCheck.boolean(),
        (agent, mode, u, fusionDefault, heavyBefore, alsoPreferOpencode) => {
          const config: OmcmConfig = {
            ...defaultConfig,
            fusionDefault,
            routing: { ...defaultConfig.routing, preferClaude: [agent], preferOpencode: alsoPreferOpencode ? [agent] : [] }
          }
          return decide(agent, mode, usage(u), config, heavyBefore).target === "claude"
        }
      ),
      { numRuns: 2000 }
    )
  })
})

describe("hysteresis", () => {
  it("turns heavy at 90 and recovers only below 85", () => {
    let heavy = false
    const seen: Array<boolean> = []
    for (const u of [50, 89, 90, 89, 86, 85, 84.9, 86, 89.9, 90]) {
      heavy = nextHeavy(defaultConfig, heavy, usage(u))
      seen.push(heavy)
    }
    expect(seen).toEqual([false, false, true, true, true, true, false, false, false, true])
  })

  it("keeps its state when usage is unknown", () => {
    expect(nextHeavy(defaultConfig, true, unknown)).toBe(true)
    expect(nextHeavy(defaultConfig, false, unknown)).toBe(false)
  })

  it("property: never flaps while usage stays between 85 and 90", () => {
    FastCheck.assert(
      FastCheck.property(
        FastCheck.boolean(),
        FastCheck.array(FastCheck.double({ min: 85, max: 89.999, noNaN: true }), { minLength: 1, maxLength: 200 }),
        (start, series) => {
          let heavy = start
          for (const u of series) {
            heavy = nextHeavy(defaultConfig, heavy, usage(u))
            if (heavy !== start) return false
          }
          return true
        }
      ),
      { numRuns: 1000 }
    )
  })

  it("property: the state changes only on crossing 90 upward or 85 downward", () => {
    FastCheck.assert(
      FastCheck.property(
        FastCheck.array(FastCheck.double({ min: 0, max: 100, noNaN: true }), { minLength: 1, maxLength: 300 }),
        (series) => {
          let heavy = false
          for (const u of series) {
            const next = nextHeavy(defaultConfig, heavy, usage(u))
            if (!heavy && next && u < 90) return false
            if (heavy && !next && u >= 85) return false
            heavy = next
          }
          return true
        }
      ),
      { numRuns: 1000 }
    )
  })
})

describe("an OpenCode decision carries the tier's candidates for the balancer", () => {
  it("every usable candidate, the named one first; a pinned model or a single candidate carries none", () => {
    const two = withConfig((c) => ({
      ...c,
      models: { ...c.models, MEDIUM: { ...c.models.MEDIUM, opencode: ["openai/gpt-6-sol", "google/gemini-3.1-pro-preview"] } }
    }))
    const d = decide("executor", "hulw", usage(0), two)
    expect(d).toMatchObject({ target: "opencode", provider: "openai", model: "gpt-6-sol" })
    expect(d.candidates).toEqual(["openai/gpt-6-sol", "google/gemini-3.1-pro-preview"])
    const one = withConfig((c) => ({ ...c, models: { ...c.models, MEDIUM: { ...c.models.MEDIUM, opencode: "openai/gpt-6-sol" } } }))
    expect(decide("executor", "hulw", usage(0), one).candidates).toBeUndefined()
    const pinned = route({
      config: two,
      mapping: { agents: { executor: { model: "google/gemini-3.8-flash" } } },
      agent: "executor",
      mode: "hulw",
      usage: usage(0),
      heavy: false
    })
    expect(pinned).toMatchObject({ provider: "google", model: "gemini-3.8-flash" })
    expect(pinned.candidates).toBeUndefined()
  })
})

describe("the seed's preferOpencode and preferClaude lists are the defaults", () => {
  it("explore, researcher and writer go to OpenCode in every mode; architect, executor-high and critic stay on Claude", () => {
    expect(defaultConfig.routing.preferOpencode).toEqual(["explore", "researcher", "writer"])
    expect(defaultConfig.routing.preferClaude).toEqual(["architect", "executor-high", "critic"])
    for (const mode of ["off", "ulw", "autopilot", "hulw"] as const) {
      for (const u of [usage(0), usage(95)]) {
        for (const agent of ["explore", "researcher", "writer"]) {
          expect(decide(agent, mode, u, defaultConfig).target).toBe("opencode")
        }
        for (const agent of ["architect", "executor-high", "critic"]) {
          expect(decide(agent, mode, u, defaultConfig, true).target).toBe("claude")
        }
      }
    }
    // emptied, the tier and the mode decide again
    expect(decide("explore", "off", usage(0), byRules).target).toBe("claude")
    expect(decide("architect", "ulw", usage(95), byRules, true).target).toBe("opencode")
  })
})
