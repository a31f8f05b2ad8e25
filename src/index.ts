/**
 * omcm as a library (`import ... from "omcm"`): its services, their layers and the shared domain types, for an
 * Effect app that routes, records or delegates sub-agent work the way the `omcm` CLI does. See the README,
 * "Embedding omcm in an Effect app".
 *
 * Every service is a `Context.Tag` class with `layer` (brings its own dependencies: reads config.json and the
 * environment like the CLI, opens the shared SQLite database) and `layerWithoutDependencies` (you provide what it
 * needs, e.g. the test layers of `omcm/testing`). `OmcmLive` merges the `layer`s most embedders need.
 *
 * `effect`, `@effect/platform` and `@effect/platform-node` are dependencies of omcm, not bundled into it: the
 * Effect values omcm returns belong to the same `effect` your app uses (keep one version of it installed).
 */

// the whole-app layer
export { OmcmLive } from "./layers/embedding"
export { ConfigLive, HudLive, HookLive, RoutingLive, StateLive, TrackingLive, UsageLive } from "./layers/core"

// domain
export { Decision, Mode, splitModelId, Target, Tier, TIERS, Usage, UsageSource } from "./domain/model"
export { ExecutionResult, TokenUsage, totalTokens, zeroTokens } from "./domain/execution"
export { AgentMapping, OmcmConfig, Price, TierModels } from "./domain/configSchema"
export { defaultConfig } from "./domain/defaults"
export { ConfigError, InputError, SettingsError, StateError, UsageFetchError } from "./domain/errors"

// configuration and state
export { Config, type DeepPartial, type LoadedConfig, Paths, type PathsShape } from "./services/config"
export { type Db, Store, type StoreShape } from "./services/store"

// routing
export {
  agentName,
  ClaudeUsage,
  type ClaudeUsageShape,
  type DecideInput,
  detectMode,
  FusionRouter,
  type FusionRouterShape,
  lookupAgent,
  route,
  RouterState,
  type RouterStateShape,
  type SessionMode,
  Sessions,
  type SessionsShape,
  StatuslineInput,
  type UsageCache,
  type UsageOptions
} from "./services/router"

// tracking and metrics
export {
  type CallInput,
  claudeEquivalentCost,
  type EventSource,
  type ExecutionContext,
  MetricsCollector,
  type MetricsCollectorShape,
  type Period,
  PERIODS,
  priceCall,
  type ProviderStats,
  RealtimeTracker,
  type RealtimeTrackerShape,
  type RealtimeOptions,
  type RoutingInput,
  type Savings,
  type SessionSummary,
  type StatsReport,
  type StatsRow,
  type StoredEvent,
  type TrackedEvent,
  Tracker,
  type TrackerShape,
  type TrackerStats,
  TrackerStore,
  type TrackerStoreShape
} from "./services/tracker"

// provider balancing
export {
  type BalancerSettings,
  balancerSettings,
  type BalancerStats,
  type BalancingStrategy,
  NoProviderAvailable,
  ProviderBalancer,
  type ProviderBalancerShape,
  type ProviderSettings,
  type SelectionContext
} from "./services/balancer"

// the OpenCode server pool
export {
  type ExecuteOptions,
  NoServerAvailable,
  OpenCodeAborted,
  OpenCodeBadResponse,
  OpenCodeClient,
  type OpenCodeClientShape,
  type OpenCodeError,
  OpenCodeNotFound,
  OpenCodeProviderError,
  OpenCodeTimeout,
  OpenCodeUnauthorized,
  OpenCodeUnreachable,
  type PoolExecuteError,
  type PoolOptions,
  poolOptionsFromConfig,
  type PoolOverrides,
  PoolRuntimeLive,
  type PoolStatus,
  PortsExhausted,
  type RunOptions,
  type RunRequest,
  type RunResult,
  type ServerInfo,
  ServerPool,
  type ServerPoolShape,
  ServerStartFailed,
  type ServerStatus
} from "./services/pool"

// the pool daemon and delegation
export {
  DaemonAlreadyRunning,
  DaemonClient,
  type DaemonClientShape,
  type DaemonError,
  DaemonNotRunning,
  DaemonStartFailed,
  type DaemonState,
  DaemonUnreachable,
  type Delegation,
  type DelegationError,
  type DelegationRequest,
  Delegator,
  type DelegatorShape,
  RemoteExecutionError,
  type SharedPoolOptions
} from "./services/daemon"

// handoff context
export {
  type BuildContextInput,
  ContextBuilder,
  type ContextBuilderOptions,
  type ContextBuilderShape,
  type HandoffContext,
  HandoffInputInvalid,
  HandoffReadError,
  HandoffWriteError,
  redactContext,
  serializeContextToJSON,
  serializeContextToMarkdown
} from "./services/context"
export { ContextSynchronizer, type ContextSynchronizerShape, makeContextSynchronizer, type PushedContext } from "./services/context-sync"

// task lists and their execution
export {
  ClaudeBadOutput,
  ClaudeExecutor,
  type ClaudeExecutorError,
  type ClaudeExecutorOptions,
  type ClaudeExecutorShape,
  ClaudeFailed,
  ClaudeNotFound,
  type ClaudeRequest,
  type ClaudeRunOptions,
  ClaudeTimeout,
  DependencyCycle,
  DuplicateTaskId,
  type ExecuteTasksOptions,
  type ExecutionStrategyName,
  Executor,
  type ExecutorError,
  type ExecutorShape,
  NoModelForProvider,
  type OpencodeRunOptions,
  planTasks,
  readTaskFile,
  type Task,
  type TaskBackendError,
  TaskBackends,
  type TaskBackendsShape,
  type TaskGraphError,
  type TaskInput,
  TaskListInvalid,
  type TaskObserver,
  type TaskPlan,
  type TaskResult,
  type TaskRoute,
  UnknownDependency
} from "./services/executor"
