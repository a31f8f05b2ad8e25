import { Layer } from "effect"
import type { OmcmConfig } from "../../src/domain/configSchema"
import { Config, type DeepPartial } from "../../src/services/config/Config"
import { MetricsCollector } from "../../src/services/tracker/MetricsCollector"
import { Store, openStore } from "../../src/services/store/Store"
import { Tracker } from "../../src/services/tracker/Tracker"
import { TrackerStore } from "../../src/services/tracker/TrackerStore"
import { CatalogCache } from "../../src/services/models/CatalogCache"
import type { OpencodeCatalog } from "../../src/services/models/catalog"

/** The shared database at `file` (a temp file, or ":memory:" for unit tests) */
export const storeAt = (file: string) => Layer.scoped(Store, openStore(file))

export const configWith = (overrides: DeepPartial<OmcmConfig> = {}) => Layer.succeed(Config, Config.make(overrides))

/** Tracker, MetricsCollector and TrackerStore over the database at `file`, priced with `catalog` if given */
export const trackingAt = (file: string, overrides: DeepPartial<OmcmConfig> = {}, catalog?: OpencodeCatalog) =>
  Layer.mergeAll(Tracker.layerWithoutDependencies, MetricsCollector.layerWithoutDependencies).pipe(
    Layer.provideMerge(TrackerStore.layerWithoutDependencies),
    Layer.provideMerge(CatalogCache.memory(catalog)),
    Layer.provideMerge(storeAt(file)),
    Layer.provideMerge(configWith(overrides))
  )
