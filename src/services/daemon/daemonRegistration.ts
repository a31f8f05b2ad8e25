import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { DaemonAlreadyRunning } from "./errors"
import type { StateError } from "../../domain/errors"
import { isSameProcess, processStartTicks } from "../../lib/processes"
import type { StoreShape } from "../store"

/** the `daemon` row of the meta table: who holds the single-daemon lock */
const Registered = Schema.Struct({ pid: Schema.Number, startTicks: Schema.NullOr(Schema.String), apiPort: Schema.Number })
type Registered = typeof Registered.Type
/** a damaged row holds no lock */
const decodeRegistered = (row: { value: string } | undefined): Registered | null =>
  row === undefined ? null : Option.getOrNull(Schema.decodeUnknownOption(Schema.parseJson(Registered))(row.value))

const KEY = "daemon"

/**
 * The single-daemon lock lives in the shared SQLite database: claiming it is one BEGIN IMMEDIATE transaction, so two
 * `omcm pool start` racing each other cannot both win, and a daemon killed with SIGKILL leaves a claim that the next
 * start sees as dead (its PID is gone or belongs to another process).
 */
export const claimDaemon = (store: StoreShape): Effect.Effect<void, DaemonAlreadyRunning | StateError> =>
  Effect.flatMap(Clock.currentTimeMillis, (now) => store.transaction("claim the pool daemon", (db) => {
    const current = decodeRegistered(db.prepare("SELECT value FROM meta WHERE key = ?").get(KEY) as { value: string } | undefined)
    if (current !== null && current.pid !== process.pid && isSameProcess(current.pid, current.startTicks)) {
      return Option.some(current)
    }
    const mine: Registered = { pid: process.pid, startTicks: processStartTicks(process.pid), apiPort: 0 }
    db.prepare("INSERT INTO meta (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at")
      .run(KEY, JSON.stringify(mine), now)
    return Option.none<Registered>()
  })).pipe(
    Effect.flatMap(Option.match({
      onNone: () => Effect.void,
      onSome: (other) => Effect.fail(new DaemonAlreadyRunning({ pid: other.pid, apiPort: other.apiPort }))
    }))
  )

export const announceDaemonPort = (store: StoreShape, apiPort: number) =>
  Effect.flatMap(Clock.currentTimeMillis, (now) =>
    store.use("record the daemon port", (db) => {
      const mine: Registered = { pid: process.pid, startTicks: processStartTicks(process.pid), apiPort }
      db.prepare("UPDATE meta SET value = ?, updated_at = ? WHERE key = ?").run(JSON.stringify(mine), now, KEY)
    }))

export const releaseDaemon = (store: StoreShape) =>
  store.use("release the pool daemon", (db) => {
    const current = decodeRegistered(db.prepare("SELECT value FROM meta WHERE key = ?").get(KEY) as { value: string } | undefined)
    if (current?.pid === process.pid) db.prepare("DELETE FROM meta WHERE key = ?").run(KEY)
  }).pipe(Effect.ignore)
