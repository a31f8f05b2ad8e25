import * as Schema from "effect/Schema"
import { StoredEvent } from "./events"
import { type Totals, zeroTotals } from "./totals"

const Flag = Schema.transform(Schema.Number, Schema.Boolean, {
  strict: true,
  decode: (n) => n !== 0,
  encode: (b) => (b ? 1 : 0)
})
const NullableText = Schema.NullOr(Schema.String)

/** The columns of the events table (see Store's MIGRATIONS), as SQLite hands them back and takes them. */
const EventColumns = Schema.Struct({
  id: Schema.Number,
  ts: Schema.Number,
  kind: Schema.Literal("routing", "call"),
  source: StoredEvent.fields.source,
  session_id: NullableText,
  agent: NullableText,
  tier: NullableText,
  mode: NullableText,
  target: StoredEvent.fields.target.from,
  provider: NullableText,
  model: NullableText,
  success: Flag,
  cache_hit: Flag,
  duration_ms: Schema.Number,
  input_tokens: Schema.Number,
  output_tokens: Schema.Number,
  reasoning_tokens: Schema.Number,
  cache_read: Schema.Number,
  cache_write: Schema.Number,
  cost: Schema.NullOr(Schema.Number),
  claude_cost: Schema.NullOr(Schema.Number),
  error: NullableText,
  detail: NullableText,
  outcome: Schema.NullOr(Flag),
  requested_model: NullableText,
  failovers: Schema.NullOr(Schema.parseJson(Schema.Array(Schema.Struct({ id: Schema.String, error: Schema.String }))))
})

/**
 * The one definition of a row of the events table: decoding gives the event a row stores, encoding gives the row an
 * event is inserted as (the INSERT below names the same columns).
 */
export const EventRow = Schema.transform(EventColumns, Schema.typeSchema(StoredEvent), {
  strict: true,
  decode: (r) => ({
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
    success: r.success,
    cacheHit: r.cache_hit,
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
    ...(r.outcome === null ? {} : { outcome: r.outcome }),
    ...(r.requested_model === null ? {} : { requestedModel: r.requested_model }),
    ...(r.failovers === null ? {} : { failovers: r.failovers })
  }),
  encode: (e) => ({
    id: e.id,
    ts: e.ts,
    kind: e.kind,
    source: e.source,
    session_id: e.sessionId ?? null,
    agent: e.agent ?? null,
    tier: e.tier ?? null,
    mode: e.mode ?? null,
    target: e.target ?? null,
    provider: e.provider ?? null,
    model: e.model ?? null,
    success: e.success !== false,
    cache_hit: e.cacheHit === true,
    duration_ms: e.durationMs ?? 0,
    input_tokens: e.inputTokens ?? 0,
    output_tokens: e.outputTokens ?? 0,
    reasoning_tokens: e.reasoningTokens ?? 0,
    cache_read: e.cacheRead ?? 0,
    cache_write: e.cacheWrite ?? 0,
    cost: e.cost ?? null,
    claude_cost: e.claudeCost ?? null,
    error: e.error ?? null,
    detail: e.detail ?? null,
    outcome: e.outcome ?? null,
    requested_model: e.requestedModel ?? null,
    failovers: e.failovers ?? null
  })
})

export const decodeEventRows = Schema.decodeUnknownSync(Schema.Array(EventRow))
const encodeEventRow = Schema.encodeSync(EventRow)

const INSERTED_COLUMNS = Object.keys(EventColumns.fields).filter((c) => c !== "id")

/** the INSERT of one event, its parameters named by column (the row id is SQLite's) */
export const INSERT_EVENT = `INSERT INTO events (${INSERTED_COLUMNS.join(", ")}) VALUES (${INSERTED_COLUMNS.map((c) => `@${c}`).join(", ")})`

/** the parameters of INSERT_EVENT for an event not stored yet */
export const insertParameters = (event: Omit<StoredEvent, "id">): Omit<typeof EventColumns.Encoded, "id"> => {
  const { id: _id, ...columns } = encodeEventRow({ ...event, id: 0 })
  return columns
}

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
