import * as Schema from "effect/Schema"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { decodeUnknown, parseJson, readTextIfExists } from "../../lib/jsonFile"
import { isSameProcess } from "../../lib/processes"

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

/** The daemon's state file, decoded; a missing or unreadable one is none. (No HTTP here: hooks read it at start-up.) */
export const readDaemonState = (file: string): Effect.Effect<Option.Option<DaemonState>> =>
  readTextIfExists(file).pipe(
    Effect.flatMap(Option.match({
      onNone: () => Effect.succeedNone,
      onSome: (text) => parseJson(text).pipe(Effect.flatMap(decodeUnknown(DaemonState, { strict: false })), Effect.map(Option.some))
    })),
    Effect.orElseSucceed(() => Option.none<DaemonState>())
  )


/** The running daemon, if any: a state file left by a dead daemon counts as none. */
export const findRunningDaemon = (file: string) =>
  Effect.map(readDaemonState(file), Option.filter((d) => isSameProcess(d.pid, d.startTicks)))
