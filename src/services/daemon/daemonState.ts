import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { DaemonState } from "./api"
import { decodeUnknown, parseJson, readTextIfExists } from "../../lib/jsonFile"
import { isSameProcess } from "../../lib/processes"

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
