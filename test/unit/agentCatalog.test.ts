import { describe, expect, it } from "vitest"
import { agentName, lookupAgent, SEED_AGENTS } from "../../src/services/router/agentCatalog"
import { defaultConfig } from "../../src/domain/defaults"

describe("agent catalog", () => {
  it("has the seed's tiers: 11 HIGH, 10 MEDIUM, every LOW name", () => {
    expect(SEED_AGENTS.HIGH).toHaveLength(11)
    expect(SEED_AGENTS.MEDIUM).toHaveLength(10)
    expect(SEED_AGENTS.LOW).toEqual([
      "architect-low", "executor-low", "explore", "writer", "designer-low", "researcher-low",
      "security-reviewer-low", "build-fixer-low", "tdd-guide-low", "code-reviewer-low", "scientist-low"
    ])
  })

  it.each((["HIGH", "MEDIUM", "LOW"] as const).flatMap((tier) => SEED_AGENTS[tier].map((name) => [name, tier] as const)))(
    "%s is %s, with or without a plugin prefix",
    (name, tier) => {
      expect(lookupAgent(defaultConfig, {}, name).tier).toBe(tier)
      expect(lookupAgent(defaultConfig, {}, `oh-my-claudecode:${name}`).tier).toBe(tier)
      expect(lookupAgent(defaultConfig, {}, `oh-my-claudecode:${name}`).tierSource).toBe("catalog")
    }
  )

  it("gives Claude Code's own sub-agent types a tier", () => {
    expect(lookupAgent(defaultConfig, {}, "Plan").tier).toBe("HIGH")
    expect(lookupAgent(defaultConfig, {}, "general-purpose").tier).toBe("MEDIUM")
    expect(lookupAgent(defaultConfig, {}, "Explore").tier).toBe("LOW")
    expect(lookupAgent(defaultConfig, {}, undefined).name).toBe("general-purpose")
  })

  it("puts unknown agents on the configurable default tier", () => {
    expect(lookupAgent(defaultConfig, {}, "my-custom-agent")).toMatchObject({ tier: "MEDIUM", tierSource: "default" })
    const config = { ...defaultConfig, routing: { ...defaultConfig.routing, defaultTier: "LOW" as const } }
    expect(lookupAgent(config, {}, "my-custom-agent").tier).toBe("LOW")
    expect(lookupAgent(defaultConfig, { defaultTier: "HIGH" }, "my-custom-agent").tier).toBe("HIGH")
  })

  it("lets agent-mapping.json move an agent to another tier or pin its model", () => {
    const mapping = {
      agents: {
        "explore": { tier: "HIGH" as const },
        "oh-my-claudecode:writer": { model: "google/gemini-3-pro" },
        "critic": { model: "anthropic/sonnet" }
      }
    }
    expect(lookupAgent(defaultConfig, mapping, "oh-my-claudecode:explore")).toMatchObject({ tier: "HIGH", tierSource: "agent-mapping" })
    expect(lookupAgent(defaultConfig, mapping, "writer")).toMatchObject({ tier: "LOW", opencodeModel: "google/gemini-3-pro" })
    expect(lookupAgent(defaultConfig, mapping, "critic")).toMatchObject({ claudeModel: "anthropic/sonnet", opencodeModel: "openai/gpt-6-astra" })
  })

  it("strips prefixes and case", () => {
    expect(agentName("oh-my-claudecode:Explore")).toBe("explore")
    expect(agentName("a:b:executor")).toBe("executor")
    expect(agentName("  ")).toBe("general-purpose")
  })
})
