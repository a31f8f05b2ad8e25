export {
  type Breakdown,
  type BreakdownReport,
  BREAKDOWNS,
  type LastExecutor,
  MetricsCollector,
  type MetricsCollectorShape,
  type ProviderStats,
  type Savings,
  type SessionSummary,
  type StatsReport,
  type StatsRow
} from "./MetricsCollector"
export { type RealtimeOptions, RealtimeTracker, type RealtimeTrackerShape } from "./RealtimeTracker"
export { Tracker, type TrackerShape } from "./Tracker"
export { TrackerStore, type TrackerStoreShape } from "./TrackerStore"
export { type EventSource, type StoredEvent, type TrackedEvent } from "./events"
export { type CallInput, type ExecutionContext, type RoutingInput } from "./recordInput"
export {
  CATALOG_STALE_AFTER_MS,
  claudeEquivalentCost,
  lookupPrice,
  type PriceBook,
  priceBookOf,
  priceCall,
  type PriceFreshness,
  priceFreshness,
  type PriceSource,
  priceWith
} from "./pricing"
export { type Period, PERIODS, type TrackerStats } from "./windows"
export {
  type ClaudeSamples,
  claudeSamples,
  type Counterfactual,
  counterfactualOf,
  describeEstimate,
  type EstimateMethod,
  type MethodShare,
  shortEstimate
} from "./counterfactual"
