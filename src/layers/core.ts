import * as Layer from "effect/Layer"
import { Config, Paths } from "../services/config"
import { CatalogCache } from "../services/models"
import { ClaudeUsage, FusionRouter, RouterState, Sessions } from "../services/router"
import { Store } from "../services/store"
import { MetricsCollector, Tracker, TrackerStore } from "../services/tracker"

// The whole-app layers of the CLI's commands, from the services' own layers (each brings its dependencies; one
// build shares them: a command opens one database and reads config.json once).

/** Paths and the decoded configuration files */
export const ConfigLive = Layer.merge(Config.layer, Paths.layer)

/** The shared SQLite store and what lives in it */
export const StateLive = Layer.mergeAll(Store.layer, RouterState.layer, Sessions.layer, TrackerStore.layer)

/** Recording (Tracker: priced, one INSERT per event) and reading (MetricsCollector) tracked events */
export const TrackingLive = Layer.mergeAll(Tracker.layer, MetricsCollector.layer, StateLive, ConfigLive)

export const UsageLive = ClaudeUsage.layer

/** Everything a routing decision needs, from environment variables and files */
export const RoutingLive = Layer.mergeAll(FusionRouter.layer, UsageLive, StateLive, ConfigLive)

/** What the statusline HUD reads */
export const HudLive = Layer.mergeAll(UsageLive, MetricsCollector.layer, StateLive, ConfigLive)

/** What a hook needs: routing decisions, and recording them and their calls (its own file: see there) */
export { HookLive } from "./hook"

/**
 * What the daemon answers a relayed call with (src/relay): a hook's services and what the statusline also reads,
 * for the calling process's environment `env` (its own OMCM_HOME, OMCM_CONFIG_DIR...), not the daemon's.
 */
export const makeRelayLive = (env: NodeJS.ProcessEnv) =>
  Layer.mergeAll(FusionRouter.layerWithoutDependencies, Tracker.layerWithoutDependencies, MetricsCollector.layerWithoutDependencies).pipe(
    Layer.provideMerge(Layer.mergeAll(
      ClaudeUsage.layerWith(env),
      RouterState.layerWithoutDependencies,
      Sessions.layerWithoutDependencies,
      TrackerStore.layerWithoutDependencies,
      CatalogCache.layerWithoutDependencies
    )),
    Layer.provideMerge(Store.layerWithoutDependencies),
    Layer.provideMerge(Config.layerWithoutDependencies),
    Layer.provideMerge(Paths.layerFrom(env))
  )
export type RelayServices = Layer.Layer.Success<ReturnType<typeof makeRelayLive>>
