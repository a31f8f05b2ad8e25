export { CatalogCache, type CatalogCacheShape, makeCatalogCache } from "./CatalogCache"
export {
  CatalogModel,
  CatalogProvider,
  type CatalogReading,
  catalogOf,
  findModel,
  needsPriceReference,
  OpencodeCatalog,
  PRICE_REFERENCE_PROVIDERS
} from "./catalog"
export { CatalogUnreadable, makeModelCatalog, ModelCatalog, type ModelCatalogShape } from "./ModelCatalog"
export {
  type Candidate,
  describeChoice,
  type EntryResolution,
  explicitIds,
  type LeftOut,
  modelChoices,
  resolveTier,
  resolveTiers,
  routingModel,
  type RoutingModel,
  type TierResolution,
  usableModels,
  whyNoCandidate
} from "./modelSelection"
