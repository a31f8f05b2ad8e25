export { exhaustedAttempts } from "./exhaustedAttempts"
export { type Failure } from "./cooldown"
export {
  type BalancerStats,
  type CallOutcome,
  CandidatesExhausted,
  type FailedOver,
  type FailoverAttempt,
  type FailoverOptions,
  type Ordering,
  ProviderBalancer,
  type ProviderBalancerShape,
  type SelectionContext
} from "./ProviderBalancer"
export {
  type BalancerSettings,
  balancerSettings,
  type BalancingStrategy,
  NoProviderAvailable,
  type ProviderSettings
} from "./strategies"
