import { isListed, lookupAgent } from "./agentCatalog"
import type { AgentMapping, OmcmConfig } from "../../domain/configSchema"
import { type Decision, type Mode, splitModelId, type Tier, type Usage } from "../../domain/model"
import type { OpencodeCatalog } from "../models"

/**
 * ulw's OpenCode-heavy state with hysteresis: it turns on when usage reaches `heavyThreshold` (90) and turns off
 * only when usage falls below `recoverThreshold` (85). Unknown usage leaves the state as it is.
 */
export const nextHeavy = (config: OmcmConfig, heavy: boolean, usage: Usage): boolean => {
  if (usage.source === "unknown") return heavy
  const { heavyThreshold, recoverThreshold } = config.routing
  return heavy ? usage.percent >= recoverThreshold : usage.percent >= heavyThreshold
}

export interface RouteInput {
  readonly config: OmcmConfig
  readonly mapping: AgentMapping
  readonly agent: string | undefined
  readonly mode: Mode
  readonly usage: Usage
  /** the hysteresis state after this usage was observed */
  readonly heavy: boolean
  /** OpenCode's catalog as last read, which the tier's OpenCode model is chosen from; none: its fixed ids */
  readonly catalog?: OpencodeCatalog | undefined
}

const pct = (n: number) => `${Math.round(n * 10) / 10}%`

/** The routing rules of the seed's Fusion Mode, as a pure function of config, agent, mode and usage. */
export const route = (input: RouteInput): Decision => {
  const { config, mapping, mode, usage, heavy } = input
  const agent = lookupAgent(config, mapping, input.agent, input.catalog)
  const r = config.routing
  const usageValue = usage.source === "unknown" ? null : usage.percent
  const usageText = usage.source === "unknown" ? "Claude usage is unknown (counted as 0%)" : `Claude usage is ${pct(usage.percent)}`

  const toClaude = (reason: string): Decision => {
    const { provider, model } = splitModelId(agent.claudeModel)
    return { target: "claude", provider, model, tier: agent.tier, mode, usage: usageValue, reason }
  }
  const toOpencode = (reason: string): Decision => {
    if (agent.opencodeModel === undefined) {
      return toClaude(`No OpenCode model of ${agent.tier} is usable (models.${agent.tier}.opencode: ${agent.opencodeMissing}), so ${agent.name} stays on Claude.`)
    }
    const { provider, model } = splitModelId(agent.opencodeModel)
    const candidates = agent.opencodeCandidates
    return {
      target: "opencode",
      provider,
      model,
      tier: agent.tier,
      mode,
      usage: usageValue,
      reason,
      ...(candidates !== undefined && candidates.length > 1 ? { candidates } : {})
    }
  }
  const who = `${agent.name} (${agent.tier})`

  if (!r.enabled) return toClaude(`Routing is off (routing.enabled is false), so ${agent.name} stays on Claude.`)
  if (!r.autoDelegate) return toClaude(`Delegation is off (routing.autoDelegate is false), so ${agent.name} stays on Claude.`)
  if (isListed(r.preferClaude, agent.name)) return toClaude(`${agent.name} is in routing.preferClaude, so it always stays on Claude.`)
  if (isListed(r.preferOpencode, agent.name)) {
    return toOpencode(`${agent.name} is in routing.preferOpencode, so it always goes to OpenCode (${agent.opencodeModel}).`)
  }

  const byTier = (label: string): Decision =>
    agent.tier === "HIGH"
      ? toClaude(`${label} keeps HIGH-tier agents like ${agent.name} on Claude.`)
      : toOpencode(`${label} sends ${agent.tier}-tier agents like ${agent.name} to OpenCode (${agent.opencodeModel}).`)

  const heavyRoute = (label: string): Decision =>
    toOpencode(
      `${label}: ${usageText}, at or above ${r.heavyThreshold}% since it last rose (back to Claude-first below ${r.recoverThreshold}%), so ${who} goes to OpenCode (${agent.opencodeModel}).`
    )

  switch (mode) {
    case "hulw":
      return byTier("hulw")
    case "off":
      return config.fusionDefault
        ? byTier("No mode keyword, and fusionDefault is true, so fusion routing")
        : toClaude(`No fusion mode is on and fusionDefault is false, so ${agent.name} stays on Claude.`)
    case "autopilot":
      if (config.fusionDefault) return byTier("autopilot with fusionDefault true")
      return heavy
        ? heavyRoute("autopilot (Claude-first)")
        : toClaude(`autopilot is Claude-first while ${usageText.replace("Claude usage", "usage")} stays below ${r.heavyThreshold}%, so ${agent.name} stays on Claude.`)
    case "ulw": {
      if (heavy) return heavyRoute("ulw is OpenCode-heavy")
      const minimum: Record<Tier, number | undefined> = { LOW: r.usageThreshold, MEDIUM: r.mediumThreshold, HIGH: undefined }
      const from = minimum[agent.tier]
      if (from !== undefined && usageValue !== null && usageValue >= from) {
        return toOpencode(`ulw is hybrid: ${usageText}, at or above ${from}% where ${agent.tier}-tier agents move, so ${agent.name} goes to OpenCode (${agent.opencodeModel}).`)
      }
      if (usageValue === null || usageValue < r.usageThreshold) {
        return toClaude(`ulw: ${usageText}, below ${r.usageThreshold}%, so ${agent.name} stays on Claude.`)
      }
      return toClaude(
        agent.tier === "HIGH"
          ? `ulw is hybrid: ${usageText}, but HIGH-tier agents like ${agent.name} stay on Claude until ${r.heavyThreshold}%.`
          : `ulw is hybrid: ${usageText}, but ${agent.tier}-tier agents like ${agent.name} move only from ${from}%.`
      )
    }
  }
}
