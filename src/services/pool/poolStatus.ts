import * as Schema from "effect/Schema"

export const ServerStatus = Schema.Literal("starting", "idle", "busy", "error", "recovering", "stopped")
export type ServerStatus = typeof ServerStatus.Type

export const ServerInfo = Schema.Struct({
  port: Schema.Number,
  status: ServerStatus,
  busyCount: Schema.Number,
  pid: Schema.NullOr(Schema.Number),
  restarts: Schema.Number,
  lastError: Schema.NullOr(Schema.String)
})
export type ServerInfo = typeof ServerInfo.Type

/** The pool's state: what `getStatus` returns and the daemon's `GET /status` answers. */
export const PoolStatus = Schema.Struct({
  activeServers: Schema.Number,
  idleServers: Schema.Number,
  busyServers: Schema.Number,
  totalRequests: Schema.Number,
  averageResponseTime: Schema.Number,
  inFlight: Schema.Number,
  servers: Schema.Array(ServerInfo),
  /** delegated calls run at once (routing.maxOpencodeWorkers, applied live) */
  maxWorkers: Schema.optional(Schema.Number),
  /** settings changed in config.json that apply only after a restart of the daemon */
  restartNeeded: Schema.optional(Schema.Array(Schema.String))
})
export type PoolStatus = typeof PoolStatus.Type
