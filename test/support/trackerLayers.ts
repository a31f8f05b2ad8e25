import { Layer } from "effect"
import type { OmcmConfig } from "../../src/domain/configSchema"
import { Config, type DeepPartial } from "../../src/services/Config"
import { MetricsCollector } from "../../src/services/MetricsCollector"
import { Store, openStore } from "../../src/services/Store"
import { Tracker } from "../../src/services/Tracker"
import { TrackerStore } from "../../src/services/TrackerStore"

/** The shared database at `file` (a temp file, or ":memory:" for unit tests) */
export const storeAt = (file: string) => Layer.scoped(Store, openStore(file))

export const configWith = (overrides: DeepPartial<OmcmConfig> = {}) => Layer.succeed(Config, Config.make(overrides))

/** Tracker, MetricsCollector and TrackerStore over the database at `file` */
export const trackingAt = (file: string, overrides: DeepPartial<OmcmConfig> = {}) =>
  Layer.mergeAll(Tracker.layer, MetricsCollector.layer).pipe(
    Layer.provideMerge(TrackerStore.layer),
    Layer.provideMerge(storeAt(file)),
    Layer.provideMerge(configWith(overrides))
  )
