export { NoServerAvailable, OpenCodeNotFound, PortsExhausted, ServerStartFailed } from "./errors"
export { opencodeServeEnv, simulatedOpencodeConfig, type SimulatedProviderSpec } from "./opencodeEnv"
export { resolveBinary } from "./opencodeBinary"
export { OpenCodeClient, type OpenCodeClientShape, type RunOptions, type RunRequest, type RunResult } from "./OpenCodeClient"
export {
  OpenCodeAborted,
  OpenCodeBadResponse,
  type OpenCodeError,
  OpenCodeProviderError,
  OpenCodeTimeout,
  OpenCodeUnauthorized,
  OpenCodeUnreachable
} from "./opencodeApi"
export { type PoolOptions, poolOptionsFromConfig, type PoolOverrides, PoolRuntimeLive } from "./poolOptions"
export { cleanStalePools } from "./poolRegistry"
export {
  type ExecuteOptions,
  makeServerPool,
  type PoolExecuteError,
  type PoolStatus,
  type ServerInfo,
  ServerPool,
  type ServerPoolShape,
  type ServerStatus
} from "./ServerPool"
