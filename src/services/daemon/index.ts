export { DaemonApi, DaemonAuthorization, ExecuteBody, RemoteExecutionError, Unauthorized } from "./api"
export { DaemonClient, type DaemonClientShape, daemonModels, type DaemonError } from "./DaemonClient"
export { DaemonLauncher, type DaemonLauncherShape } from "./DaemonLauncher"
export { announceDaemonPort, claimDaemon, releaseDaemon } from "./daemonRegistration"
export { clearLaunch, type LaunchState, readLaunchState, recordLaunch } from "./daemonLaunch"
export { spawnDaemon } from "./daemonSpawn"
export { DaemonState, findRunningDaemon, readDaemonState } from "./daemonState"
export {
  type Delegation,
  type DelegationError,
  type DelegationRequest,
  Delegator,
  type DelegatorShape,
  type SharedPoolOptions
} from "./Delegator"
export { DaemonAlreadyRunning, DaemonNotRunning, DaemonStartFailed, DaemonUnreachable } from "./errors"
export { type Activity, makeActivity, stopWhenIdle } from "./idleStop"
export { type RelayAnswer, RelayRequest, serveRelay } from "./RelaySpool"
export { type LiveSettings, makeLiveSettings, poolSettingsNeedingRestart, watchConfig } from "./configWatch"
