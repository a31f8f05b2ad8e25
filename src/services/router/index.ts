export { ClaudeUsage, type ClaudeUsageShape, type UsageOptions } from "./ClaudeUsage"
export { type DecideInput, FusionRouter, type FusionRouterShape } from "./FusionRouter"
export { RouterState, type RouterStateShape } from "./RouterState"
export { type SessionMode, Sessions, type SessionsShape } from "./Sessions"
export { agentName, lookupAgent } from "./agentCatalog"
export { detectMode } from "./keywords"
export { route } from "./routingPolicy"
export { OauthCache, StatuslineInput, UsageCache } from "./usageSchemas"
export { type Forecast, forecastWindow, type UsageSample } from "./usageForecast"
export { makeUsageHistory, type UsageHistory, type UsageWindow, WINDOW_MS } from "./usageHistory"
export {
  currentWindowStart,
  FIVE_HOURS_MS,
  type SessionCostReading,
  sparedAt,
  sparedMethod,
  sparedShare,
  sparedText,
  type WindowRate,
  windowRate,
  type WindowSpared,
  windowSpared
} from "./windowSpared"
