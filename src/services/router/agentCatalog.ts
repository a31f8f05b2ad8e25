import type { AgentMapping, OmcmConfig } from "../../domain/configSchema"
import type { Tier } from "../../domain/model"
import { type OpencodeCatalog, routingModel } from "../models"

/** The seed's Agent-Provider Mapping: HIGH stays on Claude Opus, MEDIUM goes to the codex model, LOW to Flash. */
export const SEED_AGENTS: Readonly<Record<Tier, ReadonlyArray<string>>> = {
  HIGH: [
    "architect", "planner", "critic", "analyst", "executor-high", "explore-high", "designer-high",
    "qa-tester-high", "security-reviewer", "code-reviewer", "scientist-high"
  ],
  MEDIUM: [
    "architect-medium", "executor", "explore-medium", "researcher", "designer", "vision",
    "qa-tester", "build-fixer", "tdd-guide", "scientist"
  ],
  LOW: [
    "architect-low", "executor-low", "explore", "writer", "designer-low", "researcher-low",
    "security-reviewer-low", "build-fixer-low", "tdd-guide-low", "code-reviewer-low", "scientist-low"
  ]
}

/**
 * Claude Code's own sub-agent types. Plan designs architecture (HIGH); general-purpose does multi-step
 * implementation work (MEDIUM); Explore and the setup helpers search and edit small things (LOW).
 */
export const CLAUDE_CODE_AGENTS: Readonly<Record<string, Tier>> = {
  "plan": "HIGH",
  "general-purpose": "MEDIUM",
  "explore": "LOW",
  "statusline-setup": "LOW",
  "output-style-setup": "LOW",
  "claude-code-guide": "LOW"
}

const CATALOG: ReadonlyMap<string, Tier> = new Map<string, Tier>([
  ...Object.entries(CLAUDE_CODE_AGENTS),
  ...(["HIGH", "MEDIUM", "LOW"] as const).flatMap((tier) => SEED_AGENTS[tier].map((name) => [name, tier] as const))
])

/** `oh-my-claudecode:explore` is `explore`; names compare case-insensitively. A missing type is general-purpose. */
export const agentName = (raw: string | undefined | null): string => {
  const trimmed = (raw ?? "").trim()
  if (trimmed.length === 0) return "general-purpose"
  const colon = trimmed.lastIndexOf(":")
  return (colon >= 0 ? trimmed.slice(colon + 1) : trimmed).toLowerCase()
}

export type TierSource = "catalog" | "agent-mapping" | "default"

export interface AgentInfo {
  readonly name: string
  readonly tier: Tier
  readonly tierSource: TierSource
  readonly claudeModel: string
  /**
   * agent-mapping's pinned model, else the first candidate of `models.<tier>.opencode` against OpenCode's catalog
   * (without a catalog: its first fixed id); undefined when no model is usable (`opencodeMissing` says why)
   */
  readonly opencodeModel: string | undefined
  /** the tier's OpenCode candidates in order, `opencodeModel` first (a model pinned in agent-mapping.json: alone) */
  readonly opencodeCandidates?: ReadonlyArray<string> | undefined
  readonly opencodeMissing?: string | undefined
}

const findOverride = (mapping: AgentMapping, raw: string, name: string) => {
  const agents = mapping.agents ?? {}
  const exact = agents[raw] ?? agents[name]
  if (exact !== undefined) return exact
  const key = Object.keys(agents).find((k) => agentName(k) === name)
  return key === undefined ? undefined : agents[key]
}

/** `catalog`: OpenCode's catalog as last read (none: the fixed ids of `models.<tier>.opencode` are taken as they are) */
export const lookupAgent = (config: OmcmConfig, mapping: AgentMapping, raw: string | undefined, catalog?: OpencodeCatalog): AgentInfo => {
  const name = agentName(raw)
  const override = findOverride(mapping, (raw ?? "").trim(), name)
  const known = CATALOG.get(name)
  const [tier, tierSource]: [Tier, TierSource] = override?.tier !== undefined
    ? [override.tier, "agent-mapping"]
    : known !== undefined
    ? [known, "catalog"]
    : [mapping.defaultTier ?? config.routing.defaultTier, "default"]
  const pinned = override?.model
  const pinnedIsClaude = pinned !== undefined && pinned.startsWith("anthropic/")
  const claudeModel = pinned !== undefined && pinnedIsClaude ? pinned : config.models[tier].claude
  if (pinned !== undefined && !pinnedIsClaude) return { name, tier, tierSource, claudeModel, opencodeModel: pinned }
  const chosen = routingModel(tier, config.models[tier].opencode, catalog)
  return chosen._tag === "Model"
    ? { name, tier, tierSource, claudeModel, opencodeModel: chosen.id, opencodeCandidates: chosen.candidates }
    : { name, tier, tierSource, claudeModel, opencodeModel: undefined, opencodeMissing: chosen.why }
}

export const isListed = (list: ReadonlyArray<string>, name: string): boolean =>
  list.some((entry) => agentName(entry) === name)
