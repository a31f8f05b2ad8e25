import * as Layer from "effect/Layer"
import { ClaudeUsage } from "../services/ClaudeUsage"
import { Config } from "../services/Config"
import { EventStore } from "../services/EventStore"
import { FusionRouter } from "../services/FusionRouter"
import { MetricsCollector } from "../services/MetricsCollector"
import { Paths } from "../services/Paths"
import { RouterState } from "../services/RouterState"
import { Sessions } from "../services/Sessions"
import { Store } from "../services/Store"
import { Tracker } from "../services/Tracker"
import { TrackerStore } from "../services/TrackerStore"

/** Paths and the decoded configuration files */
export const ConfigLive = Config.layer.pipe(Layer.provideMerge(Paths.layer))

/** The shared SQLite store and what lives in it */
export const StateLive = Layer.mergeAll(RouterState.layer, Sessions.layer, EventStore.layer, TrackerStore.layer).pipe(
  Layer.provideMerge(Store.layer)
)

/** Recording (Tracker: priced, one INSERT per event) and reading (MetricsCollector) tracked events */
export const TrackingLive = Layer.mergeAll(Tracker.layer, MetricsCollector.layer).pipe(
  Layer.provideMerge(StateLive),
  Layer.provideMerge(ConfigLive)
)

export const UsageLive = ClaudeUsage.layer

/** Everything a routing decision needs, from environment variables and files */
export const RoutingLive = FusionRouter.layer.pipe(
  Layer.provideMerge(Layer.mergeAll(UsageLive, StateLive)),
  Layer.provideMerge(ConfigLive)
)

/** What the statusline HUD reads */
export const HudLive = Layer.mergeAll(UsageLive, MetricsCollector.layer).pipe(
  Layer.provideMerge(StateLive),
  Layer.provideMerge(ConfigLive)
)

/**
 * What a hook needs: routing decisions, and recording them and their calls, for a process with environment `env`
 * (the daemon answers hooks relayed from processes with their own OMCM_HOME, OMCM_CONFIG_DIR...).
 */
export const makeHookLive = (env: NodeJS.ProcessEnv) =>
  Layer.mergeAll(FusionRouter.layer, Tracker.layer).pipe(
    Layer.provideMerge(Layer.mergeAll(ClaudeUsage.layerWith(env), StateLive)),
    Layer.provideMerge(Config.layer.pipe(Layer.provideMerge(Paths.layerFrom(env))))
  )

export const HookLive = makeHookLive(process.env)

/** What the daemon answers relayed calls with (src/relay): a hook's services, and what the statusline also reads */
export const makeRelayLive = (env: NodeJS.ProcessEnv) => MetricsCollector.layer.pipe(Layer.provideMerge(makeHookLive(env)))
export type RelayServices = Layer.Layer.Success<ReturnType<typeof makeRelayLive>>
