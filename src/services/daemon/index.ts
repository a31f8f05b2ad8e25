export {
  DaemonAlreadyRunning,
  DaemonNotRunning,
  DaemonStartFailed,
  type DaemonState,
  type DaemonUnreachable,
  ExecuteBody,
  type RelayRequest,
  type RemoteExecutionError
} from "./api"
export { DaemonClient } from "./DaemonClient"
export { DaemonLauncher } from "./DaemonLauncher"
export { announceDaemonPort, claimDaemon, releaseDaemon } from "./daemonRegistration"
export { spawnDaemon } from "./daemonSpawn"
export { findRunningDaemon } from "./daemonState"
export { type Delegation, type DelegationError, type DelegationRequest, Delegator, type SharedPoolOptions } from "./Delegator"
export { type Activity, makeActivity, stopWhenIdle } from "./idleStop"
export { type RelayAnswer, serveRelay } from "./RelaySpool"
