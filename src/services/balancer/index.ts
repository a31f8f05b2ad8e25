export { ProviderBalancer } from "./ProviderBalancer"
export { balancerSettings } from "./strategies"
