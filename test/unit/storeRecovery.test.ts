import Database from "better-sqlite3"
import { Effect, Exit, Option, Scope } from "effect"
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { openStore, type StoreShape } from "../../src/services/store/Store"
import { makeTrackerStore } from "../../src/services/tracker/TrackerStore"

/**
 * The shared database outlives its file: deleted or replaced under a long-lived store (the daemon), the store opens
 * the path again; a corrupt file is moved aside and a new database started, with a line in logs/store.log and the
 * `store.recovered` meta row.
 */
let dir = ""
let file = ""
let logDir = ""
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "omcm-store-"))
  file = path.join(dir, "omcm.db")
  logDir = path.join(dir, "logs")
})
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

/** a store open until `close` (as in the daemon: one connection for its whole life) */
const longLived = async () => {
  const scope = Effect.runSync(Scope.make())
  const store = await Effect.runPromise(Scope.extend(openStore(file, { logDir }), scope))
  return { store, close: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
}

const run = <A>(effect: Effect.Effect<A, unknown>) => Effect.runPromise(effect)

const record = (store: StoreShape, source: string) =>
  run(makeTrackerStore(store).insert({ ts: Date.now(), kind: "call", source: "test", agent: source }))

/** the agents of the events in the file at the path now, read by a connection of its own */
const agentsInFile = (at = file): ReadonlyArray<string> => {
  const db = new Database(at, { readonly: true })
  try {
    return (db.prepare("SELECT agent FROM events ORDER BY id").all() as Array<{ agent: string }>).map((r) => r.agent)
  } finally {
    db.close()
  }
}

const logLines = (): ReadonlyArray<{ event: string; message: string; movedTo?: string }> =>
  fs.existsSync(path.join(logDir, "store.log"))
    ? fs.readFileSync(path.join(logDir, "store.log"), "utf8").trim().split("\n").map((l) => JSON.parse(l))
    : []

const asideFiles = () => fs.readdirSync(dir).filter((f) => f.startsWith("omcm.db.corrupt-"))

/** a real database with `n` events, closed */
const makeDatabase = async (n: number) => {
  const { close, store } = await longLived()
  await run(store.transaction("fill", (db) => {
    const insert = db.prepare("INSERT INTO events (ts, kind, source, agent, detail) VALUES (?, 'call', 'test', ?, ?)")
    for (let i = 0; i < n; i++) insert.run(i, `old-${i}`, "x".repeat(200))
  }))
  await run(store.use("checkpoint", (db) => db.pragma("wal_checkpoint(TRUNCATE)")))
  await close()
}

describe("a database deleted or replaced under a long-lived store", () => {
  it.each([
    ["the database file alone", ["omcm.db"]],
    ["the database and its WAL files", ["omcm.db", "omcm.db-wal", "omcm.db-shm"]]
  ])("deleted (%s): what is recorded afterwards lands in the new file", async (_, deleted) => {
    const { close, store } = await longLived()
    try {
      await record(store, "before-1")
      await record(store, "before-2")
      for (const name of deleted) fs.rmSync(path.join(dir, name), { force: true })
      await record(store, "after-1")
      await record(store, "after-2")
      expect(agentsInFile()).toEqual(["after-1", "after-2"])
      // the store keeps using the new file
      expect(await run(store.use("count", (db) => db.prepare("SELECT count(*) AS n FROM events").get()))).toEqual({ n: 2 })
      expect(logLines().map((l) => l.event)).toEqual(["deleted"])
    } finally {
      await close()
    }
    // a fresh process opening it later sees the same rows, in a sound database
    expect(agentsInFile()).toEqual(["after-1", "after-2"])
    const db = new Database(file, { readonly: true })
    expect(db.pragma("integrity_check", { simple: true })).toBe("ok")
    db.close()
  })

  it("replaced (another database renamed over it): records land in the new one", async () => {
    const other = path.join(dir, "other.db")
    const { close, store } = await longLived()
    try {
      await record(store, "before")
      const db = new Database(other)
      db.exec("CREATE TABLE marker (x)")
      db.close()
      // an empty database of another origin: the store migrates it like any new one
      fs.renameSync(other, file)
      await record(store, "after")
      expect(agentsInFile()).toEqual(["after"])
      expect(logLines().map((l) => l.event)).toEqual(["replaced"])
    } finally {
      await close()
    }
  })

  it("a second store on the same file (another process's) sees the same rows after the deletion", async () => {
    const first = await longLived()
    const second = await longLived()
    try {
      await record(first.store, "a")
      fs.rmSync(file)
      await record(first.store, "b")
      await record(second.store, "c")
      await record(first.store, "d")
      expect(agentsInFile()).toEqual(["b", "c", "d"])
    } finally {
      await first.close()
      await second.close()
    }
  })
})

describe("a corrupt database", () => {
  const kinds: ReadonlyArray<readonly [string, () => Promise<void>]> = [
    ["random bytes", async () => fs.writeFileSync(file, crypto.randomBytes(64 * 1024))],
    ["half-truncated", async () => {
      await makeDatabase(5_000)
      fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2))
    }],
    ["a bad header", async () => {
      await makeDatabase(100)
      const fd = fs.openSync(file, "r+")
      fs.writeSync(fd, Buffer.from("not a database!!"), 0, 16, 0)
      fs.closeSync(fd)
    }]
  ]

  it.each(kinds)("%s: moved aside on opening, a new database started, the next call works", async (_, damage) => {
    await damage()
    const { close, store } = await longLived()
    try {
      await record(store, "fresh")
      expect(agentsInFile()).toEqual(["fresh"])
      const aside = asideFiles()
      expect(aside.filter((f) => !f.endsWith("-wal") && !f.endsWith("-shm"))).toHaveLength(1)
      const lines = logLines()
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatchObject({ event: "corrupt", movedTo: path.join(dir, aside[0]!) })
      expect(lines[0]!.message).toMatch(/is corrupt \(.+\): moved aside to omcm\.db\.corrupt-/)
      const recovery = await run(store.lastRecovery)
      expect(Option.map(recovery, (r) => r.movedTo)).toEqual(Option.some(path.join(dir, aside[0]!)))
    } finally {
      await close()
    }
  })

  it("found by a statement of an open store: moved aside, and the statement runs on the new database", async () => {
    await makeDatabase(5_000)
    // the schema (page 1) is sound, the events table's pages further on are not
    const size = fs.statSync(file).size
    const fd = fs.openSync(file, "r+")
    fs.writeSync(fd, Buffer.alloc(size / 2, 0xa5), 0, size / 2, size / 4)
    fs.closeSync(fd)
    const { close, store } = await longLived()
    try {
      expect(asideFiles()).toEqual([])
      const count = await run(store.use("count events", (db) => db.prepare("SELECT count(*) AS n, sum(length(detail)) AS s FROM events").get()))
      expect(count).toEqual({ n: 0, s: null })
      expect(asideFiles().length).toBeGreaterThanOrEqual(1)
      expect(logLines().map((l) => l.event)).toEqual(["corrupt"])
      await record(store, "fresh")
      expect(agentsInFile()).toEqual(["fresh"])
      expect(Option.isSome(await run(store.lastRecovery))).toBe(true)
    } finally {
      await close()
    }
  })

  it("a sound database has no recovery to show", async () => {
    const { close, store } = await longLived()
    try {
      expect(await run(store.lastRecovery)).toEqual(Option.none())
      expect(logLines()).toEqual([])
    } finally {
      await close()
    }
  })

  it("a missing database whose WAL files were left behind starts clean", async () => {
    await makeDatabase(10)
    // a WAL with frames of the old database, and its shared memory
    const db = new Database(file)
    db.pragma("wal_autocheckpoint = 0")
    db.prepare("INSERT INTO events (ts, kind, source, agent) VALUES (1, 'call', 'test', 'in-the-wal')").run()
    const wal = fs.readFileSync(`${file}-wal`)
    db.close()
    fs.rmSync(file)
    fs.writeFileSync(`${file}-wal`, wal)
    const { close, store } = await longLived()
    try {
      await record(store, "new")
      expect(agentsInFile()).toEqual(["new"])
      expect(logLines().map((l) => l.event)).toEqual(["orphans"])
    } finally {
      await close()
    }
  })
})
