import type BetterSqlite3 from "better-sqlite3"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { StateError } from "../../domain/errors"
import type { StoredEvent, TrackedEvent } from "./events"
import {
  addToHistogram,
  bucketOf,
  type Histogram,
  histogramPercentile,
  mergeHistograms,
  nearestRank,
  parseHistogram
} from "./latency"
import { addTotals, type Totals, zeroTotals } from "./totals"
import { type Db, Store } from "../store"
import { type CompactionResult, compactIn } from "./compaction"
import { decodeEventRows, decodePartRows, INSERT_EVENT, insertParameters, partTotals } from "./eventRow"
import * as Sql from "./trackerSql"

export type { Dimension } from "./trackerSql"
export type { CompactionResult } from "./compaction"

export interface RedactionCount {
  readonly kind: string
  readonly count: number
}

export interface FailoverSummary {
  readonly count: number
  /** newest first */
  readonly recent: ReadonlyArray<StoredEvent>
}

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

/** The tracker's side of the shared database: inserts, summaries, the tail and compaction. */
export interface TrackerStoreShape {
  /** one INSERT (autocommit): the hook path */
  readonly insert: (event: TrackedEvent) => Effect.Effect<StoredEvent, StateError>
  /** events with id > `afterId`, oldest first */
  readonly tail: (afterId: number, limit: number) => Effect.Effect<ReadonlyArray<StoredEvent>, StateError>
  /** the newest routing decision, of one Claude Code session or of any */
  readonly lastRouting: (sessionId: string | undefined) => Effect.Effect<Option.Option<StoredEvent>, StateError>
  /** the call that carried out `routing` (a decision for OpenCode), if it has finished */
  readonly delegatedCall: (routing: StoredEvent) => Effect.Effect<Option.Option<StoredEvent>, StateError>
  /** the newest `limit` events, oldest first */
  readonly latest: (limit: number) => Effect.Effect<ReadonlyArray<StoredEvent>, StateError>
  /** totals per combination of `dims`, raw events and compacted minutes together */
  readonly summarize: (query: SummaryQuery) => Effect.Effect<ReadonlyArray<SummaryRow>, StateError>
  /** p50/p95 outcome latency since `since` per value of each of `dims` (one scan of the raw events) */
  readonly percentiles: (
    since: number,
    dims: ReadonlyArray<Sql.Dimension>
  ) => Effect.Effect<ReadonlyMap<Sql.Dimension, ReadonlyMap<string, Percentiles>>, StateError>
  /** the secrets one delegated call had replaced, by kind */
  readonly insertRedactions: (
    row: { readonly ts: number; readonly source: string; readonly sessionId: string | null },
    findings: ReadonlyArray<RedactionCount>
  ) => Effect.Effect<void, StateError>
  /** calls since `since` that failed over from one candidate to another: how many, and the newest `limit` */
  readonly failovers: (since: number, limit: number) => Effect.Effect<FailoverSummary, StateError>
  /** secrets replaced since `since`, by kind, most first */
  readonly redactions: (since: number) => Effect.Effect<ReadonlyArray<RedactionCount>, StateError>
  /** fold raw events older than `before` into minute aggregates: one transaction, idempotent */
  readonly compact: (before: number) => Effect.Effect<CompactionResult, StateError>
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

export const makeTrackerStore = (store: Context.Tag.Service<Store>): TrackerStoreShape => {
  const statements = new Map<string, BetterSqlite3.Statement>()
  const statement = (db: Db) => (sql: string) => {
    const cached = statements.get(sql)
    // a statement of a connection the store has since replaced (its file was deleted or corrupt) is prepared again
    if (cached !== undefined && cached.database === db) return cached
    const prepared = db.prepare(sql)
    statements.set(sql, prepared)
    return prepared
  }

  const insertWith = (db: Db, event: TrackedEvent): StoredEvent => {
    const info = statement(db)(INSERT_EVENT).run(insertParameters(event))
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
    tail: (afterId, limit) =>
      store.use("read new events", (db) => decodeEventRows(statement(db)(Sql.TAIL).all(afterId, limit))),
    insertRedactions: (row, findings) =>
      findings.length === 0 ? Effect.void : store.transaction("record redactions", (db) => {
        const insert = statement(db)("INSERT INTO redactions (ts, source, session_id, kind, count) VALUES (?, ?, ?, ?, ?)")
        for (const f of findings) insert.run(row.ts, row.source, row.sessionId, f.kind, f.count)
      }),
    redactions: (since) =>
      store.use("read redactions", (db) =>
        statement(db)("SELECT kind, SUM(count) AS count FROM redactions WHERE ts >= ? GROUP BY kind ORDER BY count DESC, kind")
          .all(since) as ReadonlyArray<RedactionCount>),
    failovers: (since, limit) =>
      store.use("read failovers", (db) => {
        const counted = statement(db)("SELECT COUNT(*) AS n FROM events WHERE ts >= ? AND failovers IS NOT NULL").get(since)
        const recent = decodeEventRows(
          statement(db)("SELECT * FROM events WHERE ts >= ? AND failovers IS NOT NULL ORDER BY ts DESC, id DESC LIMIT ?").all(since, limit)
        )
        return { count: (counted as { readonly n: number }).n, recent }
      }),
    lastRouting: (sessionId) =>
      store.use("read the last routing", (db) =>
        Option.fromNullable(decodeEventRows(
          sessionId === undefined ? statement(db)(Sql.LAST_ROUTING).all() : statement(db)(Sql.LAST_SESSION_ROUTING).all(sessionId)
        )[0])),
    delegatedCall: (routing) =>
      store.use("read a delegated call", (db) =>
        Option.fromNullable(decodeEventRows(statement(db)(Sql.DELEGATED_CALL).all({
          id: routing.id,
          source: routing.source,
          sessionId: routing.sessionId ?? null,
          agent: routing.agent ?? null
        }))[0])),
    latest: (limit) =>
      store.use("read recent events", (db) => decodeEventRows(statement(db)(Sql.LATEST).all(limit))),
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
  static readonly layerWithoutDependencies = Layer.effect(TrackerStore, Effect.map(Store, makeTrackerStore))

  static readonly layer = TrackerStore.layerWithoutDependencies.pipe(Layer.provide(Store.layer))
}
