import * as Data from "effect/Data"
import * as Schema from "effect/Schema"

/** `~/.omcm/daemon.json` (mode 0600): how the CLI and hooks find and authenticate to the pool daemon */
export const DaemonState = Schema.Struct({
  pid: Schema.Number,
  startTicks: Schema.NullOr(Schema.String),
  apiPort: Schema.Number,
  token: Schema.String,
  startedAt: Schema.Number,
  projectDir: Schema.String,
  /** a daemon started by a SessionStart hook stops after this long without a request; none: runs until stopped */
  idleExitMinutes: Schema.optional(Schema.NullOr(Schema.Number)),
  servers: Schema.Array(Schema.Struct({ port: Schema.Number, pid: Schema.NullOr(Schema.Number) }))
})
export type DaemonState = typeof DaemonState.Type

export const ExecuteBody = Schema.Struct({
  prompt: Schema.String,
  model: Schema.String,
  agent: Schema.optional(Schema.String),
  timeoutMs: Schema.optional(Schema.Number.pipe(Schema.positive())),
  directory: Schema.optional(Schema.String),
  title: Schema.optional(Schema.String)
})
export type ExecuteBody = typeof ExecuteBody.Type

/**
 * A call relayed to the daemon (src/relay), `<relayDir>/<id>.req`: a hook (its event) or the statusline, the raw
 * input, the calling process (the daemon drops the call if it dies) and the caller's environment the answer depends
 * on. The answer, `<id>.res`, is `{ output }` for a hook (its JSON output or null) and `{ text }` for the statusline.
 */
export const RelayRequest = Schema.Struct({
  kind: Schema.optionalWith(Schema.Literal("hook", "statusline"), { default: () => "hook" as const }),
  event: Schema.String,
  text: Schema.String,
  pid: Schema.Number,
  env: Schema.Struct({
    HOME: Schema.optional(Schema.String),
    OMCM_HOME: Schema.optional(Schema.String),
    OMCM_CONFIG_DIR: Schema.optional(Schema.String),
    CLAUDE_CONFIG_DIR: Schema.optional(Schema.String),
    OMCM_CLAUDE_USAGE: Schema.optional(Schema.String)
  })
})

/** what the daemon answers when an execution fails: the error's tag and one-line message */
export const ErrorBody = Schema.Struct({
  error: Schema.Struct({
    tag: Schema.String,
    message: Schema.String,
    kind: Schema.optional(Schema.String),
    retryAfterMs: Schema.optional(Schema.Number)
  })
})
export type ErrorBody = typeof ErrorBody.Type

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

/** The daemon ran the request and it failed there (provider error, timeout...). */
export class RemoteExecutionError extends Data.TaggedError("RemoteExecutionError")<{
  readonly tag: string
  readonly message: string
  readonly kind?: string | undefined
  readonly retryAfterMs?: number | undefined
}> {}

export class DaemonStartFailed extends Data.TaggedError("DaemonStartFailed")<{ readonly message: string }> {}
