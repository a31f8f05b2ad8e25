import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as path from "node:path"
import type { StateError } from "../../domain/errors"
import type { Mode } from "../../domain/model"
import { Store } from "../store"

export interface SessionMode {
  readonly mode: Mode
  readonly autopilot: boolean
  readonly task: string | null
}

/** An open session and where it runs. */
export interface OpenSession extends SessionMode {
  readonly sessionId: string
  readonly cwd: string
  readonly startedAt: number
}

/** Per Claude Code session state: the fusion mode a prompt switched on. Sessions never see each other's mode. */
export interface SessionsShape {
  readonly start: (sessionId: string, cwd: string | undefined) => Effect.Effect<void, StateError>
  readonly setMode: (sessionId: string, mode: SessionMode, cwd: string | undefined) => Effect.Effect<void, StateError>
  readonly getMode: (sessionId: string) => Effect.Effect<Option.Option<SessionMode>, StateError>
  /** the mode the session had last, also once it has ended (what the statusline shows) */
  readonly lastMode: (sessionId: string) => Effect.Effect<Option.Option<SessionMode & { readonly ended: boolean }>, StateError>
  readonly end: (sessionId: string) => Effect.Effect<void, StateError>
  /**
   * The session a command run in `dir` belongs to: the most recently active open session whose directory is `dir`
   * or contains it (the deepest such directory wins). None when no hook has seen one there.
   */
  readonly current: (dir: string) => Effect.Effect<Option.Option<OpenSession>, StateError>
  /** forget sessions not touched for `maxAgeMs`; returns how many */
  readonly clearStale: (maxAgeMs: number) => Effect.Effect<number, StateError>
}

export class Sessions extends Context.Tag("omcm/Sessions")<Sessions, SessionsShape>() {
  static readonly layerWithoutDependencies = Layer.effect(
    Sessions,
    Effect.map(Store, (store): SessionsShape => ({
      start: (sessionId, cwd) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) => store.use("record the session start", (db) => {
          db.prepare(
            `INSERT INTO sessions (session_id, cwd, started_at, updated_at) VALUES (?, ?, ?, ?)
             ON CONFLICT(session_id) DO UPDATE SET updated_at = excluded.updated_at, ended_at = NULL`
          ).run(sessionId, cwd ?? null, now, now)
        })),
      setMode: (sessionId, mode, cwd) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) => store.use("store the session mode", (db) => {
          db.prepare(
            `INSERT INTO sessions (session_id, mode, autopilot, task, cwd, started_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT(session_id) DO UPDATE SET mode = excluded.mode, autopilot = excluded.autopilot,
               task = excluded.task, updated_at = excluded.updated_at, ended_at = NULL`
          ).run(sessionId, mode.mode, mode.autopilot ? 1 : 0, mode.task, cwd ?? null, now, now)
        })),
      getMode: (sessionId) =>
        store.use("read the session mode", (db) => {
          const row = db.prepare("SELECT mode, autopilot, task FROM sessions WHERE session_id = ? AND ended_at IS NULL")
            .get(sessionId) as { mode: Mode; autopilot: number; task: string | null } | undefined
          return row === undefined
            ? Option.none()
            : Option.some({ mode: row.mode, autopilot: row.autopilot === 1, task: row.task })
        }),
      lastMode: (sessionId) =>
        store.use("read the session's last mode", (db) => {
          const row = db.prepare("SELECT mode, autopilot, task, ended_at FROM sessions WHERE session_id = ?")
            .get(sessionId) as { mode: Mode; autopilot: number; task: string | null; ended_at: number | null } | undefined
          return row === undefined
            ? Option.none()
            : Option.some({ mode: row.mode, autopilot: row.autopilot === 1, task: row.task, ended: row.ended_at !== null })
        }),
      end: (sessionId) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) => store.use("close the session", (db) => {
          db.prepare("UPDATE sessions SET ended_at = ?, updated_at = ? WHERE session_id = ?").run(now, now, sessionId)
        })),
      current: (dir) =>
        store.use("find the current session", (db) => {
          const rows = db.prepare(
            `SELECT session_id, mode, autopilot, task, cwd, started_at FROM sessions
             WHERE ended_at IS NULL AND cwd IS NOT NULL ORDER BY updated_at DESC`
          ).all() as ReadonlyArray<
            { session_id: string; mode: Mode; autopilot: number; task: string | null; cwd: string; started_at: number }
          >
          const contains = (cwd: string) => dir === cwd || dir.startsWith(cwd.endsWith(path.sep) ? cwd : cwd + path.sep)
          const deepest = Math.max(-1, ...rows.filter((r) => contains(r.cwd)).map((r) => r.cwd.length))
          const row = rows.find((r) => contains(r.cwd) && r.cwd.length === deepest)
          return row === undefined ? Option.none() : Option.some({
            sessionId: row.session_id,
            mode: row.mode,
            autopilot: row.autopilot === 1,
            task: row.task,
            cwd: row.cwd,
            startedAt: row.started_at
          })
        }),
      clearStale: (maxAgeMs) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          store.use("clear stale sessions", (db) => db.prepare("DELETE FROM sessions WHERE updated_at < ?").run(now - maxAgeMs).changes))
    }))
  )

  static readonly layer = Sessions.layerWithoutDependencies.pipe(Layer.provide(Store.layer))
}
