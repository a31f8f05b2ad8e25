import * as Data from "effect/Data"

export class DaemonAlreadyRunning extends Data.TaggedError("DaemonAlreadyRunning")<{ readonly pid: number; readonly apiPort: number }> {
  override get message() {
    return `a pool daemon is already running (pid ${this.pid}, API on 127.0.0.1:${this.apiPort}); stop it with: omcm pool stop`
  }
}

export class DaemonNotRunning extends Data.TaggedError("DaemonNotRunning")<{}> {
  override get message() {
    return "no pool daemon is running (start one with: omcm pool start --detach)"
  }
}

/** The daemon could not be reached or answered something unusable. */
export class DaemonUnreachable extends Data.TaggedError("DaemonUnreachable")<{
  /** `connect`: nothing answered (no work was started); `timeout` and `protocol`: the request may have run */
  readonly reason: "connect" | "timeout" | "protocol"
  readonly message: string
}> {}

export class DaemonStartFailed extends Data.TaggedError("DaemonStartFailed")<{ readonly message: string }> {}
