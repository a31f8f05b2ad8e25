/**
 * Test layers for apps embedding omcm (`import ... from "omcm/testing"`): the services of `omcm` from values in
 * code, with no files read, no database on disk, no network, and the simulated OpenAI-compatible model that
 * OpenCode servers can be pointed at instead of real providers. The tags are the same as in `omcm`.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as path from "node:path"
import type { AgentMapping, OmcmConfig } from "./domain/configSchema"
import type { StateError } from "./domain/errors"
import type { Usage } from "./domain/model"
import type { BalancerSettings } from "./services/balancer"
import { ProviderBalancer } from "./services/balancer"
import { Config, type DeepPartial, Paths } from "./services/config"
import type { TaskBackendsShape } from "./services/executor"
import { CatalogCache } from "./services/models"
import { TaskBackends } from "./services/executor"
import { ClaudeUsage, FusionRouter, RouterState, Sessions } from "./services/router"
import { Store } from "./services/store"
import { MetricsCollector, Tracker, TrackerStore } from "./services/tracker"

/** `Config` from values in code: the built-in defaults deep-merged with `overrides` (`Config.make`), no file read */
export const ConfigTest = (overrides: DeepPartial<OmcmConfig> = {}, mapping: AgentMapping = {}): Layer.Layer<Config> =>
  Layer.succeed(Config, Config.make(overrides, mapping))

/** `Paths` with every root under `home`, as the CLI has them with `HOME=home` and nothing else set */
export const PathsTest = (home: string): Layer.Layer<Paths> =>
  Paths.layerFrom({ HOME: home, OMCM_HOME: path.join(home, ".omcm"), OMCM_CONFIG_DIR: path.join(home, ".claude", "plugins", "omcm") })

/** the shared SQLite store in memory: a fresh, migrated database per layer build */
export const StoreInMemory: Layer.Layer<Store, StateError> = Store.layerInMemory

/** ulw's OpenCode-heavy state in memory, for this layer build only */
export const RouterStateMemory: Layer.Layer<RouterState> = RouterState.memory

/** Claude usage fixed at `usage` (default: unknown, 0 %): no statusline cache, no OAuth call */
export const ClaudeUsageTest = (usage: Partial<Usage> = {}): Layer.Layer<ClaudeUsage> => {
  const fixed: Usage = { percent: 0, fiveHour: null, weekly: null, source: "unknown", ...usage }
  return Layer.succeed(ClaudeUsage, {
    current: (options) =>
      Effect.succeed(options?.override === undefined ? fixed : { ...fixed, percent: options.override, source: "override" }),
    saveStatusline: () => Effect.succeedNone,
    readStatuslineCache: Effect.succeedNone
  })
}

/**
 * FusionRouter from values in code, and what it reads: Config (`overrides`, `mapping`), a fixed ClaudeUsage, the
 * router state and sessions in memory.
 */
export const RoutingTest = (
  overrides: DeepPartial<OmcmConfig> = {},
  mapping: AgentMapping = {},
  usage: Partial<Usage> = {}
): Layer.Layer<FusionRouter | ClaudeUsage | RouterState | Sessions | Config, StateError> =>
  FusionRouter.layerWithoutDependencies.pipe(
    Layer.provideMerge(Layer.mergeAll(
      ClaudeUsageTest(usage),
      RouterStateMemory,
      CatalogCache.none,
      Sessions.layerWithoutDependencies.pipe(Layer.provide(StoreInMemory)),
      ConfigTest(overrides, mapping)
    )),
    Layer.provide(StoreInMemory)
  )

/** Tracker and MetricsCollector over one in-memory database, priced with the config from `overrides` */
export const TrackingTest = (
  overrides: DeepPartial<OmcmConfig> = {}
): Layer.Layer<Tracker | MetricsCollector | TrackerStore | Store | Config, StateError> =>
  Layer.mergeAll(Tracker.layerWithoutDependencies, MetricsCollector.layerWithoutDependencies).pipe(
    Layer.provideMerge(TrackerStore.layerWithoutDependencies),
    Layer.provide(CatalogCache.none),
    Layer.provideMerge(StoreInMemory),
    Layer.provideMerge(ConfigTest(overrides))
  )

/** TaskBackends (what `Executor` runs tasks with) from functions: `TaskBackends.make` */
export const TaskBackendsTest = (backends: TaskBackendsShape): Layer.Layer<TaskBackends> => TaskBackends.make(backends)

/** a ProviderBalancer over `settings` (e.g. `balancerSettings(Config.make().config)`): `ProviderBalancer.make` */
export const ProviderBalancerTest: typeof ProviderBalancer.make = ProviderBalancer.make

// the simulated OpenAI-compatible model (src/simulated): a local HTTP server with canned replies and faults
export {
  type ChatRequest,
  type SimulatedFault,
  SimulatedModel,
  type SimulatedModelHandle,
  type SimulatedModelOptions,
  SimulatedModelStartError,
  type SimulatedRequest,
  startSimulatedModel,
  type StartedSimulatedModel
} from "./simulated/openaiCompatible"
export { providersOfConfig, simulatedServeEnv } from "./simulated/simulatedOpencode"
export { simulatedOpencodeConfig, type SimulatedProviderSpec } from "./services/pool"
export type { BalancerSettings }
