/**
 * Cooling down a provider, or one model of it, that just failed, so the next calls go elsewhere for a while: pure
 * rules over the balancer's state. Ids are OpenCode's `provider/model`; a provider's cooldown covers all its models.
 */
import type { BalancerState, Cooldown } from "./strategies"

export type { Cooldown, Outcome } from "./strategies"


/** How a failed call counts against its provider. */
export interface Failure {
  /** a 429 or a bad key is the provider's; a 5xx or a stalled session, the model's; `none`: omcm's own trouble */
  readonly scope: "provider" | "model" | "none"
  readonly reason: string
  /** what the provider asked (Retry-After) */
  readonly retryAfterMs?: number | undefined
}

/** the failure-rate rule: at least this share of at least `FAILURE_MIN_CALLS` calls within `FAILURE_WINDOW_MS` */
export const FAILURE_WINDOW_MS = 60_000
export const FAILURE_MIN_CALLS = 5
export const FAILURE_SHARE = 0.5

export const providerOf = (id: string) => {
  const slash = id.indexOf("/")
  return slash < 0 ? id : id.slice(0, slash)
}

/** the cooldown that keeps `id` from being tried at `now`, if any: its provider's or its own */
export const coolingOf = (state: BalancerState, id: string, now: number): { readonly target: string; readonly cooldown: Cooldown } | undefined => {
  for (const target of [providerOf(id), id]) {
    const cooldown = state.cooldowns.get(target)
    if (cooldown !== undefined && cooldown.until > now) return { target, cooldown }
  }
  return undefined
}

const withCooldown = (state: BalancerState, target: string, cooldown: Cooldown): BalancerState => {
  const current = state.cooldowns.get(target)
  if (current !== undefined && current.until >= cooldown.until) return state
  return { ...state, cooldowns: new Map(state.cooldowns).set(target, cooldown) }
}

/** drop what no rule will look at again: expired cooldowns, outcomes older than the window */
export const pruned = (state: BalancerState, now: number): BalancerState => ({
  ...state,
  cooldowns: new Map([...state.cooldowns].filter(([, c]) => c.until > now)),
  outcomes: new Map(
    [...state.outcomes].map(([p, list]) => [p, list.filter((o) => now - o.ts < FAILURE_WINDOW_MS)] as const).filter(([, list]) => list.length > 0)
  )
})

/** one finished call of `id`: its outcome counts, and a failure cools its provider or model down */
export const withOutcome = (
  state: BalancerState,
  id: string,
  now: number,
  failure: Failure | undefined,
  cooldownMs: number
): BalancerState => {
  if (failure?.scope === "none") return state
  const provider = providerOf(id)
  const outcomes = [...(state.outcomes.get(provider) ?? []), { ts: now, ok: failure === undefined }]
    .filter((o) => now - o.ts < FAILURE_WINDOW_MS)
  let next: BalancerState = { ...pruned(state, now), outcomes: new Map(state.outcomes).set(provider, outcomes) }
  if (failure === undefined) return next
  const target = failure.scope === "provider" ? provider : id
  next = withCooldown(next, target, { until: now + Math.max(cooldownMs, failure.retryAfterMs ?? 0), reason: failure.reason })
  const failed = outcomes.filter((o) => !o.ok).length
  if (outcomes.length >= FAILURE_MIN_CALLS && failed / outcomes.length >= FAILURE_SHARE) {
    next = withCooldown(next, provider, { until: now + cooldownMs, reason: `${failed} of ${outcomes.length} calls failed within a minute` })
  }
  return next
}
