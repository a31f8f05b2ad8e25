import type BetterSqlite3 from "better-sqlite3"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"
import { StateError } from "../../domain/errors"
import { Paths } from "../config"

export type Db = BetterSqlite3.Database

/**
 * The embedded SQLite database under `~/.omcm/` that every omcm process shares (hooks, CLI, daemon).
 * WAL mode and a busy timeout let many short-lived writers in at once; each write is one transaction.
 */
export interface StoreShape {
  readonly file: string
  readonly use: <A>(what: string, f: (db: Db) => A) => Effect.Effect<A, StateError>
  /** `f` runs inside BEGIN IMMEDIATE: read-modify-write without lost updates across processes */
  readonly transaction: <A>(what: string, f: (db: Db) => A) => Effect.Effect<A, StateError>
}

export class Store extends Context.Tag("omcm/Store")<Store, StoreShape>() {
  /** a private database in memory (tests) */
  static readonly layerInMemory = Layer.scoped(Store, Effect.suspend(() => openStore(":memory:")))

  static readonly layerWithoutDependencies = Layer.scoped(Store, Effect.flatMap(Paths, (paths) => openStore(paths.dbFile)))

  static readonly layer = Store.layerWithoutDependencies.pipe(Layer.provide(Paths.layer))
}

export const MIGRATIONS: ReadonlyArray<string> = [
  `CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at INTEGER NOT NULL);
   CREATE TABLE IF NOT EXISTS sessions (
     session_id TEXT PRIMARY KEY, mode TEXT NOT NULL DEFAULT 'off', autopilot INTEGER NOT NULL DEFAULT 0,
     task TEXT, cwd TEXT, started_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, ended_at INTEGER);
   CREATE TABLE IF NOT EXISTS events (
     id INTEGER PRIMARY KEY AUTOINCREMENT, ts INTEGER NOT NULL, kind TEXT NOT NULL, source TEXT NOT NULL,
     session_id TEXT, agent TEXT, tier TEXT, mode TEXT, target TEXT, provider TEXT, model TEXT,
     success INTEGER NOT NULL DEFAULT 1, cache_hit INTEGER NOT NULL DEFAULT 0, duration_ms REAL NOT NULL DEFAULT 0,
     input_tokens INTEGER NOT NULL DEFAULT 0, output_tokens INTEGER NOT NULL DEFAULT 0,
     reasoning_tokens INTEGER NOT NULL DEFAULT 0, cache_read INTEGER NOT NULL DEFAULT 0,
     cache_write INTEGER NOT NULL DEFAULT 0, cost REAL, claude_cost REAL, error TEXT, detail TEXT);
   CREATE INDEX IF NOT EXISTS events_ts ON events (ts);
   CREATE INDEX IF NOT EXISTS events_session ON events (session_id, ts);
   CREATE TABLE IF NOT EXISTS minute_aggregates (
     minute INTEGER NOT NULL, kind TEXT NOT NULL, source TEXT NOT NULL, agent TEXT NOT NULL, target TEXT NOT NULL,
     provider TEXT NOT NULL, model TEXT NOT NULL, tier TEXT NOT NULL,
     count INTEGER NOT NULL, errors INTEGER NOT NULL, cache_hits INTEGER NOT NULL, duration_ms REAL NOT NULL,
     input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, reasoning_tokens INTEGER NOT NULL,
     cache_read INTEGER NOT NULL, cache_write INTEGER NOT NULL, cost REAL, claude_cost REAL, unpriced INTEGER NOT NULL,
     PRIMARY KEY (minute, kind, source, agent, target, provider, model, tier));`,
  // tracker: events say whether they carry an outcome (NULL: calls do, routing decisions do not); minute aggregates
  // keep successes and failures apart (savings count successful calls only) with a latency histogram per row
  `ALTER TABLE events ADD COLUMN outcome INTEGER;
   CREATE TABLE minute_aggregates_v2 (
     minute INTEGER NOT NULL, kind TEXT NOT NULL, source TEXT NOT NULL, agent TEXT NOT NULL, target TEXT NOT NULL,
     provider TEXT NOT NULL, model TEXT NOT NULL, tier TEXT NOT NULL, success INTEGER NOT NULL, outcome INTEGER NOT NULL,
     count INTEGER NOT NULL, errors INTEGER NOT NULL, cache_hits INTEGER NOT NULL, duration_ms REAL NOT NULL,
     input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, reasoning_tokens INTEGER NOT NULL,
     cache_read INTEGER NOT NULL, cache_write INTEGER NOT NULL, cost REAL NOT NULL, unpriced INTEGER NOT NULL,
     claude_cost REAL NOT NULL, claude_unpriced INTEGER NOT NULL, latency_hist TEXT NOT NULL,
     PRIMARY KEY (minute, kind, source, agent, target, provider, model, tier, success, outcome));
   INSERT INTO minute_aggregates_v2 SELECT minute, kind, source, agent, target, provider, model, tier,
     CASE WHEN errors >= count THEN 0 ELSE 1 END, CASE WHEN kind = 'call' THEN 1 ELSE 0 END, count, errors, cache_hits,
     duration_ms, input_tokens, output_tokens, reasoning_tokens, cache_read, cache_write, COALESCE(cost, 0), unpriced,
     COALESCE(claude_cost, 0), CASE WHEN claude_cost IS NULL THEN count ELSE 0 END, '{}' FROM minute_aggregates;
   DROP TABLE minute_aggregates;
   ALTER TABLE minute_aggregates_v2 RENAME TO minute_aggregates;`,
  // secrets replaced by placeholders before a delegated call left the machine, by kind
  `CREATE TABLE IF NOT EXISTS redactions (
     ts INTEGER NOT NULL, source TEXT NOT NULL, session_id TEXT, kind TEXT NOT NULL, count INTEGER NOT NULL);
   CREATE INDEX IF NOT EXISTS redactions_ts ON redactions (ts);`,
  // a call that failed over: the candidate asked first, and those given up on the way (JSON [{id, error}])
  `ALTER TABLE events ADD COLUMN requested_model TEXT;
   ALTER TABLE events ADD COLUMN failovers TEXT;`
]

const stateError = (file: string, what: string) => (error: unknown) =>
  new StateError({ file, message: `${file}: cannot ${what} (${error instanceof Error ? error.message : String(error)})` })

const isBusy = (error: StateError) => /SQLITE_BUSY|database is locked/i.test(error.message)

/** SQLite's busy timeout covers most contention; a few statements (journal mode, schema) still need a retry. */
const busyRetry = Schedule.intersect(Schedule.exponential("5 millis", 1.5), Schedule.recurs(30))

const loadDriver = (): typeof BetterSqlite3 => createRequire(import.meta.url)("better-sqlite3") as typeof BetterSqlite3

export const openStore = (file: string): Effect.Effect<StoreShape, StateError, import("effect/Scope").Scope> =>
  Effect.gen(function*() {
    const db = yield* Effect.acquireRelease(
      Effect.try({
        try: () => {
          fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
          const Driver = loadDriver()
          const handle = new Driver(file, { timeout: 15_000 })
          try {
            fs.chmodSync(file, 0o600)
          } catch {
            // another user's file system may refuse; the directory is already private
          }
          return handle
        },
        catch: stateError(file, "open the database")
      }),
      (handle) => Effect.sync(() => handle.close())
    )
    yield* Effect.try({
      try: () => {
        if (db.pragma("journal_mode", { simple: true }) !== "wal") db.pragma("journal_mode = WAL")
        db.pragma("synchronous = NORMAL")
        const version = db.pragma("user_version", { simple: true }) as number
        if (version < MIGRATIONS.length) {
          db.transaction(() => {
            const current = db.pragma("user_version", { simple: true }) as number
            for (let i = current; i < MIGRATIONS.length; i++) db.exec(MIGRATIONS[i]!)
            db.pragma(`user_version = ${MIGRATIONS.length}`)
          }).immediate()
        }
      },
      catch: stateError(file, "prepare the database")
    }).pipe(Effect.retry({ schedule: busyRetry, while: isBusy }))

    // the retry schedule is only built when a statement came back busy: the hook path runs `use` once per event
    const use = <A>(what: string, f: (db: Db) => A) => {
      const attempt = Effect.try({ try: () => f(db), catch: stateError(file, what) })
      return Effect.catchIf(attempt, isBusy, () => Effect.retry(attempt, { schedule: busyRetry, while: isBusy }))
    }
    const transaction = <A>(what: string, f: (db: Db) => A) => use(what, (d) => d.transaction(() => f(d)).immediate())
    return { file, use, transaction }
  })
