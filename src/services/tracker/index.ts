export {
  MetricsCollector,
  type Savings,
  type SessionSummary,
  type StatsReport,
  type StatsRow
} from "./MetricsCollector"
export { RealtimeTracker } from "./RealtimeTracker"
export { Tracker } from "./Tracker"
export { TrackerStore } from "./TrackerStore"
export { claudeEquivalentCost, priceCall } from "./pricing"
export { type Period, PERIODS, type TrackerStats } from "./windows"
