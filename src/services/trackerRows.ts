import * as Schema from "effect/Schema"
import { EventSource, type StoredEvent, type TrackedEvent } from "../domain/events"
import { Target } from "../domain/model"
import { type Totals, zeroTotals } from "../domain/totals"
import { eventRow } from "./EventStore"

/** Rows of the events table as the tracker reads and writes them. */
export const EventRow = Schema.Struct({
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
export const decodeEventRows = Schema.decodeUnknownSync(Schema.Array(EventRow))

export const toStored = (r: typeof EventRow.Type): StoredEvent => ({
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

export const storedRow = (e: TrackedEvent) => ({ ...eventRow(e), outcome: e.outcome === undefined ? null : e.outcome ? 1 : 0 })

/** One group of `rawSummary` / `aggregateSummary`: sums of events of one kind, outcome and success. */
export const PartRow = Schema.Struct({
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
export const decodePartRows = Schema.decodeUnknownSync(Schema.Array(PartRow))

/** Routing counts decisions; every other figure sums the events that carry an outcome. */
export const partTotals = (p: typeof PartRow.Type): Totals =>
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
