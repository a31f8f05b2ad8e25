import { coolingOf, providerOf } from "./cooldown"
import {
  type BalancerSettings,
  type BalancerState,
  type BalancingStrategy,
  configuredName,
  NEW_PROVIDER,
  pickBy,
  type ProviderSettings
} from "./strategies"

export interface Ordering {
  readonly tryOrder: ReadonlyArray<string>
  readonly coolingDown: ReadonlyArray<{ readonly id: string; readonly until: number; readonly reason: string }>
  readonly disabled: ReadonlyArray<string>
}

/**
 * The order to try a tier's candidates (`provider/model`) in, and the balancer state after the strategy's pick.
 * Candidates of disabled or excluded providers, and of providers or models cooling down, are left out. Of the best
 * priority left, the strategy picks the provider that goes first (a provider not in agent-mapping.json counts with
 * weight 1, priority 2); the others follow by priority, each in the given order.
 */
export const orderCandidates = (
  settings: BalancerSettings,
  state: BalancerState,
  candidates: ReadonlyArray<string>,
  now: number,
  strategy: BalancingStrategy,
  exclude: ReadonlyArray<string>
): readonly [Ordering, BalancerState] => {
  const configured = new Map(settings.providers)
  const nameOf = (id: string) => configuredName(settings, providerOf(id)) ?? providerOf(id)
  const settingsOf = (name: string): ProviderSettings => configured.get(name) ?? NEW_PROVIDER
  const excluded = new Set(exclude)
  const usable: Array<string> = []
  const coolingDown: Array<Ordering["coolingDown"][number]> = []
  const disabled: Array<string> = []
  for (const id of new Set(candidates)) {
    const name = nameOf(id)
    if (!settingsOf(name).enabled || excluded.has(id) || excluded.has(providerOf(id)) || excluded.has(name)) {
      disabled.push(id)
      continue
    }
    const cooling = coolingOf(state, id, now)
    if (cooling !== undefined) coolingDown.push({ id, until: cooling.cooldown.until, reason: cooling.cooldown.reason })
    else usable.push(id)
  }
  if (usable.length === 0) return [{ tryOrder: [], coolingDown, disabled }, state]

  const best = Math.min(...usable.map((id) => settingsOf(nameOf(id)).priority))
  const leaders = [...new Set(usable.filter((id) => settingsOf(nameOf(id)).priority === best).map(nameOf))]
  const effective: BalancerSettings = {
    ...settings,
    providers: [...settings.providers, ...leaders.filter((n) => !configured.has(n)).map((n) => [n, NEW_PROVIDER] as const)]
  }
  const [leader, next] = pickBy(strategy, state, leaders, effective)
  const rank = (id: string) => (nameOf(id) === leader ? -1 : settingsOf(nameOf(id)).priority)
  const tryOrder = usable.map((id, i) => ({ id, i })).sort((a, b) => rank(a.id) - rank(b.id) || a.i - b.i).map((x) => x.id)
  return [{ tryOrder, coolingDown, disabled }, next]
}
