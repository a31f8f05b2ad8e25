import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import { lookupAgent } from "../router"
import {
  averageLatency,
  type BalancerSettings,
  type BalancerState,
  type BalancingStrategy,
  balancerSettings,
  configuredName,
  eligibleProviders,
  emptyBalancerState,
  type NoProviderAvailable,
  type Pick,
  pickBy,
  pickByLatency,
  pickByUsage,
  pickRoundRobin,
  pickWeighted,
  preferHighestPriority,
  type ProviderSettings,
  withLatency,
  withTokenUsage
} from "./strategies"
import type { Tier } from "../../domain/model"
import { Config } from "../config"

export { NoProviderAvailable } from "./strategies"
export type { BalancerSettings, BalancingStrategy, ProviderSettings } from "./strategies"

/** The seed's selection context. */
export interface SelectionContext {
  /** `analysis` keeps to the highest-priority providers */
  readonly taskType?: "analysis" | "execution" | "creative" | undefined
  /** a HIGH-tier agent keeps to the highest-priority providers */
  readonly agentType?: string | undefined
  /** tokens the task is expected to use: added to the chosen provider's usage, so `usage` spreads what is in flight */
  readonly tokenEstimate?: number | undefined
  readonly excludeProviders?: ReadonlyArray<string> | undefined
  /** default: every configured provider */
  readonly candidates?: ReadonlyArray<string> | undefined
  /** default: the configured strategy */
  readonly strategy?: BalancingStrategy | undefined
}

export interface BalancerStats {
  readonly strategy: BalancingStrategy
  readonly providers: Readonly<Record<string, ProviderSettings>>
  /** moving average (ms) over the last `latencyWindow` samples, null when never measured */
  readonly latencies: Readonly<Record<string, number | null>>
  readonly latencySamples: Readonly<Record<string, number>>
  readonly tokenUsage: Readonly<Record<string, number>>
  readonly selections: Readonly<Record<string, number>>
}

type Select = (candidates?: ReadonlyArray<string>) => Effect.Effect<string, NoProviderAvailable>

export interface ProviderBalancerShape {
  readonly settings: BalancerSettings
  /** claude, then openai, then gemini, then claude... */
  readonly selectRoundRobin: Select
  /** smooth weighted round-robin: exactly `weight` picks per provider in every cycle of `sum(weights)` */
  readonly selectWeighted: Select
  /** lowest moving-average latency; never-measured providers first */
  readonly selectByLatency: Select
  /** lowest recorded token usage */
  readonly selectByUsage: Select
  /** with the configured strategy */
  readonly select: Select
  readonly selectWithContext: (context: SelectionContext) => Effect.Effect<string, NoProviderAvailable>
  /** one response time (ms) of a provider; names of unknown providers and invalid numbers are ignored */
  readonly recordLatency: (provider: string, ms: number) => Effect.Effect<void>
  /** set a provider's current token usage */
  readonly updateTokenUsage: (provider: string, tokens: number) => Effect.Effect<void>
  /** add to a provider's token usage (what a finished call used) */
  readonly addTokenUsage: (provider: string, tokens: number) => Effect.Effect<void>
  readonly getStats: Effect.Effect<BalancerStats>
}

export class ProviderBalancer extends Context.Tag("omcm/ProviderBalancer")<ProviderBalancer, ProviderBalancerShape>() {
  /** settings from agent-mapping.json (`balancingStrategy`, `providers`) over the seed's defaults */
  static readonly layerWithoutDependencies: Layer.Layer<ProviderBalancer, never, Config> = Layer.effect(
    ProviderBalancer,
    Effect.flatMap(Config, ({ config, mapping }) =>
      makeProviderBalancer(balancerSettings(mapping), (agent) => lookupAgent(config, mapping, agent).tier))
  )

  static readonly layer = ProviderBalancer.layerWithoutDependencies.pipe(Layer.provide(Config.layer))

  /** a balancer with the given settings (tests) */
  static readonly make = (settings: BalancerSettings, tierOf?: (agent: string) => Tier): Layer.Layer<ProviderBalancer> =>
    Layer.effect(ProviderBalancer, makeProviderBalancer(settings, tierOf))
}

const isAmount = (n: number) => Number.isFinite(n) && n >= 0

export const makeProviderBalancer = (
  settings: BalancerSettings,
  tierOf: (agent: string) => Tier = () => "MEDIUM"
): Effect.Effect<ProviderBalancerShape> =>
  Effect.map(Ref.make<BalancerState>(emptyBalancerState), (state): ProviderBalancerShape => {
    const allNames = settings.providers.map(([name]) => name)

    const choose = (
      pick: (s: BalancerState, providers: ReadonlyArray<string>) => Pick,
      candidates: ReadonlyArray<string> = allNames,
      exclude: ReadonlyArray<string> = []
    ): Effect.Effect<string, NoProviderAvailable> =>
      Either.match(eligibleProviders(settings, candidates, exclude), {
        onLeft: (error) => Effect.fail(error),
        onRight: (providers) => Ref.modify(state, (s) => pick(s, providers))
      })

    const strategyPick = (strategy: BalancingStrategy) => (s: BalancerState, providers: ReadonlyArray<string>) =>
      pickBy(strategy, s, providers, settings)

    const update = (provider: string, f: (s: BalancerState, name: string) => BalancerState) => {
      const name = configuredName(settings, provider)
      return name === undefined ? Effect.void : Ref.update(state, (s) => f(s, name))
    }

    const addTokenUsage = (provider: string, tokens: number) =>
      isAmount(tokens) ? update(provider, (s, name) => withTokenUsage(s, name, (s.tokenUsage.get(name) ?? 0) + tokens)) : Effect.void

    const selectWithContext = (context: SelectionContext) => {
      const keepToBest = context.taskType === "analysis" || (context.agentType !== undefined && tierOf(context.agentType) === "HIGH")
      const strategy = context.strategy ?? settings.strategy
      const pick = (s: BalancerState, providers: ReadonlyArray<string>) =>
        pickBy(strategy, s, keepToBest ? preferHighestPriority(settings, providers) : providers, settings)
      return choose(pick, context.candidates, context.excludeProviders).pipe(
        Effect.tap((chosen) => (context.tokenEstimate === undefined ? Effect.void : addTokenUsage(chosen, context.tokenEstimate)))
      )
    }

    const record = <A>(map: ReadonlyMap<string, A>) => Object.fromEntries(allNames.map((name) => [name, map.get(name)]))

    return {
      settings,
      selectRoundRobin: (candidates) => choose(pickRoundRobin, candidates),
      selectWeighted: (candidates) => choose((s, p) => pickWeighted(s, p, settings), candidates),
      selectByLatency: (candidates) => choose((s, p) => pickByLatency(s, p, settings), candidates),
      selectByUsage: (candidates) => choose((s, p) => pickByUsage(s, p, settings), candidates),
      select: (candidates) => choose(strategyPick(settings.strategy), candidates),
      selectWithContext,
      recordLatency: (provider, ms) =>
        isAmount(ms) ? update(provider, (s, name) => withLatency(s, name, ms, settings.latencyWindow)) : Effect.void,
      updateTokenUsage: (provider, tokens) => (isAmount(tokens) ? update(provider, (s, name) => withTokenUsage(s, name, tokens)) : Effect.void),
      addTokenUsage,
      getStats: Effect.map(Ref.get(state), (s) => ({
        strategy: settings.strategy,
        providers: Object.fromEntries(settings.providers),
        latencies: Object.fromEntries(allNames.map((name) => [name, averageLatency(s, name)])),
        latencySamples: Object.fromEntries(allNames.map((name) => [name, s.latencies.get(name)?.length ?? 0])),
        tokenUsage: Object.fromEntries(Object.entries(record(s.tokenUsage)).map(([k, v]) => [k, v ?? 0])),
        selections: Object.fromEntries(Object.entries(record(s.selections)).map(([k, v]) => [k, v ?? 0]))
      }))
    }
  })
