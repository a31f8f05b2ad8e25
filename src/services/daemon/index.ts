export {
  DaemonAlreadyRunning,
  DaemonNotRunning,
  DaemonStartFailed,
  type DaemonState,
  DaemonUnreachable,
  ExecuteBody,
  type RelayRequest,
  RemoteExecutionError
} from "./api"
export { DaemonClient, type DaemonClientShape, type DaemonError } from "./DaemonClient"
export { DaemonLauncher, type DaemonLauncherShape } from "./DaemonLauncher"
export { announceDaemonPort, claimDaemon, releaseDaemon } from "./daemonRegistration"
export { spawnDaemon } from "./daemonSpawn"
export { findRunningDaemon } from "./daemonState"
export {
  type Delegation,
  type DelegationError,
  type DelegationRequest,
  Delegator,
  type DelegatorShape,
  type SharedPoolOptions
} from "./Delegator"
export { type Activity, makeActivity, stopWhenIdle } from "./idleStop"
export { type RelayAnswer, serveRelay } from "./RelaySpool"
