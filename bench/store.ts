/**
 * What the Store's file check costs: every `use` compares the path's device and inode with the open file's (one
 * `stat` after the statement), so a database deleted or replaced under a long-lived process is noticed.
 *
 *   node bench/run.mjs store           (BENCH_CALLS: calls per round and variant, default 20000; BENCH_ROUNDS: 6)
 *
 * Compared, interleaved round by round, on the same database and statements:
 *   - `store.use` as it is (the check around the statement),
 *   - the same statement through `Effect.try` alone: the `use` of before the check,
 *   - the check alone (one `fs.statSync`),
 * for the two statements the hook path runs: a read of the session's row and one INSERT of an event (autocommit,
 * WAL, synchronous=NORMAL). Results go to stdout and bench/results/store.json.
 */
import { Effect, Exit, Scope } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { performance } from "node:perf_hooks"
import { type Db, openStore } from "../src/services/store/Store"

const CALLS = Number(process.env.BENCH_CALLS ?? 20_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6)
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "omcm-store-bench-"))
const file = path.join(dir, "omcm.db")

const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const usPerCall = (ms: number, n: number) => +((ms * 1000) / n).toFixed(3)

const program = Effect.gen(function*() {
  const scope = yield* Scope.make()
  const store = yield* Scope.extend(openStore(file), scope)
  yield* store.use("seed", (db) =>
    db.prepare("INSERT INTO sessions (session_id, mode, started_at, updated_at) VALUES ('s1', 'ulw', 0, 0)").run())
  const read = (db: Db) => db.prepare("SELECT mode FROM sessions WHERE session_id = ?").get("s1")
  const insert = (db: Db) =>
    db.prepare("INSERT INTO events (ts, kind, source, agent) VALUES (?, 'routing', 'bench', 'executor')").run(Date.now())
  // the statement cache of better-sqlite3 is not in play: both sides prepare the same way
  const db = yield* store.use("the connection", (d) => d)
  const bare = <A>(f: (db: Db) => A) => Effect.try(() => f(db))

  const time = (n: number, effect: Effect.Effect<unknown, unknown>) =>
    Effect.gen(function*() {
      const start = performance.now()
      for (let i = 0; i < n; i++) yield* effect
      return performance.now() - start
    })
  const samples: Record<string, Array<number>> = {
    readWithCheck: [], readWithout: [], insertWithCheck: [], insertWithout: [], checkAlone: []
  }
  const inserts = Math.max(1, Math.floor(CALLS / 10))
  const check = Effect.sync(() => fs.statSync(file, { throwIfNoEntry: false }))
  // one warm-up round, not counted
  for (let round = -1; round < ROUNDS; round++) {
    const r = {
      readWithCheck: yield* time(CALLS, store.use("read", read)),
      readWithout: yield* time(CALLS, bare(read)),
      insertWithCheck: yield* time(inserts, store.use("insert", insert)),
      insertWithout: yield* time(inserts, bare(insert)),
      checkAlone: yield* time(CALLS, check)
    }
    if (round >= 0) for (const [k, v] of Object.entries(r)) samples[k]!.push(v)
  }
  yield* Scope.close(scope, Exit.void)

  const per = (k: string, n: number) => usPerCall(median(samples[k]!), n)
  const result = {
    calls: CALLS,
    inserts,
    rounds: ROUNDS,
    usPerCall: {
      readWithCheck: per("readWithCheck", CALLS),
      readWithout: per("readWithout", CALLS),
      insertWithCheck: per("insertWithCheck", inserts),
      insertWithout: per("insertWithout", inserts),
      checkAlone: per("checkAlone", CALLS)
    },
    ratio: {
      read: +(median(samples.readWithCheck!) / median(samples.readWithout!)).toFixed(3),
      insert: +(median(samples.insertWithCheck!) / median(samples.insertWithout!)).toFixed(3)
    },
    loadavg: os.loadavg(),
    node: process.version
  }
  console.log(result)
  const out = path.join(process.env.OMCM_BENCH_REPO ?? process.cwd(), "bench", "results")
  fs.mkdirSync(out, { recursive: true })
  fs.writeFileSync(path.join(out, "store.json"), `${JSON.stringify(result, null, 2)}\n`)
})

Effect.runPromise(program).finally(() => fs.rmSync(dir, { recursive: true, force: true })).catch((error) => {
  console.error(error)
  process.exitCode = 1
})
