import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import { lookupAgent } from "../router"
import {
  averageLatency,
  type BalancerSettings,
  type BalancerState,
  type BalancingStrategy,
  balancerSettings,
  configuredName,
  eligibleProviders,
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
import type { StateError } from "../../domain/errors"
import type { Tier } from "../../domain/model"
import { Config } from "../config"
import { Store } from "../store"
import { type BalancerStateStore, memoryStateStore, sqliteStateStore } from "./balancerStore"
import { FAILURE_WINDOW_MS, type Failure, providerOf, withOutcome } from "./cooldown"
import { type Ordering, orderCandidates } from "./ordering"
export type { Ordering } from "./ordering"

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
  /** providers (`openai`) and models (`openai/gpt-5.4`) left alone until `until` (epoch ms) */
  readonly coolingDown: ReadonlyArray<{ readonly target: string; readonly until: number; readonly reason: string }>
  /** each provider's (by its configured name: `gemini` for `google`) calls and failures within the failure-rate window (the last minute) */
  readonly recentCalls: Readonly<Record<string, { readonly calls: number; readonly failed: number }>>
}

type Select = (candidates?: ReadonlyArray<string>) => Effect.Effect<string, NoProviderAvailable | StateError>


/** what one call on a candidate came to: its latency and tokens, or the failure that cools it down */
export type CallOutcome =
  | { readonly ok: true; readonly latencyMs: number; readonly tokens: number }
  | { readonly ok: false; readonly failure: Failure }

/** one candidate tried and given up on the way to an answer */
export interface FailoverAttempt {
  readonly id: string
  readonly error: string
}

export interface FailoverOptions<A, E> {
  /** the tier's candidates, in the configured order */
  readonly candidates: ReadonlyArray<string>
  readonly context?: SelectionContext | undefined
  /** the whole budget: a next candidate is tried only while time is left, and gets what is left */
  readonly budgetMs: number
  readonly attempt: (id: string, remainingMs: number) => Effect.Effect<A, E>
  /** how a failure counts; `retry: false` when the work had started (tool calls made): never replayed elsewhere */
  readonly classify: (error: E) => { readonly failure: Failure; readonly retry: boolean }
  readonly measure: (value: A) => { readonly latencyMs: number; readonly tokens: number }
}

export interface FailedOver<A> {
  readonly value: A
  /** the candidate that answered */
  readonly id: string
  readonly attempts: ReadonlyArray<FailoverAttempt>
}

/** Every candidate failed, was cooling down, or the budget ran out: the caller runs the work on Claude. */
export class CandidatesExhausted<E> extends Data.TaggedError("CandidatesExhausted")<{
  readonly attempts: ReadonlyArray<FailoverAttempt>
  readonly last: E | undefined
  readonly message: string
}> {}

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
  readonly selectWithContext: (context: SelectionContext) => Effect.Effect<string, NoProviderAvailable | StateError>
  /** one response time (ms) of a provider; names of unknown providers and invalid numbers are ignored */
  readonly recordLatency: (provider: string, ms: number) => Effect.Effect<void, StateError>
  /** set a provider's current token usage */
  readonly updateTokenUsage: (provider: string, tokens: number) => Effect.Effect<void, StateError>
  /** add to a provider's token usage (what a finished call used) */
  readonly addTokenUsage: (provider: string, tokens: number) => Effect.Effect<void, StateError>
  /**
   * The order to try `candidates` in: those cooling down and disabled left out; of the best priority left, the
   * configured strategy picks the provider that leads; the rest follow by priority, in the given order.
   */
  readonly order: (candidates: ReadonlyArray<string>, context?: SelectionContext) => Effect.Effect<Ordering, StateError>
  /** a finished call of one candidate: latency and usage, or a failure that cools its provider or model down */
  readonly recordOutcome: (id: string, outcome: CallOutcome) => Effect.Effect<void, StateError>
  /** try the candidates in `order`, recording each outcome, until one answers (see FailoverOptions) */
  readonly failover: <A, E>(options: FailoverOptions<A, E>) => Effect.Effect<FailedOver<A>, E | CandidatesExhausted<E> | StateError>
  readonly getStats: Effect.Effect<BalancerStats, StateError>
}

export class ProviderBalancer extends Context.Tag("omcm/ProviderBalancer")<ProviderBalancer, ProviderBalancerShape>() {
  /** settings from agent-mapping.json (`balancingStrategy`, `providers`) over the seed's defaults */
  static readonly layerWithoutDependencies: Layer.Layer<ProviderBalancer, never, Config | Store> = Layer.effect(
    ProviderBalancer,
    Effect.gen(function*() {
      const { config, mapping } = yield* Config
      const store = yield* Store
      return yield* makeProviderBalancer(balancerSettings(mapping), {
        tierOf: (agent) => lookupAgent(config, mapping, agent).tier,
        cooldownMs: config.balancer.cooldownSeconds * 1000,
        store: sqliteStateStore(store)
      })
    })
  )

  static readonly layer = ProviderBalancer.layerWithoutDependencies.pipe(Layer.provide([Config.layer, Store.layer]))

  /** a balancer with the given settings, its state in memory (tests) */
  static readonly make = (settings: BalancerSettings, tierOf?: (agent: string) => Tier): Layer.Layer<ProviderBalancer> =>
    Layer.effect(ProviderBalancer, makeProviderBalancer(settings, { tierOf }))
}

const isAmount = (n: number) => Number.isFinite(n) && n >= 0

export interface BalancerOptions {
  readonly tierOf?: ((agent: string) => Tier) | undefined
  /** how long a failed provider or model is left alone (config.json `balancer.cooldownSeconds`) */
  readonly cooldownMs?: number | undefined
  /** default: in memory */
  readonly store?: BalancerStateStore | undefined
}

export const makeProviderBalancer = (
  settings: BalancerSettings,
  options: BalancerOptions = {}
): Effect.Effect<ProviderBalancerShape> =>
  Effect.gen(function*() {
    const tierOf = options.tierOf ?? (() => "MEDIUM" as const)
    const cooldownMs = options.cooldownMs ?? 60_000
    const state = options.store ?? (yield* memoryStateStore)
    const allNames = settings.providers.map(([name]) => name)

    const choose = (
      pick: (s: BalancerState, providers: ReadonlyArray<string>) => Pick,
      candidates: ReadonlyArray<string> = allNames,
      exclude: ReadonlyArray<string> = []
    ): Effect.Effect<string, NoProviderAvailable | StateError> =>
      Either.match(eligibleProviders(settings, candidates, exclude), {
        onLeft: (error) => Effect.fail(error),
        onRight: (providers) => state.modify((s) => pick(s, providers))
      })

    const strategyPick = (strategy: BalancingStrategy) => (s: BalancerState, providers: ReadonlyArray<string>) =>
      pickBy(strategy, s, providers, settings)

    const update = (provider: string, f: (s: BalancerState, name: string) => BalancerState) => {
      const name = configuredName(settings, provider)
      return name === undefined ? Effect.void : state.modify((s) => [undefined, f(s, name)] as const)
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

    const order = (candidates: ReadonlyArray<string>, context: SelectionContext = {}) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        state.modify((s) => orderCandidates(settings, s, candidates, now, context.strategy ?? settings.strategy, context.excludeProviders ?? [])))

    const recordOutcome = (id: string, outcome: CallOutcome) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        state.modify((s) => {
          let next = withOutcome(s, id, now, outcome.ok ? undefined : outcome.failure, cooldownMs)
          const name = configuredName(settings, providerOf(id))
          if (outcome.ok && name !== undefined) {
            if (isAmount(outcome.latencyMs)) next = withLatency(next, name, outcome.latencyMs, settings.latencyWindow)
            if (isAmount(outcome.tokens)) next = withTokenUsage(next, name, (next.tokenUsage.get(name) ?? 0) + outcome.tokens)
          }
          return [undefined, next] as const
        }))

    const failover = <A, E>(o: FailoverOptions<A, E>): Effect.Effect<FailedOver<A>, E | CandidatesExhausted<E> | StateError> =>
      Effect.gen(function*() {
        const started = yield* Clock.currentTimeMillis
        const { coolingDown, tryOrder } = yield* order(o.candidates, o.context)
        const attempts: Array<FailoverAttempt> = []
        let last: E | undefined
        for (const id of tryOrder) {
          const remaining = o.budgetMs - ((yield* Clock.currentTimeMillis) - started)
          if (remaining <= 0) break
          const result = yield* Effect.either(o.attempt(id, remaining))
          if (result._tag === "Right") {
            yield* recordOutcome(id, { ok: true, ...o.measure(result.right) })
            return { value: result.right, id, attempts }
          }
          last = result.left
          const { failure, retry } = o.classify(result.left)
          yield* recordOutcome(id, { ok: false, failure })
          attempts.push({ id, error: failure.reason })
          // the work had started, or another candidate would fare no better: the failure is the answer
          if (!retry) return yield* Effect.fail(result.left)
        }
        const why = [
          ...attempts.map((a) => `${a.id}: ${a.error}`),
          ...coolingDown.map((c) => `${c.id}: cooling down (${c.reason})`)
        ]
        return yield* new CandidatesExhausted({
          attempts,
          last,
          message: why.length === 0 ? "no OpenCode candidate to try" : `no OpenCode candidate answered: ${why.join("; ")}`
        })
      })

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
      order,
      recordOutcome,
      failover,
      getStats: Effect.flatMap(Clock.currentTimeMillis, (now) =>
        state.modify((s) => [{
          strategy: settings.strategy,
          providers: Object.fromEntries(settings.providers),
          latencies: Object.fromEntries(allNames.map((name) => [name, averageLatency(s, name)])),
          latencySamples: Object.fromEntries(allNames.map((name) => [name, s.latencies.get(name)?.length ?? 0])),
          tokenUsage: Object.fromEntries(Object.entries(record(s.tokenUsage)).map(([k, v]) => [k, v ?? 0])),
          selections: Object.fromEntries(Object.entries(record(s.selections)).map(([k, v]) => [k, v ?? 0])),
          coolingDown: [...s.cooldowns].filter(([, c]) => c.until > now).map(([target, c]) => ({ target, until: c.until, reason: c.reason })),
          recentCalls: Object.fromEntries([...s.outcomes].flatMap(([provider, list]) => {
            const recent = list.filter((o) => now - o.ts < FAILURE_WINDOW_MS)
            const name = configuredName(settings, provider) ?? provider
            return recent.length === 0 ? [] : [[name, { calls: recent.length, failed: recent.filter((o) => !o.ok).length }]]
          }))
        }, s] as const))
    } satisfies ProviderBalancerShape
  })
