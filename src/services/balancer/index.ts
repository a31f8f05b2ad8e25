export { type BalancerStats, ProviderBalancer, type ProviderBalancerShape, type SelectionContext } from "./ProviderBalancer"
export {
  type BalancerSettings,
  balancerSettings,
  type BalancingStrategy,
  NoProviderAvailable,
  type ProviderSettings
} from "./strategies"
