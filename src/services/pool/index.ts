export { type ChangedFile } from "./changedFiles"
export { NoServerAvailable, OpenCodeNotFound, PortsExhausted, ServerStartFailed } from "./errors"
export { opencodeServeEnv, simulatedOpencodeConfig, type SimulatedProviderSpec } from "./opencodeEnv"
export { resolveBinary } from "./opencodeBinary"
export { OpenCodeClient, type OpenCodeClientShape, type ProviderListing, type RunOptions, type RunRequest, type RunResult } from "./OpenCodeClient"
export {
  OpenCodeAborted,
  OpenCodeBadResponse,
  type OpenCodeError,
  OpenCodeProviderError,
  OpenCodeStalled,
  OpenCodeTimeout,
  OpenCodeUnauthorized,
  OpenCodeUnreachable,
  PermissionRule,
  SessionPolicy
} from "./opencodeApi"
export { type PoolOptions, poolOptionsFromConfig, type PoolOverrides, PoolRuntimeLive } from "./poolOptions"
export { cleanStalePools, type LeftoverNote, recentLeftovers } from "./poolRegistry"
export { PoolStatus, ServerInfo, ServerStatus } from "./poolStatus"
export { type ExecuteOptions, makeServerPool, type PoolExecuteError, ServerPool, type ServerPoolShape } from "./ServerPool"
export { type HumanRequest } from "./SessionWatch"
