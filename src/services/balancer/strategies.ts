/**
 * Multi-provider balancing, as pure functions over an immutable state: the service keeps the state in a Ref.
 */
import * as Data from "effect/Data"
import * as Either from "effect/Either"
import type { AgentMapping } from "../../domain/configSchema"

export type BalancingStrategy = "round-robin" | "weighted" | "latency" | "usage"

export interface ProviderSettings {
  readonly weight: number
  /** 1 is the highest priority */
  readonly priority: number
  readonly enabled: boolean
  readonly models: ReadonlyArray<string>
}

export interface BalancerSettings {
  readonly strategy: BalancingStrategy
  /** in the order providers are listed (candidates default to this order) */
  readonly providers: ReadonlyArray<readonly [string, ProviderSettings]>
  /** how many recent latencies the moving average covers */
  readonly latencyWindow: number
}

/** The seed's defaults: claude 3/1, openai 2/2, gemini 2/2. */
export const DEFAULT_PROVIDERS: ReadonlyArray<readonly [string, ProviderSettings]> = [
  ["claude", { weight: 3, priority: 1, enabled: true, models: ["opus", "sonnet", "haiku"] }],
  ["openai", { weight: 2, priority: 2, enabled: true, models: ["gpt-5.2", "gpt-5.2-codex"] }],
  ["gemini", { weight: 2, priority: 2, enabled: true, models: ["gemini-3-pro", "gemini-3-flash"] }]
]

export const NEW_PROVIDER: ProviderSettings = { weight: 1, priority: 2, enabled: true, models: [] }

export const DEFAULT_LATENCY_WINDOW = 20

/** The defaults, with `balancingStrategy` and `providers` of agent-mapping.json laid over them field by field. */
export const balancerSettings = (mapping: AgentMapping, latencyWindow = DEFAULT_LATENCY_WINDOW): BalancerSettings => {
  const providers = new Map(DEFAULT_PROVIDERS)
  for (const [name, over] of Object.entries(mapping.providers ?? {})) {
    const base = providers.get(name) ?? NEW_PROVIDER
    providers.set(name, {
      weight: over.weight ?? base.weight,
      priority: over.priority ?? base.priority,
      enabled: over.enabled ?? base.enabled,
      models: over.models ?? base.models
    })
  }
  return { strategy: mapping.balancingStrategy ?? "weighted", providers: [...providers], latencyWindow }
}

/** The seed calls providers claude/openai/gemini; model ids say anthropic/openai/google. */
const ALIASES: Readonly<Record<string, string>> = { anthropic: "claude", claude: "anthropic", google: "gemini", gemini: "google" }

/** The configured name for a provider name or its alias, or undefined. */
export const configuredName = (settings: BalancerSettings, provider: string): string | undefined => {
  const names = new Set(settings.providers.map(([name]) => name))
  if (names.has(provider)) return provider
  const alias = ALIASES[provider]
  return alias !== undefined && names.has(alias) ? alias : undefined
}

/** Nothing to choose from. `message` says why each candidate was left out. */
export class NoProviderAvailable extends Data.TaggedError("NoProviderAvailable")<{
  readonly candidates: ReadonlyArray<string>
  readonly message: string
}> {}

/** Configured, enabled, not excluded candidates, without duplicates, in the given order. */
export const eligibleProviders = (
  settings: BalancerSettings,
  candidates: ReadonlyArray<string>,
  exclude: ReadonlyArray<string> = []
): Either.Either<ReadonlyArray<string>, NoProviderAvailable> => {
  if (candidates.length === 0) {
    return Either.left(new NoProviderAvailable({ candidates, message: "no provider available: the candidate list is empty" }))
  }
  const excluded = new Set(exclude.flatMap((p) => [p, configuredName(settings, p) ?? p]))
  const byName = new Map(settings.providers)
  const chosen: Array<string> = []
  const why: Array<string> = []
  for (const candidate of candidates) {
    const name = configuredName(settings, candidate)
    if (name === undefined) why.push(`${candidate} is not configured`)
    else if (excluded.has(candidate) || excluded.has(name)) why.push(`${candidate} is excluded`)
    else if (!byName.get(name)!.enabled) why.push(`${candidate} is disabled`)
    else if (!chosen.includes(name)) chosen.push(name)
  }
  if (chosen.length > 0) return Either.right(chosen)
  return Either.left(new NoProviderAvailable({ candidates, message: `no provider available among ${candidates.join(", ")}: ${why.join(", ")}` }))
}

// ---------------------------------------------------------------------------------------------------------------
// State

/** a provider or model left alone until `until` (epoch ms) */
export interface Cooldown {
  readonly until: number
  readonly reason: string
}

/** one finished call, for the failure-rate rule */
export interface Outcome {
  readonly ts: number
  readonly ok: boolean
}

export interface BalancerState {
  /** next round-robin turn, per candidate set */
  readonly turns: ReadonlyMap<string, number>
  /** smooth weighted round-robin current weights, per candidate set */
  readonly currentWeights: ReadonlyMap<string, ReadonlyMap<string, number>>
  /** most recent latencies (ms), oldest first, at most `latencyWindow` */
  readonly latencies: ReadonlyMap<string, ReadonlyArray<number>>
  readonly tokenUsage: ReadonlyMap<string, number>
  readonly selections: ReadonlyMap<string, number>
  /** by provider, or by `provider/model` (see cooldown.ts) */
  readonly cooldowns: ReadonlyMap<string, Cooldown>
  /** each provider's calls within the failure-rate window */
  readonly outcomes: ReadonlyMap<string, ReadonlyArray<Outcome>>
}

export const emptyBalancerState: BalancerState = {
  turns: new Map(),
  currentWeights: new Map(),
  latencies: new Map(),
  tokenUsage: new Map(),
  selections: new Map(),
  cooldowns: new Map(),
  outcomes: new Map()
}

/** Each distinct set of candidates has its own cycle, so a rotation is exact whatever else was asked meanwhile. */
const setKey = (providers: ReadonlyArray<string>) => [...providers].sort().join("\u0000")

const withEntry = <K, V>(map: ReadonlyMap<K, V>, key: K, value: V): ReadonlyMap<K, V> => new Map(map).set(key, value)

const counted = (state: BalancerState, provider: string): BalancerState => ({
  ...state,
  selections: withEntry(state.selections, provider, (state.selections.get(provider) ?? 0) + 1)
})

export type Pick = readonly [string, BalancerState]

/** `providers` must be non-empty (from `eligibleProviders`). */
export const pickRoundRobin = (state: BalancerState, providers: ReadonlyArray<string>): Pick => {
  const key = setKey(providers)
  const turn = state.turns.get(key) ?? 0
  const chosen = providers[turn % providers.length]!
  return [chosen, counted({ ...state, turns: withEntry(state.turns, key, (turn + 1) % providers.length) }, chosen)]
}

/**
 * Smooth weighted round-robin (nginx): every candidate's current weight grows by its weight, the largest is chosen
 * and loses the total. Over every `sum(weights)` picks of one candidate set each provider is chosen exactly `weight`
 * times, spread out (claude 3, openai 2, gemini 2 gives claude openai gemini claude openai gemini claude). Zero weights are never chosen, unless
 * all are zero: then it is round-robin.
 */
export const pickWeighted = (state: BalancerState, providers: ReadonlyArray<string>, settings: BalancerSettings): Pick => {
  const byName = new Map(settings.providers)
  const weighted = providers.filter((p) => (byName.get(p)?.weight ?? 0) > 0)
  if (weighted.length === 0) return pickRoundRobin(state, providers)
  const key = setKey(weighted)
  const current = new Map(state.currentWeights.get(key) ?? new Map<string, number>())
  let total = 0
  let best: string | undefined
  for (const p of weighted) {
    const weight = byName.get(p)!.weight
    total += weight
    const now = (current.get(p) ?? 0) + weight
    current.set(p, now)
    if (best === undefined || now > current.get(best)!) best = p
  }
  current.set(best!, current.get(best!)! - total)
  return [best!, counted({ ...state, currentWeights: withEntry(state.currentWeights, key, current) }, best!)]
}

export const averageLatency = (state: BalancerState, provider: string): number | null => {
  const samples = state.latencies.get(provider) ?? []
  return samples.length === 0 ? null : samples.reduce((a, b) => a + b, 0) / samples.length
}

/** the smallest by `score`, ties to the higher priority (smaller number), then to the earlier candidate */
const argMin = (providers: ReadonlyArray<string>, settings: BalancerSettings, score: (p: string) => number): string => {
  const priority = (p: string) => new Map(settings.providers).get(p)?.priority ?? Number.MAX_SAFE_INTEGER
  return providers.reduce((best, p) => {
    const d = score(p) - score(best)
    return d < 0 || (d === 0 && priority(p) < priority(best)) ? p : best
  })
}

/** Lowest moving-average latency; a provider never measured goes first, so it gets measured. */
export const pickByLatency = (state: BalancerState, providers: ReadonlyArray<string>, settings: BalancerSettings): Pick => {
  const chosen = argMin(providers, settings, (p) => averageLatency(state, p) ?? -1)
  return [chosen, counted(state, chosen)]
}

/** Lowest recorded token usage (none recorded counts as 0). */
export const pickByUsage = (state: BalancerState, providers: ReadonlyArray<string>, settings: BalancerSettings): Pick => {
  const chosen = argMin(providers, settings, (p) => state.tokenUsage.get(p) ?? 0)
  return [chosen, counted(state, chosen)]
}

export const pickBy = (strategy: BalancingStrategy, state: BalancerState, providers: ReadonlyArray<string>, settings: BalancerSettings): Pick => {
  switch (strategy) {
    case "round-robin":
      return pickRoundRobin(state, providers)
    case "weighted":
      return pickWeighted(state, providers, settings)
    case "latency":
      return pickByLatency(state, providers, settings)
    case "usage":
      return pickByUsage(state, providers, settings)
  }
}

export const withLatency = (state: BalancerState, provider: string, ms: number, window: number): BalancerState => {
  const samples = [...(state.latencies.get(provider) ?? []), ms].slice(-Math.max(1, window))
  return { ...state, latencies: withEntry(state.latencies, provider, samples) }
}

export const withTokenUsage = (state: BalancerState, provider: string, tokens: number): BalancerState => ({
  ...state,
  tokenUsage: withEntry(state.tokenUsage, provider, tokens)
})

/** Analysis tasks and HIGH-tier agents keep to the highest-priority providers among the candidates. */
export const preferHighestPriority = (settings: BalancerSettings, providers: ReadonlyArray<string>): ReadonlyArray<string> => {
  const byName = new Map(settings.providers)
  const best = Math.min(...providers.map((p) => byName.get(p)!.priority))
  return providers.filter((p) => byName.get(p)!.priority === best)
}
