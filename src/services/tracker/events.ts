import * as Schema from "effect/Schema"
import { Target } from "../../domain/model"

/** What produced an event; `app`: an Effect app embedding omcm (src/index.ts) */
/** who recorded an event; `handoff`: the model summary of `omcm handoff` (omcm's own call, never a saving) */
export const EventSource = Schema.Literal("hook", "run", "demo", "pool", "executor", "claude-subagent", "test", "bench", "app", "handoff")
export type EventSource = typeof EventSource.Type

const optionalText = Schema.optional(Schema.NullOr(Schema.String))
const optionalCount = Schema.optional(Schema.Number)

/**
 * One tracked thing: a routing decision (`routing`) or a finished call on a provider (`call`).
 * `cost` is null when the model has no price in the table (unpriced, never $0).
 * `claudeCost` is what the same tokens would have cost on the Claude model of the agent's tier.
 */
export const TrackedEvent = Schema.Struct({
  ts: Schema.Number,
  kind: Schema.Literal("routing", "call"),
  source: EventSource,
  sessionId: optionalText,
  agent: optionalText,
  tier: optionalText,
  mode: optionalText,
  target: Schema.optional(Schema.NullOr(Target)),
  provider: optionalText,
  model: optionalText,
  success: Schema.optional(Schema.Boolean),
  cacheHit: Schema.optional(Schema.Boolean),
  durationMs: optionalCount,
  inputTokens: optionalCount,
  outputTokens: optionalCount,
  reasoningTokens: optionalCount,
  cacheRead: optionalCount,
  cacheWrite: optionalCount,
  cost: Schema.optional(Schema.NullOr(Schema.Number)),
  claudeCost: Schema.optional(Schema.NullOr(Schema.Number)),
  error: optionalText,
  detail: optionalText,
  /** the candidate asked first (`provider/model`), when another one answered */
  requestedModel: optionalText,
  /** the candidates given up on the way, and why */
  failovers: Schema.optional(Schema.NullOr(Schema.Array(Schema.Struct({ id: Schema.String, error: Schema.String })))),
  /**
   * Whether the event carries the outcome of work (latency, success, tokens, cost). Calls always do; a routing
   * event does when it was recorded together with its result (the seed's `recordRouting({duration, ...})`).
   * Absent: a call has an outcome, a routing decision has not.
   */
  outcome: Schema.optional(Schema.Boolean)
})
export type TrackedEvent = typeof TrackedEvent.Type

/** The outcome rule above, for events in memory (SQL uses `COALESCE(outcome, kind = 'call')`). */
export const hasOutcome = (e: TrackedEvent): boolean => e.outcome ?? e.kind === "call"

/** An event as stored: with its row id. */
export const StoredEvent = Schema.Struct({ ...TrackedEvent.fields, id: Schema.Number })
export type StoredEvent = typeof StoredEvent.Type
