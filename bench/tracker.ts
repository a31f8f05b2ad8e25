/**
 * Tracker benchmarks. Run without npm:  node bench/run.mjs   (bundles this file with esbuild, then runs it)
 * or by hand:  node_modules/.bin/esbuild bench/tracker.ts --bundle --platform=node --format=esm \
 *                --external:better-sqlite3 --outfile=/tmp/tracker-bench.mjs && NODE_PATH=$PWD/node_modules node /tmp/tracker-bench.mjs
 * Options (environment): BENCH_EVENTS (ring buffer, default 2000000), BENCH_SQL_EVENTS (default 20000),
 * BENCH_STORED (stored events for getMetrics, default 1000000).
 *
 * Each figure is measured against a baseline in the same run, on the same machine, so the ratio is what matters:
 *   1. events/s into the ring buffer (RingBuffer.push, and RealtimeTracker.ingest through Effect) vs a plain array push
 *   2. events/s recorded into SQLite through Tracker.recordCall (priced, one INSERT each) vs a bare better-sqlite3
 *      insert loop (one INSERT each, same pragmas)
 *   3. getMetrics('day') over BENCH_STORED stored events vs a bare SELECT COUNT(*) and a single GROUP BY
 * Results go to stdout and to bench/results/tracker-<timestamp>.json.
 */
import type BetterSqlite3 from "better-sqlite3"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as os from "node:os"
import * as path from "node:path"
import { performance } from "node:perf_hooks"
import type { StoredEvent } from "../src/services/tracker/events"
import { RingBuffer } from "../src/lib/ringBuffer"
import { Config } from "../src/services/config/Config"
import { MetricsCollector } from "../src/services/tracker/MetricsCollector"
import { RealtimeTracker } from "../src/services/tracker/RealtimeTracker"
import { openStore, Store } from "../src/services/store/Store"
import { Tracker } from "../src/services/tracker/Tracker"
import { CatalogCache } from "../src/services/models/CatalogCache"
import { TrackerStore } from "../src/services/tracker/TrackerStore"

// required, not imported: the bundle lives in a temporary directory and finds the driver through NODE_PATH
const Database = createRequire(import.meta.url)("better-sqlite3") as typeof BetterSqlite3

const EVENTS = Number(process.env.BENCH_EVENTS ?? 2_000_000)
const SQL_EVENTS = Number(process.env.BENCH_SQL_EVENTS ?? 20_000)
const STORED = Number(process.env.BENCH_STORED ?? 1_000_000)
const CAPACITY = 10_000

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "omcm-bench-"))
const layerAt = (file: string) =>
  Layer.mergeAll(Tracker.layerWithoutDependencies, MetricsCollector.layerWithoutDependencies).pipe(
    Layer.provideMerge(TrackerStore.layerWithoutDependencies),
    Layer.provideMerge(CatalogCache.none),
    Layer.provideMerge(Layer.scoped(Store, openStore(file))),
    Layer.provideMerge(Layer.succeed(Config, Config.make()))
  )

const time = (f: () => void): number => {
  const start = performance.now()
  f()
  return performance.now() - start
}
const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const perSecond = (n: number, ms: number) => Math.round((n / ms) * 1000)

const PROVIDERS = [["openai", "gpt-5.2-codex"], ["google", "gemini-3-flash"], ["anthropic", "sonnet"], ["xai", "grok-5"]] as const
const AGENTS = ["executor", "explore", "writer", "architect", "build-fixer", "researcher"] as const

const sampleEvent = (i: number, ts: number): StoredEvent => {
  const [provider, model] = PROVIDERS[i % PROVIDERS.length]!
  return {
    id: i + 1, ts, kind: i % 4 === 0 ? "routing" : "call", source: "bench", agent: AGENTS[i % AGENTS.length]!,
    target: provider === "anthropic" ? "claude" : "opencode", provider, model, success: i % 17 !== 0,
    durationMs: 200 + ((i * 7919) % 20_000), inputTokens: 1000 + (i % 500), outputTokens: 200 + (i % 90),
    cost: provider === "xai" ? null : 0.001, claudeCost: 0.002
  }
}

/** 1. the ring buffer */
const ringBench = Effect.gen(function*() {
  const now = Date.now()
  const events = Array.from({ length: CAPACITY }, (_, i) => sampleEvent(i, now))
  const runs = (f: () => void) => median([time(f), time(f), time(f), time(f), time(f)])
  const baselineMs = runs(() => {
    const array: Array<StoredEvent> = []
    for (let i = 0; i < EVENTS; i++) array.push(events[i % CAPACITY]!)
  })
  // a fairer floor: the same pushes into an array that is emptied every `capacity` items (no unbounded growth)
  const boundedMs = runs(() => {
    const array: Array<StoredEvent> = []
    for (let i = 0; i < EVENTS; i++) {
      if (array.length === CAPACITY) array.length = 0
      array.push(events[i % CAPACITY]!)
    }
  })
  const ringMs = runs(() => {
    const ring = new RingBuffer<StoredEvent>(CAPACITY)
    for (let i = 0; i < EVENTS; i++) ring.push(events[i % CAPACITY]!)
  })
  const realtime = yield* RealtimeTracker
  const serviceEvents = Math.min(EVENTS, 500_000)
  const start = performance.now()
  for (let i = 0; i < serviceEvents; i++) yield* realtime.ingest(events[i % CAPACITY]!)
  const serviceMs = performance.now() - start
  return {
    events: EVENTS,
    baselineArrayPushPerSecond: perSecond(EVENTS, baselineMs),
    ringBufferPushPerSecond: perSecond(EVENTS, ringMs),
    ringVsArray: +(baselineMs / ringMs).toFixed(2),
    boundedArrayPushPerSecond: perSecond(EVENTS, boundedMs),
    ringVsBoundedArray: +(boundedMs / ringMs).toFixed(2),
    serviceIngestEvents: serviceEvents,
    serviceIngestPerSecond: perSecond(serviceEvents, serviceMs),
    serviceVsArray: +(perSecond(serviceEvents, serviceMs) / perSecond(EVENTS, baselineMs)).toFixed(3)
  }
})

const BARE_INSERT = `INSERT INTO events (ts, kind, source, agent, target, provider, model, success, duration_ms, input_tokens,
  output_tokens, cost, claude_cost) VALUES (?, 'call', 'bench', ?, 'opencode', ?, ?, 1, ?, ?, ?, ?, ?)`

/** 2. recording into SQLite, one INSERT (autocommit) per event in both */
const sqliteBench = Effect.gen(function*() {
  const bareFile = path.join(dir, "bare.db")
  // the same schema and pragmas: let omcm create the file, then write to it with a bare connection
  yield* Effect.scoped(openStore(bareFile))
  const bare = new Database(bareFile, { timeout: 15_000 })
  bare.pragma("journal_mode = WAL")
  bare.pragma("synchronous = NORMAL")
  const insert = bare.prepare(BARE_INSERT)
  const tracker = yield* Tracker
  // interleaved rounds, so a change of load on the machine hits both sides alike
  const ROUNDS = 4
  const chunk = Math.ceil(SQL_EVENTS / ROUNDS)
  let baselineMs = 0
  let trackerMs = 0
  for (let round = 0; round < ROUNDS; round++) {
    baselineMs += time(() => {
      for (let i = 0; i < chunk; i++) insert.run(Date.now(), "executor", "openai", "gpt-5.2-codex", i % 5000, 1000, 200, 0.0054, 0.006)
    })
    const start = performance.now()
    for (let i = 0; i < chunk; i++) {
      yield* tracker.recordCall({
        source: "bench", target: "opencode", provider: "openai", model: "gpt-5.2-codex", agent: "executor",
        tokens: { input: 1000, output: 200 }, durationMs: i % 5000, success: true
      })
    }
    trackerMs += performance.now() - start
  }
  bare.close()
  return {
    events: chunk * ROUNDS,
    baselineBareInsertPerSecond: perSecond(chunk * ROUNDS, baselineMs),
    trackerRecordCallPerSecond: perSecond(chunk * ROUNDS, trackerMs),
    trackerVsBare: +(baselineMs / trackerMs).toFixed(2)
  }
})

/** 3. getMetrics('day') over a large table */
const metricsBench = (file: string) =>
  Effect.gen(function*() {
    const db = new Database(file, { timeout: 15_000 })
    const insert = db.prepare(`INSERT INTO events (ts, kind, source, agent, target, provider, model, success, duration_ms,
      input_tokens, output_tokens, cost, claude_cost, outcome) VALUES (@ts, @kind, 'bench', @agent, @target, @provider,
      @model, @success, @durationMs, @inputTokens, @outputTokens, @cost, @claudeCost, NULL)`)
    const now = Date.now()
    const span = 23 * 3_600_000
    const fillMs = time(() => {
      const batch = db.transaction((from: number, to: number) => {
        for (let i = from; i < to; i++) {
          const e = sampleEvent(i, now - span + Math.floor((i / STORED) * span))
          insert.run({ ...e, success: e.success === false ? 0 : 1 })
        }
      })
      for (let from = 0; from < STORED; from += 100_000) batch(from, Math.min(STORED, from + 100_000))
    })
    const groupSql = `SELECT provider, COUNT(*), TOTAL(duration_ms), TOTAL(cost) FROM events WHERE ts >= ? GROUP BY provider`
    const collector = yield* MetricsCollector
    const timeEffect = <A, E>(effect: Effect.Effect<A, E>) =>
      Effect.gen(function*() {
        const start = performance.now()
        yield* effect
        return performance.now() - start
      })
    // interleaved: count, GROUP BY, getMetrics, five times; medians
    const countRuns: Array<number> = []
    const groupRuns: Array<number> = []
    const metricsRuns: Array<number> = []
    for (let i = 0; i < 5; i++) {
      const since = Date.now() - 86_400_000
      countRuns.push(time(() => db.prepare("SELECT COUNT(*) FROM events").get()))
      groupRuns.push(time(() => db.prepare(groupSql).all(since)))
      metricsRuns.push(yield* timeEffect(collector.getMetrics("day")))
    }
    db.close()
    const metrics = yield* collector.getMetrics("day")
    const reportMs = yield* timeEffect(collector.getReport("day"))
    const [countMs, groupMs, metricsMs] = [median(countRuns), median(groupRuns), median(metricsRuns)]
    return {
      storedEvents: STORED,
      fillSeconds: +(fillMs / 1000).toFixed(1),
      routingCountsSeen: Object.values(metrics.routingCounts).reduce((a, b) => a + b, 0),
      baselineCountMs: +countMs.toFixed(1),
      baselineGroupByMs: +groupMs.toFixed(1),
      getMetricsDayMs: +metricsMs.toFixed(1),
      getMetricsVsGroupBy: +(metricsMs / groupMs).toFixed(2),
      getMetricsVsCount: +(metricsMs / countMs).toFixed(2),
      getReportDayMs: +reportMs.toFixed(1)
    }
  })

const main = Effect.gen(function*() {
  const ring = yield* ringBench.pipe(
    Effect.provide(RealtimeTracker.layerWith({ capacity: CAPACITY, emitInterval: "1 hour" }).pipe(
      Layer.provideMerge(layerAt(path.join(dir, "ring.db")))
    ))
  )
  console.log("ring buffer:", ring)
  const sqlite = yield* sqliteBench.pipe(Effect.provide(layerAt(path.join(dir, "tracker.db"))))
  console.log("sqlite recording:", sqlite)
  const bigFile = path.join(dir, "big.db")
  yield* Effect.scoped(openStore(bigFile))
  const metrics = yield* metricsBench(bigFile).pipe(Effect.provide(layerAt(bigFile)))
  console.log("getMetrics('day'):", metrics)
  const result = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    note: "ratios compare with a baseline measured in the same run; the machine is shared and noisy",
    ringBuffer: ring,
    sqliteRecording: sqlite,
    getMetricsDay: metrics
  }
  const out = path.resolve(process.env.BENCH_RESULTS_DIR ?? "bench/results", `tracker-${result.date.replace(/[:.]/g, "-")}.json`)
  fs.mkdirSync(path.dirname(out), { recursive: true })
  fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`)
  console.log(`wrote ${out}`)
}).pipe(Effect.ensuring(Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))))

Effect.runPromise(main).catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
