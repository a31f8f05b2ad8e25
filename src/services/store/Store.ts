import type BetterSqlite3 from "better-sqlite3"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"
import { StateError } from "../../domain/errors"
import { appendPrivateFile, ensurePrivateDir, PRIVATE_FILE_MODE } from "../../lib/privateFiles"
import { Paths } from "../config"

export type Db = BetterSqlite3.Database

/** A corrupt database file that was moved aside for a new one (the `store.recovered` row of the new one's meta table). */
export interface StoreRecovery {
  /** epoch ms */
  readonly at: number
  /** where the corrupt file went (`omcm.db.corrupt-<time>`, with its `-wal` and `-shm` if it had them) */
  readonly movedTo: string
  /** what SQLite said */
  readonly error: string
}

/**
 * The embedded SQLite database under `~/.omcm/` that every omcm process shares (hooks, CLI, daemon).
 * WAL mode and a busy timeout let many short-lived writers in at once; each write is one transaction.
 *
 * A store outlives its file: after every statement, `use` compares the path's device and inode with the open file's
 * (one `stat`), so a database deleted or replaced under a long-lived process (the daemon) is closed and the path
 * opened again, and the statement that ran on the old file runs again on the new one. A corrupt file (SQLITE_CORRUPT, SQLITE_NOTADB: on opening or on any statement) is moved aside to
 * `omcm.db.corrupt-<time>` and a new database started; the statement runs again on it. Each of these leaves one line
 * in `<logDir>/store.log`; a recovery from corruption is also the `store.recovered` meta row of the new database,
 * which the statusline and `omcm pool status` show.
 */
export interface StoreShape {
  readonly file: string
  readonly use: <A>(what: string, f: (db: Db) => A) => Effect.Effect<A, StateError>
  /** `f` runs inside BEGIN IMMEDIATE: read-modify-write without lost updates across processes */
  readonly transaction: <A>(what: string, f: (db: Db) => A) => Effect.Effect<A, StateError>
  /** the last time a corrupt database was moved aside (none since the current database was created: None) */
  readonly lastRecovery: Effect.Effect<Option.Option<StoreRecovery>, StateError>
}

export class Store extends Context.Tag("omcm/Store")<Store, StoreShape>() {
  /** a private database in memory (tests) */
  static readonly layerInMemory = Layer.scoped(Store, Effect.suspend(() => openStore(":memory:")))

  static readonly layerWithoutDependencies = Layer.scoped(
    Store,
    Effect.flatMap(Paths, (paths) => openStore(paths.dbFile, { logDir: paths.logDir }))
  )

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
   ALTER TABLE events ADD COLUMN failovers TEXT;`,
  // Claude usage as the statusline saw it (window: '5h' or 'wk'), for the burn-rate forecast
  `CREATE TABLE IF NOT EXISTS usage_samples (
     ts INTEGER NOT NULL, window TEXT NOT NULL, percent REAL NOT NULL, resets_at INTEGER);
   CREATE INDEX IF NOT EXISTS usage_samples_window_ts ON usage_samples (window, ts);`,
  // each Claude Code session's own cost estimate as the statusline saw it, to weigh a point of the 5-hour window
  `CREATE TABLE IF NOT EXISTS session_costs (
     session_id TEXT NOT NULL, minute INTEGER NOT NULL, ts INTEGER NOT NULL, usd REAL NOT NULL,
     PRIMARY KEY (session_id, minute));
   CREATE INDEX IF NOT EXISTS session_costs_ts ON session_costs (ts);`
]

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error))

const stateError = (file: string, what: string) => (error: unknown) =>
  new StateError({ file, message: `${file}: cannot ${what} (${errorText(error)})` })

const isBusy = (error: StateError) => /SQLITE_BUSY|database is locked/i.test(error.message)

/** SQLite says the file is not a database, or a damaged one (SQLITE_CORRUPT and its extended codes) */
const isCorruption = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === "string" && /^SQLITE_(CORRUPT|NOTADB)/.test(code)
}

/** better-sqlite3's answer on a handle another fiber closed (after the file was replaced) */
const isClosedHandle = (error: unknown) => error instanceof TypeError && /database connection is not open/i.test(error.message)

/** SQLite's busy timeout covers most contention; a few statements (journal mode, schema) still need a retry. */
const busyRetry = Schedule.intersect(Schedule.exponential("5 millis", 1.5), Schedule.recurs(30))

const loadDriver = (): typeof BetterSqlite3 => createRequire(import.meta.url)("better-sqlite3") as typeof BetterSqlite3

const RECOVERY_KEY = "store.recovered"

/** a file's identity: a file replaced (renamed over, deleted and created again) has another */
interface FileId {
  readonly dev: number
  readonly ino: number
}

const fileId = (file: string): FileId | null => {
  const stat = fs.statSync(file, { throwIfNoEntry: false })
  return stat === undefined ? null : { dev: stat.dev, ino: stat.ino }
}

const sameFile = (a: FileId | null, b: FileId | null) => a !== null && b !== null && a.dev === b.dev && a.ino === b.ino

/** An open connection and the files it opened (null: in memory, or not there when it was opened). */
interface Handle {
  readonly db: Db
  readonly id: FileId | null
  readonly wal: FileId | null
  readonly shm: FileId | null
}

/** A statement SQLite refused because the file is corrupt (internal: becomes a recovery, or a StateError). */
class Corrupt {
  constructor(readonly handle: Handle, readonly error: unknown) {}
}

const ATTEMPTS = 3

export interface StoreOptions {
  /** where `store.log` goes; default `logs/` next to the database */
  readonly logDir?: string | undefined
}

export const openStore = (file: string, options: StoreOptions = {}): Effect.Effect<StoreShape, StateError, Scope.Scope> =>
  Effect.gen(function*() {
    const inMemory = file === ":memory:"
    const logFile = path.join(options.logDir ?? path.join(path.dirname(file), "logs"), "store.log")
    /** one line per event; nowhere to write it is no reason to fail the statement */
    const log = (event: string, message: string, extra: Record<string, unknown> = {}) => {
      try {
        appendPrivateFile(logFile, `${JSON.stringify({ ts: new Date().toISOString(), pid: process.pid, event, file, message, ...extra })}\n`)
      } catch {
        // the database's own directory is not writable either: the statement fails on its own
      }
    }

    /**
     * A -wal or -shm without its database belongs to a database that was deleted: SQLite would read it as the new
     * database's, so it goes first. (Two processes opening at the same instant may both look; each looks again just
     * before removing.)
     */
    const removeOrphans = () => {
      if (fileId(file) !== null) return
      const removed = [`${file}-wal`, `${file}-shm`].filter((leftover) => {
        if (fileId(leftover) === null || fileId(file) !== null) return false
        fs.rmSync(leftover, { force: true })
        return true
      })
      if (removed.length > 0) log("orphans", `${path.basename(file)} was gone; removed what it left: ${removed.map((f) => path.basename(f)).join(", ")}`)
    }

    const connect = Effect.try({
      try: (): Handle => {
        if (inMemory) return { db: new (loadDriver())(file), id: null, wal: null, shm: null }
        ensurePrivateDir(path.dirname(file))
        removeOrphans()
        // a new database is created 0600 before SQLite sees it (its -wal and -shm take the database file's mode);
        // an existing one is not opened here (it may be read-only)
        try {
          fs.closeSync(fs.openSync(file, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY, PRIVATE_FILE_MODE))
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error
        }
        try {
          fs.chmodSync(file, PRIVATE_FILE_MODE)
        } catch {
          // another user's file system may refuse; the directory is private
        }
        const db = new (loadDriver())(file, { timeout: 15_000 })
        return { db, id: fileId(file), wal: null, shm: null }
      },
      catch: stateError(file, "open the database")
    })

    const prepare = (handle: Handle) =>
      Effect.try({
        try: (): Handle => {
          const db = handle.db
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
          // the WAL files this connection holds (SQLite created them on the first read in WAL mode)
          return inMemory ? handle : { ...handle, wal: fileId(`${file}-wal`), shm: fileId(`${file}-shm`) }
        },
        catch: (error) => (isCorruption(error) ? new Corrupt(handle, error) : stateError(file, "prepare the database")(error))
      }).pipe(
        Effect.retry({ schedule: busyRetry, while: (error) => error instanceof StateError && isBusy(error) }),
        Effect.tapError(() => Effect.sync(() => closeQuietly(handle)))
      )

    const closeQuietly = (handle: Handle) => {
      try {
        handle.db.close()
      } catch {
        // closed already
      }
    }

    /**
     * Close a handle whose file is gone or replaced. SQLite leaves the WAL files of a moved database where they are
     * (it checks): when they are still the ones this connection had, nobody else uses them for the new file, so
     * they go too.
     */
    const retire = (handle: Handle) => {
      closeQuietly(handle)
      if (handle.wal !== null && sameFile(fileId(`${file}-wal`), handle.wal)) fs.rmSync(`${file}-wal`, { force: true })
      if (handle.shm !== null && sameFile(fileId(`${file}-shm`), handle.shm)) fs.rmSync(`${file}-shm`, { force: true })
    }

    /**
     * The corrupt file goes aside with its WAL files, unless another process already did that (the path is no
     * longer the file this handle opened). Returns where it went.
     */
    const moveAside = (handle: Handle, error: unknown): { readonly movedTo: string; readonly at: number } | null => {
      closeQuietly(handle)
      if (!sameFile(fileId(file), handle.id)) return null
      const at = Date.now()
      const aside = `${file}.corrupt-${new Date(at).toISOString().replace(/[-:]/g, "")}`
      try {
        fs.renameSync(file, aside)
      } catch (error) {
        // another process moved it an instant earlier
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return null
        throw error
      }
      for (const suffix of ["-wal", "-shm"]) {
        try {
          fs.renameSync(`${file}${suffix}`, `${aside}${suffix}`)
        } catch {
          // it had none
        }
      }
      log(
        "corrupt",
        `${path.basename(file)} is corrupt (${errorText(error)}): moved aside to ${path.basename(aside)}, a new database started; what it held is only in that file now`,
        { movedTo: aside }
      )
      return { movedTo: aside, at }
    }

    const recordRecovery = (handle: Handle, recovery: StoreRecovery) =>
      Effect.try({
        try: () => {
          handle.db.prepare(
            "INSERT INTO meta (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"
          ).run(RECOVERY_KEY, JSON.stringify(recovery), recovery.at)
        },
        catch: stateError(file, "record the recovery")
      }).pipe(Effect.ignore)

    /** the corrupt file aside, then `next` (a new database), which records the recovery */
    const startOver = <E>(corrupt: Corrupt, next: Effect.Effect<Handle, E>) =>
      Effect.try({ try: () => moveAside(corrupt.handle, corrupt.error), catch: stateError(file, "move the corrupt database aside") }).pipe(
        Effect.flatMap((aside) =>
          Effect.tap(next, (handle) =>
            aside === null ? Effect.void : recordRecovery(handle, { ...aside, error: errorText(corrupt.error) })))
      )

    const isCorrupt = (error: unknown): error is Corrupt => error instanceof Corrupt
    const connectAndPrepare = Effect.flatMap(connect, prepare)

    /** a prepared connection; a corrupt file is moved aside (once) and a new database started */
    const open: Effect.Effect<Handle, StateError> = connectAndPrepare.pipe(
      Effect.catchIf(isCorrupt, (corrupt) => startOver(corrupt, connectAndPrepare)),
      Effect.mapError((error) => (isCorrupt(error) ? stateError(file, "open the database")(error.error) : error))
    )

    // the finalizer closes whichever connection is current by then
    let current: Handle = yield* Effect.acquireRelease(open, (): Effect.Effect<void> => Effect.sync(() => closeQuietly(current)))
    const lock = yield* Effect.makeSemaphore(1)

    /** the file at the path is no longer the one `handle` opened (one `stat`: the cost of the check) */
    const moved = (handle: Handle) => {
      if (handle.id === null) return false
      const now = fs.statSync(file, { throwIfNoEntry: false })
      return now === undefined || now.ino !== handle.id.ino || now.dev !== handle.id.dev
    }

    /** replace `handle` (unless another fiber already did): its file was deleted or replaced, or is corrupt */
    const reopen = (handle: Handle, why: "moved" | Corrupt): Effect.Effect<void, StateError> =>
      lock.withPermits(1)(Effect.suspend(() => {
        if (current !== handle) return Effect.void
        if (why !== "moved") return Effect.map(startOver(why, open), (next) => void (current = next))
        const gone = fileId(file) === null
        retire(handle)
        log(gone ? "deleted" : "replaced", `${path.basename(file)} was ${gone ? "deleted" : "replaced"} while open: opening the file at the path`)
        return Effect.map(open, (next) => void (current = next))
      }))

    /**
     * `f` on the current connection, then the file checked: when the path is no longer the file the connection
     * opened (deleted or replaced before or while `f` ran), `f` went to the old file and runs again on the new one.
     * One check after the statement covers both cases (a check before it too would only spare a wasted statement, at
     * the price of a second `stat` on every call). `left`: how many connections it may still try.
     */
    const attempt = <A>(what: string, f: (db: Db) => A, left: number): Effect.Effect<A, StateError> =>
      Effect.suspend(() => {
        const handle = current
        const elsewhere = (why: "moved" | Corrupt): Effect.Effect<A, StateError> =>
          left > 1
            ? Effect.zipRight(reopen(handle, why), attempt(what, f, left - 1))
            : Effect.fail(stateError(file, what)(why === "moved" ? new Error("the database file keeps changing") : why.error))
        let result: A
        try {
          result = f(handle.db)
        } catch (error) {
          if (isCorruption(error)) return elsewhere(new Corrupt(handle, error))
          if (isClosedHandle(error) && current !== handle && left > 1) return attempt(what, f, left - 1)
          return moved(handle) ? elsewhere("moved") : Effect.fail(stateError(file, what)(error))
        }
        return moved(handle) ? elsewhere("moved") : Effect.succeed(result)
      })

    // the retry schedule is only built when a statement came back busy: the hook path runs `use` once per event
    const use = <A>(what: string, f: (db: Db) => A): Effect.Effect<A, StateError> => {
      const once = attempt(what, f, ATTEMPTS)
      return Effect.catchIf(once, isBusy, () => Effect.retry(once, { schedule: busyRetry, while: isBusy }))
    }
    const transaction = <A>(what: string, f: (db: Db) => A) => use(what, (d) => d.transaction(() => f(d)).immediate())
    const lastRecovery = use("read the last recovery", (db) =>
      (db.prepare("SELECT value FROM meta WHERE key = ?").get(RECOVERY_KEY) as { value: string } | undefined)?.value
    ).pipe(Effect.map((value) => Option.flatMap(Option.fromNullable(value), decodeRecovery)))
    return { file, use, transaction, lastRecovery }
  })

const decodeRecovery = (value: string): Option.Option<StoreRecovery> => {
  try {
    const r = JSON.parse(value) as Partial<StoreRecovery>
    return typeof r.at === "number" && typeof r.movedTo === "string" && typeof r.error === "string"
      ? Option.some({ at: r.at, movedTo: r.movedTo, error: r.error })
      : Option.none()
  } catch {
    return Option.none()
  }
}
