import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { DaemonAlreadyRunning } from "./api"
import type { StateError } from "../../domain/errors"
import { isSameProcess, processStartTicks } from "../../lib/processes"
import type { StoreShape } from "../store"

interface Registered {
  readonly pid: number
  readonly startTicks: string | null
  readonly apiPort: number
}

const KEY = "daemon"

/**
 * The single-daemon lock lives in the shared SQLite database: claiming it is one BEGIN IMMEDIATE transaction, so two
 * `omcm pool start` racing each other cannot both win, and a daemon killed with SIGKILL leaves a claim that the next
 * start sees as dead (its PID is gone or belongs to another process).
 */
export const claimDaemon = (store: StoreShape): Effect.Effect<void, DaemonAlreadyRunning | StateError> =>
  store.transaction("claim the pool daemon", (db) => {
    const row = db.prepare("SELECT value FROM meta WHERE key = ?").get(KEY) as { value: string } | undefined
    const current = row === undefined ? null : (JSON.parse(row.value) as Registered)
    if (current !== null && current.pid !== process.pid && isSameProcess(current.pid, current.startTicks)) {
      return Option.some(current)
    }
    const mine: Registered = { pid: process.pid, startTicks: processStartTicks(process.pid), apiPort: 0 }
    db.prepare("INSERT INTO meta (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at")
      .run(KEY, JSON.stringify(mine), Date.now())
    return Option.none<Registered>()
  }).pipe(
    Effect.flatMap(Option.match({
      onNone: () => Effect.void,
      onSome: (other) => Effect.fail(new DaemonAlreadyRunning({ pid: other.pid, apiPort: other.apiPort }))
    }))
  )

export const announceDaemonPort = (store: StoreShape, apiPort: number) =>
  store.use("record the daemon port", (db) => {
    db.prepare("UPDATE meta SET value = ?, updated_at = ? WHERE key = ?")
      .run(JSON.stringify({ pid: process.pid, startTicks: processStartTicks(process.pid), apiPort }), Date.now(), KEY)
  })

export const releaseDaemon = (store: StoreShape) =>
  store.use("release the pool daemon", (db) => {
    const row = db.prepare("SELECT value FROM meta WHERE key = ?").get(KEY) as { value: string } | undefined
    if (row !== undefined && (JSON.parse(row.value) as Registered).pid === process.pid) db.prepare("DELETE FROM meta WHERE key = ?").run(KEY)
  }).pipe(Effect.ignore)
