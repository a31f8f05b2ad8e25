import type BetterSqlite3 from "better-sqlite3"
import * as Schema from "effect/Schema"
import { type Histogram, mergeHistograms, parseHistogram } from "./latency"
import * as Sql from "./trackerSql"

export interface CompactionResult {
  /** raw events folded away */
  readonly events: number
  /** minute aggregate rows written */
  readonly rows: number
}

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
type Sums = Record<typeof SUMMED[number], number>

/** One minute_aggregates row in the making: its key, its sums and its latency histogram. */
interface CompactGroup {
  readonly key: Omit<CompactRow, keyof Sums | "bucket">
  readonly sums: Sums
  hist: Histogram
}

const sortedJson = (h: Histogram) =>
  JSON.stringify(Object.fromEntries(Object.entries(h).sort((a, b) => Number(a[0]) - Number(b[0]))))

/**
 * Fold raw events older than `before` into per-minute aggregates (one row per minute and dimensions, with a latency
 * histogram), merging into rows a previous run wrote, then delete them. Run it inside one BEGIN IMMEDIATE
 * transaction: concurrent writers wait, and a second run finds nothing left to fold.
 */
export const compactIn = (prepare: (sql: string) => BetterSqlite3.Statement, before: number): CompactionResult => {
  const groups = new Map<string, CompactGroup>()
  for (const r of decodeCompactRows(prepare(Sql.COMPACT_SELECT).all({ before }))) {
    const { minute, kind, source, agent, target, provider, model, tier, success, outcome } = r
    const id = [minute, kind, source, agent, target, provider, model, tier, success, outcome].join("\u0000")
    const group = groups.get(id) ?? {
      key: { minute, kind, source, agent, target, provider, model, tier, success, outcome },
      sums: Object.fromEntries(SUMMED.map((k) => [k, 0])) as Sums,
      hist: {}
    }
    for (const k of SUMMED) group.sums[k] += r[k]
    if (outcome === 1) group.hist = mergeHistograms(group.hist, { [r.bucket]: r.count })
    groups.set(id, group)
  }
  const existing = prepare(Sql.COMPACT_EXISTING_HISTOGRAM)
  const upsert = prepare(Sql.COMPACT_UPSERT)
  for (const { key, sums, hist } of groups.values()) {
    const previous = existing.get(key) as { hist: string } | undefined
    upsert.run({ ...key, ...sums, hist: sortedJson(mergeHistograms(parseHistogram(previous?.hist ?? null), hist)) })
  }
  const events = prepare(Sql.COMPACT_DELETE).run({ before }).changes
  return { events, rows: groups.size }
}
