import type BetterSqlite3 from "better-sqlite3"
import { Context, Effect, Layer, Schema } from "effect"
import type { StateError } from "../domain/errors"
import { EventSource, type StoredEvent, type TrackedEvent } from "../domain/events"
import {
  addToHistogram,
  bucketOf,
  type Histogram,
  histogramPercentile,
  mergeHistograms,
  nearestRank,
  parseHistogram
} from "../domain/latency"
import { Target } from "../domain/model"
import { eventRow } from "./EventStore"
import { type Db, Store } from "./Store"
import * as Sql from "./trackerSql"

export type { Dimension } from "./trackerSql"

/** Sums over a set of events. Routing counts decisions; every other figure counts events with an outcome. */
export const Totals = Schema.Struct({
  routed: Schema.Number,
  calls: Schema.Number,
  errors: Schema.Number,
  cacheHits: Schema.Number,
  durationMs: Schema.Number,
  input: Schema.Number,
  output: Schema.Number,
  reasoning: Schema.Number,
  cacheRead: Schema.Number,
  cacheWrite: Schema.Number,
  /** USD of the priced outcomes */
  cost: Schema.Number,
  /** outcomes whose model is not in the price table */
  unpriced: Schema.Number,
  claudeCost: Schema.Number,
  claudeUnpriced: Schema.Number
})
export type Totals = typeof Totals.Type

export const zeroTotals: Totals = {
  routed: 0, calls: 0, errors: 0, cacheHits: 0, durationMs: 0, input: 0, output: 0, reasoning: 0, cacheRead: 0,
  cacheWrite: 0, cost: 0, unpriced: 0, claudeCost: 0, claudeUnpriced: 0
}

export const addTotals = (a: Totals, b: Totals): Totals => {
  const sum: Record<string, number> = {}
  for (const key of Object.keys(zeroTotals) as ReadonlyArray<keyof Totals>) sum[key] = a[key] + b[key]
  return sum as unknown as Totals
}

export const tokensOf = (t: Totals): number => t.input + t.output + t.reasoning + t.cacheRead + t.cacheWrite

export interface SummaryRow {
  /** the row's value of each grouped dimension ('' for none; success is '0' or '1') */
  readonly key: Readonly<Partial<Record<Sql.Dimension, string>>>
  readonly totals: Totals
}

export interface SummaryQuery {
  /** epoch ms; compacted minutes count from the first whole minute at or after it */
  readonly since: number
  readonly dims: ReadonlyArray<Sql.Dimension>
  /** one Claude Code session's raw events only */
  readonly sessionId?: string | undefined
}

export interface Percentiles {
  readonly p50: number
  readonly p95: number
  /** false when compacted minutes are in the window: then both come from latency histograms */
  readonly exact: boolean
}

export interface CompactionResult {
  /** raw events folded away */
  readonly events: number
  /** minute aggregate rows written */
  readonly rows: number
}

/** The tracker's side of the shared database: inserts, summaries, the tail and compaction. */
export interface TrackerStoreShape {
  /** one INSERT (autocommit): the hook path */
  readonly insert: (event: TrackedEvent) => Effect.Effect<StoredEvent, StateError>
  readonly insertMany: (events: ReadonlyArray<TrackedEvent>) => Effect.Effect<ReadonlyArray<StoredEvent>, StateError>
  /** events with id > `afterId`, oldest first */
  readonly tail: (afterId: number, limit: number) => Effect.Effect<ReadonlyArray<StoredEvent>, StateError>
  /** the newest `limit` events, oldest first */
  readonly latest: (limit: number) => Effect.Effect<ReadonlyArray<StoredEvent>, StateError>
  /** totals per combination of `dims`, raw events and compacted minutes together */
  readonly summarize: (query: SummaryQuery) => Effect.Effect<ReadonlyArray<SummaryRow>, StateError>
  /** p50/p95 outcome latency since `since` per value of each of `dims` (one scan of the raw events) */
  readonly percentiles: (
    since: number,
    dims: ReadonlyArray<Sql.Dimension>
  ) => Effect.Effect<ReadonlyMap<Sql.Dimension, ReadonlyMap<string, Percentiles>>, StateError>
  /** fold raw events older than `before` into minute aggregates: one transaction, idempotent */
  readonly compact: (before: number) => Effect.Effect<CompactionResult, StateError>
}

const EventRow = Schema.Struct({
  id: Schema.Number,
  ts: Schema.Number,
  kind: Schema.Literal("routing", "call"),
  source: EventSource,
  session_id: Schema.NullOr(Schema.String),
  agent: Schema.NullOr(Schema.String),
  tier: Schema.NullOr(Schema.String),
  mode: Schema.NullOr(Schema.String),
  target: Schema.NullOr(Target),
  provider: Schema.NullOr(Schema.String),
  model: Schema.NullOr(Schema.String),
  success: Schema.Number,
  cache_hit: Schema.Number,
  duration_ms: Schema.Number,
  input_tokens: Schema.Number,
  output_tokens: Schema.Number,
  reasoning_tokens: Schema.Number,
  cache_read: Schema.Number,
  cache_write: Schema.Number,
  cost: Schema.NullOr(Schema.Number),
  claude_cost: Schema.NullOr(Schema.Number),
  error: Schema.NullOr(Schema.String),
  detail: Schema.NullOr(Schema.String),
  outcome: Schema.NullOr(Schema.Number)
})
const decodeEventRows = Schema.decodeUnknownSync(Schema.Array(EventRow))

const toStored = (r: typeof EventRow.Type): StoredEvent => ({
  id: r.id,
  ts: r.ts,
  kind: r.kind,
  source: r.source,
  sessionId: r.session_id,
  agent: r.agent,
  tier: r.tier,
  mode: r.mode,
  target: r.target,
  provider: r.provider,
  model: r.model,
  success: r.success !== 0,
  cacheHit: r.cache_hit !== 0,
  durationMs: r.duration_ms,
  inputTokens: r.input_tokens,
  outputTokens: r.output_tokens,
  reasoningTokens: r.reasoning_tokens,
  cacheRead: r.cache_read,
  cacheWrite: r.cache_write,
  cost: r.cost,
  claudeCost: r.claude_cost,
  error: r.error,
  detail: r.detail,
  ...(r.outcome === null ? {} : { outcome: r.outcome !== 0 })
})

const storedRow = (e: TrackedEvent) => ({ ...eventRow(e), outcome: e.outcome === undefined ? null : e.outcome ? 1 : 0 })

/** One group of `rawSummary` / `aggregateSummary`: sums of events of one kind, outcome and success. */
const PartRow = Schema.Struct({
  _kind: Schema.String,
  _o: Schema.Number,
  _success: Schema.Number,
  n: Schema.Number,
  errors: Schema.Number,
  cacheHits: Schema.Number,
  durationMs: Schema.Number,
  input: Schema.Number,
  output: Schema.Number,
  reasoning: Schema.Number,
  cacheRead: Schema.Number,
  cacheWrite: Schema.Number,
  cost: Schema.Number,
  priced: Schema.Number,
  claudeCost: Schema.Number,
  claudePriced: Schema.Number
})
const decodePartRows = Schema.decodeUnknownSync(Schema.Array(PartRow))

/** Routing counts decisions; every other figure sums the events that carry an outcome. */
const partTotals = (p: typeof PartRow.Type): Totals =>
  p._o === 0
    ? { ...zeroTotals, routed: p._kind === "routing" ? p.n : 0 }
    : {
      routed: p._kind === "routing" ? p.n : 0,
      calls: p.n,
      errors: p.errors,
      cacheHits: p.cacheHits,
      durationMs: p.durationMs,
      input: p.input,
      output: p.output,
      reasoning: p.reasoning,
      cacheRead: p.cacheRead,
      cacheWrite: p.cacheWrite,
      cost: p.cost,
      unpriced: p.n - p.priced,
      claudeCost: p.claudeCost,
      claudeUnpriced: p.n - p.claudePriced
    }

const keyOf = (key: SummaryRow["key"], dims: ReadonlyArray<Sql.Dimension>) => dims.map((d) => key[d] ?? "").join("\u0000")

/** Fold groups into one row per combination of `dims`. */
const foldSummary = (
  into: Map<string, SummaryRow>,
  rows: ReadonlyArray<unknown>,
  dims: ReadonlyArray<Sql.Dimension>
): Map<string, SummaryRow> => {
  const parts = decodePartRows(rows)
  rows.forEach((row, i) => {
    const key: Partial<Record<Sql.Dimension, string>> = {}
    for (const d of dims) key[d] = String((row as Record<string, unknown>)[d] ?? "")
    const id = keyOf(key, dims)
    const totals = partTotals(parts[i]!)
    const seen = into.get(id)
    into.set(id, { key: seen?.key ?? key, totals: seen === undefined ? totals : addTotals(seen.totals, totals) })
  })
  return into
}

const firstWholeMinute = (since: number) => Math.ceil(since / 60_000)

const CompactRow = Schema.Struct({
  minute: Schema.Number, kind: Schema.String, source: Schema.String, agent: Schema.String, target: Schema.String,
  provider: Schema.String, model: Schema.String, tier: Schema.String, success: Schema.Number, outcome: Schema.Number,
  bucket: Schema.Number, count: Schema.Number, errors: Schema.Number, cacheHits: Schema.Number,
  durationMs: Schema.Number, input: Schema.Number, output: Schema.Number, reasoning: Schema.Number,
  cacheRead: Schema.Number, cacheWrite: Schema.Number, cost: Schema.Number, unpriced: Schema.Number,
  claudeCost: Schema.Number, claudeUnpriced: Schema.Number
})
type CompactRow = typeof CompactRow.Type
const decodeCompactRows = Schema.decodeUnknownSync(Schema.Array(CompactRow))

const SUMMED = ["count", "errors", "cacheHits", "durationMs", "input", "output", "reasoning", "cacheRead", "cacheWrite",
  "cost", "unpriced", "claudeCost", "claudeUnpriced"] as const

interface CompactGroup {
  readonly row: Record<string, number | string>
  hist: Histogram
}

const sortedJson = (h: Histogram) =>
  JSON.stringify(Object.fromEntries(Object.entries(h).sort((a, b) => Number(a[0]) - Number(b[0]))))

const compactIn = (prepare: (sql: string) => BetterSqlite3.Statement, before: number): CompactionResult => {
  const rows = decodeCompactRows(prepare(Sql.COMPACT_SELECT).all({ before }))
  const groups = new Map<string, CompactGroup>()
  for (const r of rows) {
    const id = [r.minute, r.kind, r.source, r.agent, r.target, r.provider, r.model, r.tier, r.success, r.outcome].join("\u0000")
    const group = groups.get(id) ?? { row: { ...r, ...Object.fromEntries(SUMMED.map((k) => [k, 0])) }, hist: {} }
    for (const k of SUMMED) group.row[k] = (group.row[k] as number) + (r as CompactRow)[k]
    if (r.outcome === 1) group.hist = mergeHistograms(group.hist, { [r.bucket]: r.count })
    groups.set(id, group)
  }
  const existing = prepare(Sql.COMPACT_EXISTING_HISTOGRAM)
  const upsert = prepare(Sql.COMPACT_UPSERT)
  for (const { row, hist } of groups.values()) {
    const { bucket: _bucket, ...params } = row
    const previous = existing.get(params) as { hist: string } | undefined
    upsert.run({ ...params, hist: sortedJson(mergeHistograms(parseHistogram(previous?.hist ?? null), hist)) })
  }
  const events = prepare(Sql.COMPACT_DELETE).run({ before }).changes
  return { events, rows: groups.size }
}

export const makeTrackerStore = (store: Context.Tag.Service<Store>): TrackerStoreShape => {
  const statements = new Map<string, BetterSqlite3.Statement>()
  const statement = (db: Db) => (sql: string) => {
    const cached = statements.get(sql)
    if (cached !== undefined) return cached
    const prepared = db.prepare(sql)
    statements.set(sql, prepared)
    return prepared
  }

  const insertWith = (db: Db, event: TrackedEvent): StoredEvent => {
    const info = statement(db)(Sql.INSERT_EVENT).run(storedRow(event))
    return { ...event, id: Number(info.lastInsertRowid) }
  }

  const summarize = (query: SummaryQuery) =>
    store.use("summarize tracked events", (db) => {
      const prepare = statement(db)
      const bySession = query.sessionId !== undefined
      const rows = foldSummary(
        new Map(),
        prepare(Sql.rawSummary(query.dims, bySession)).all({ since: query.since, ...(bySession ? { sessionId: query.sessionId } : {}) }),
        query.dims
      )
      if (!bySession) {
        foldSummary(rows, prepare(Sql.aggregateSummary(query.dims)).all({ sinceMinute: firstWholeMinute(query.since) }), query.dims)
      }
      // without dimensions there is always one row, all zeros over nothing
      if (query.dims.length === 0 && rows.size === 0) return [{ key: {}, totals: zeroTotals }]
      return [...rows.values()]
    })

  const percentiles = (since: number, dims: ReadonlyArray<Sql.Dimension>) =>
    store.use("compute latency percentiles", (db) => {
      const prepare = statement(db)
      // one pass over the raw rows, as arrays: faster than a window function per dimension on a million rows
      const raw = dims.map(() => new Map<string, Array<number>>())
      for (const row of prepare(Sql.rawLatencies(dims)).raw(true).iterate({ since }) as Iterable<ReadonlyArray<unknown>>) {
        const ms = Number(row[dims.length])
        dims.forEach((_, i) => {
          const group = String(row[i] ?? "")
          const values = raw[i]!.get(group)
          if (values === undefined) raw[i]!.set(group, [ms])
          else values.push(ms)
        })
      }
      const sinceMinute = firstWholeMinute(since)
      const result = new Map<Sql.Dimension, ReadonlyMap<string, Percentiles>>()
      dims.forEach((dim, i) => {
        const byGroup = new Map<string, Percentiles>()
        for (const [group, values] of raw[i]!) {
          const sorted = Float64Array.from(values).sort()
          byGroup.set(group, {
            p50: sorted[nearestRank(sorted.length, 50) - 1]!,
            p95: sorted[nearestRank(sorted.length, 95) - 1]!,
            exact: true
          })
        }
        // compacted minutes only have histograms: a group with any is estimated from histograms throughout
        const compacted = prepare(Sql.aggregateHistograms(dim)).all({ sinceMinute }) as ReadonlyArray<{ g: string; hist: string }>
        const histograms = new Map<string, Histogram>()
        for (const r of compacted) histograms.set(r.g, mergeHistograms(histograms.get(r.g) ?? {}, parseHistogram(r.hist)))
        for (const [group, histogram] of histograms) {
          let h = histogram
          for (const ms of raw[i]!.get(group) ?? []) h = addToHistogram(h, bucketOf(ms), 1)
          const p50 = histogramPercentile(h, 50)
          const p95 = histogramPercentile(h, 95)
          if (p50 !== null && p95 !== null) byGroup.set(group, { p50, p95, exact: false })
        }
        result.set(dim, byGroup)
      })
      return result
    })

  return {
    insert: (event) => store.use("record an event", (db) => insertWith(db, event)),
    insertMany: (events) =>
      events.length === 0 ? Effect.succeed([]) : store.transaction("record events", (db) => events.map((e) => insertWith(db, e))),
    tail: (afterId, limit) =>
      store.use("read new events", (db) => decodeEventRows(statement(db)(Sql.TAIL).all(afterId, limit)).map(toStored)),
    latest: (limit) =>
      store.use("read recent events", (db) => decodeEventRows(statement(db)(Sql.LATEST).all(limit)).map(toStored)),
    summarize,
    percentiles,
    compact: (before) =>
      store.use("look for old events", (db) => statement(db)("SELECT 1 FROM events WHERE ts < ? LIMIT 1").get(before) !== undefined)
        .pipe(Effect.flatMap((any) =>
          any ? store.transaction("compact old events", (db) => compactIn(statement(db), before)) : Effect.succeed({ events: 0, rows: 0 })
        ))
  }
}

export class TrackerStore extends Context.Tag("omcm/TrackerStore")<TrackerStore, TrackerStoreShape>() {
  static readonly layer = Layer.effect(TrackerStore, Effect.map(Store, makeTrackerStore))
}
