export { type ChangedFile, filesOfToolParts, mergeChangedFiles } from "./changedFiles"
export { NoServerAvailable, OpenCodeNotFound, PortsExhausted, ServerStartFailed } from "./errors"
export { opencodeServeEnv, simulatedOpencodeConfig, type SimulatedProviderSpec } from "./opencodeEnv"
export { resolveBinary } from "./opencodeBinary"
export {
  OpenCodeClient,
  type OpenCodeClientShape,
  type ProviderListing,
  type RecordedMessage,
  type RequestError,
  type RunOptions,
  type RunRequest,
  type RunResult,
  type SessionRef,
  type SessionTodo
} from "./OpenCodeClient"
export {
  OpenCodeAborted,
  OpenCodeBadResponse,
  type OpenCodeError,
  OpenCodeProviderError,
  OpenCodeStalled,
  OpenCodeTimeout,
  OpenCodeUnauthorized,
  OpenCodeUnreachable,
  type OpenCodeServer,
  PermissionRule,
  SessionPolicy
} from "./opencodeApi"
export { type PoolOptions, poolOptionsFromConfig, type PoolOverrides, PoolRuntimeLive } from "./poolOptions"
export { cleanStalePools, type LeftoverNote, recentLeftovers } from "./poolRegistry"
export { PoolStatus, ServerInfo, ServerStatus } from "./poolStatus"
export { type ExecuteOptions, makeServerPool, type PoolExecuteError, ServerPool, type ServerPoolShape } from "./ServerPool"
export { type HumanRequest } from "./SessionWatch"
