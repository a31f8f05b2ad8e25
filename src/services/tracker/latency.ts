import * as Either from "effect/Either"
import * as Schema from "effect/Schema"

/**
 * A small fixed log-bucket latency histogram, kept per compacted minute so p50/p95 stay approximately right after
 * raw events are folded away. Bucket 0 holds [0, 1) ms; bucket k >= 1 holds [R^(k-1), R^k) ms; the last bucket is
 * open-ended (R^46 ms is about 16 minutes). A bucket's estimate is its geometric middle: within 17% of any value in it.
 */
export const LATENCY_BUCKETS = 48
export const LATENCY_RATIO = 1.35

/** Bucket counts by bucket index (sparse: only non-empty buckets). */
export type Histogram = Readonly<Record<string, number>>

export const bucketOf = (ms: number): number =>
  ms < 1 ? 0 : Math.min(LATENCY_BUCKETS - 1, Math.floor(Math.log(ms) / Math.log(LATENCY_RATIO)) + 1)

/** The same bucket as `bucketOf`, as an SQL expression over a column (SQLite's math functions). */
export const bucketSql = (column: string): string =>
  `(CASE WHEN ${column} < 1 THEN 0 ELSE MIN(${LATENCY_BUCKETS - 1}, CAST(ln(${column}) / ln(${LATENCY_RATIO}) AS INTEGER) + 1) END)`

export const bucketEstimate = (bucket: number): number => (bucket === 0 ? 0.5 : LATENCY_RATIO ** (bucket - 0.5))

export const addToHistogram = (histogram: Histogram, bucket: number, count: number): Histogram =>
  count === 0 ? histogram : { ...histogram, [bucket]: (histogram[bucket] ?? 0) + count }

export const mergeHistograms = (a: Histogram, b: Histogram): Histogram =>
  Object.entries(b).reduce((acc, [bucket, count]) => addToHistogram(acc, Number(bucket), count), a)

/** The 1-based nearest rank of percentile `p` (0-100) among `n` sorted values; SQL: `(n * p + 99) / 100`. */
export const nearestRank = (n: number, p: number): number => Math.max(1, Math.ceil((n * p) / 100))

/** Approximate percentile `p` (0-100) of a histogram; null when it is empty. */
export const histogramPercentile = (histogram: Histogram, p: number): number | null => {
  const buckets = Object.entries(histogram).map(([b, c]) => [Number(b), c] as const).sort((x, y) => x[0] - y[0])
  const n = buckets.reduce((sum, [, c]) => sum + c, 0)
  if (n === 0) return null
  const rank = nearestRank(n, p)
  let seen = 0
  for (const [bucket, count] of buckets) {
    seen += count
    if (seen >= rank) return bucketEstimate(bucket)
  }
  return bucketEstimate(buckets[buckets.length - 1]![0])
}

/** Exact nearest-rank percentile of values; null when there are none. */
export const exactPercentile = (values: ReadonlyArray<number>, p: number): number | null => {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[nearestRank(sorted.length, p) - 1]!
}

const HistogramJson = Schema.parseJson(Schema.Record({ key: Schema.String, value: Schema.Number }))

/** A stored histogram column; an unreadable one counts as empty (it only ever approximates percentiles). */
export const parseHistogram = (text: string | null): Histogram =>
  text === null ? {} : Either.getOrElse(Schema.decodeUnknownEither(HistogramJson)(text), () => ({}))
