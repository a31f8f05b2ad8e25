import { bucketSql } from "./latency"

/** The dimensions summaries group by. Raw events keep NULLs; aggregates store them as ''. */
export const DIMENSIONS = ["kind", "source", "agent", "target", "provider", "model", "tier", "success", "session", "day"] as const
export type Dimension = typeof DIMENSIONS[number]

const rawDimension: Readonly<Record<Dimension, string>> = {
  kind: "kind",
  source: "source",
  agent: "COALESCE(agent, '')",
  target: "COALESCE(target, '')",
  provider: "COALESCE(provider, '')",
  model: "COALESCE(model, '')",
  tier: "COALESCE(tier, '')",
  success: "CAST(success AS TEXT)",
  session: "COALESCE(session_id, '')",
  /** the UTC day */
  day: "strftime('%Y-%m-%d', ts / 1000, 'unixepoch')"
}

/** compacted minutes keep no session: their events count under '' */
const aggregateDimension: Readonly<Record<Dimension, string>> = { ...rawDimension, agent: "agent", target: "target",
  provider: "provider", model: "model", tier: "tier", session: "''", day: "strftime('%Y-%m-%d', minute * 60, 'unixepoch')" }

/** Whether a raw event carries an outcome (see TrackedEvent.outcome). */
export const OUTCOME = "COALESCE(outcome, kind = 'call')"

export const LAST_ROUTING = "SELECT * FROM events WHERE kind = 'routing' ORDER BY id DESC LIMIT 1"
export const LAST_SESSION_ROUTING = "SELECT * FROM events WHERE kind = 'routing' AND session_id = ? ORDER BY id DESC LIMIT 1"
/** the call that carried out a routing decision to OpenCode: the first call after it of the same source, session and agent */
export const DELEGATED_CALL = `SELECT * FROM events WHERE kind = 'call' AND target = 'opencode' AND id > @id AND source = @source
  AND session_id IS @sessionId AND agent IS @agent ORDER BY id LIMIT 1`
export const TAIL = "SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?"
export const LATEST = "SELECT * FROM (SELECT * FROM events ORDER BY id DESC LIMIT ?) ORDER BY id"

const dimensionColumns = (dims: ReadonlyArray<Dimension>, table: Readonly<Record<Dimension, string>>) =>
  dims.map((d) => `${table[d]} AS ${d}`).join(", ")

const withDims = (dims: ReadonlyArray<Dimension>, table: Readonly<Record<Dimension, string>>, rest: string) =>
  dims.length === 0 ? rest : `${dimensionColumns(dims, table)}, ${rest}`

/**
 * Plain sums of raw events since `@since` (in session `@sessionId` when `bySession`) per combination of `dims` and
 * of the event's kind, outcome and success (`_kind`, `_o`, `_success`): cheaper than conditional sums, and folded
 * into Totals in TypeScript.
 */
export const rawSummary = (dims: ReadonlyArray<Dimension>, bySession: boolean) =>
  `SELECT ${withDims(dims, rawDimension, `kind AS _kind, ${OUTCOME} AS _o, success AS _success, COUNT(*) AS n,
    TOTAL(success = 0) AS errors, TOTAL(cache_hit) AS cacheHits, TOTAL(duration_ms) AS durationMs,
    TOTAL(input_tokens) AS input, TOTAL(output_tokens) AS output, TOTAL(reasoning_tokens) AS reasoning,
    TOTAL(cache_read) AS cacheRead, TOTAL(cache_write) AS cacheWrite, TOTAL(cost) AS cost, COUNT(cost) AS priced,
    TOTAL(claude_cost) AS claudeCost, COUNT(claude_cost) AS claudePriced`)}
  FROM events WHERE ts >= @since${bySession ? " AND session_id = @sessionId" : ""}
  GROUP BY ${[...dims, "_kind", "_o", "_success"].join(", ")}`

/** The same sums over compacted minutes from `@sinceMinute` on. */
export const aggregateSummary = (dims: ReadonlyArray<Dimension>) =>
  `SELECT ${withDims(dims, aggregateDimension, `kind AS _kind, outcome AS _o, success AS _success, TOTAL(count) AS n,
    TOTAL(errors) AS errors, TOTAL(cache_hits) AS cacheHits, TOTAL(duration_ms) AS durationMs,
    TOTAL(input_tokens) AS input, TOTAL(output_tokens) AS output, TOTAL(reasoning_tokens) AS reasoning,
    TOTAL(cache_read) AS cacheRead, TOTAL(cache_write) AS cacheWrite, TOTAL(cost) AS cost,
    TOTAL(count - unpriced) AS priced, TOTAL(claude_cost) AS claudeCost, TOTAL(count - claude_unpriced) AS claudePriced`)}
  FROM minute_aggregates WHERE minute >= @sinceMinute
  GROUP BY ${[...dims, "_kind", "_o", "_success"].join(", ")}`

/** Outcome latencies of raw events since `@since`, with the value of each of `dims` (raw rows: [...dims, ms]). */
export const rawLatencies = (dims: ReadonlyArray<Dimension>) =>
  `SELECT ${[...dims.map((d) => rawDimension[d]), "duration_ms"].join(", ")} FROM events WHERE ts >= @since AND ${OUTCOME}`

/** Latency histograms of compacted minutes per value of `dim`. */
export const aggregateHistograms = (dim: Dimension) =>
  `SELECT ${aggregateDimension[dim]} AS g, latency_hist AS hist FROM minute_aggregates
   WHERE minute >= @sinceMinute AND outcome = 1 AND latency_hist <> '{}'`

const AGGREGATE_KEY = "minute, kind, source, agent, target, provider, model, tier, success, outcome"

/** Raw events before `@before`, grouped by compacted row and latency bucket. */
export const COMPACT_SELECT = `SELECT CAST(ts / 60000 AS INTEGER) AS minute, kind, source, COALESCE(agent, '') AS agent,
    COALESCE(target, '') AS target, COALESCE(provider, '') AS provider, COALESCE(model, '') AS model,
    COALESCE(tier, '') AS tier, success, o AS outcome, ${bucketSql("duration_ms")} AS bucket, COUNT(*) AS count,
    TOTAL(o AND success = 0) AS errors, TOTAL(o AND cache_hit = 1) AS cacheHits, TOTAL(o * duration_ms) AS durationMs,
    TOTAL(o * input_tokens) AS input, TOTAL(o * output_tokens) AS output, TOTAL(o * reasoning_tokens) AS reasoning,
    TOTAL(o * cache_read) AS cacheRead, TOTAL(o * cache_write) AS cacheWrite, TOTAL(CASE WHEN o THEN cost END) AS cost,
    TOTAL(o AND cost IS NULL) AS unpriced, TOTAL(CASE WHEN o THEN claude_cost END) AS claudeCost,
    TOTAL(o AND claude_cost IS NULL) AS claudeUnpriced
  FROM (SELECT *, ${OUTCOME} AS o FROM events WHERE ts < @before)
  GROUP BY ${AGGREGATE_KEY}, bucket`

export const COMPACT_EXISTING_HISTOGRAM = `SELECT latency_hist AS hist FROM minute_aggregates WHERE minute = @minute
  AND kind = @kind AND source = @source AND agent = @agent AND target = @target AND provider = @provider
  AND model = @model AND tier = @tier AND success = @success AND outcome = @outcome`

export const COMPACT_UPSERT = `INSERT INTO minute_aggregates (${AGGREGATE_KEY}, count, errors, cache_hits, duration_ms,
    input_tokens, output_tokens, reasoning_tokens, cache_read, cache_write, cost, unpriced, claude_cost, claude_unpriced,
    latency_hist)
  VALUES (@minute, @kind, @source, @agent, @target, @provider, @model, @tier, @success, @outcome, @count, @errors,
    @cacheHits, @durationMs, @input, @output, @reasoning, @cacheRead, @cacheWrite, @cost, @unpriced, @claudeCost,
    @claudeUnpriced, @hist)
  ON CONFLICT (${AGGREGATE_KEY}) DO UPDATE SET count = count + excluded.count, errors = errors + excluded.errors,
    cache_hits = cache_hits + excluded.cache_hits, duration_ms = duration_ms + excluded.duration_ms,
    input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens,
    reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens, cache_read = cache_read + excluded.cache_read,
    cache_write = cache_write + excluded.cache_write, cost = cost + excluded.cost, unpriced = unpriced + excluded.unpriced,
    claude_cost = claude_cost + excluded.claude_cost, claude_unpriced = claude_unpriced + excluded.claude_unpriced,
    latency_hist = excluded.latency_hist`

export const COMPACT_DELETE = "DELETE FROM events WHERE ts < @before"
