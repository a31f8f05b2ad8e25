import * as Schema from "effect/Schema"

/** What produced an event */
export const EventSource = Schema.Literal("hook", "run", "demo", "pool", "executor", "claude-subagent", "test", "bench")
export type EventSource = typeof EventSource.Type

/**
 * One tracked thing: a routing decision (`routing`) or a finished call on a provider (`call`).
 * `cost` is null when the model has no price in the table (unpriced, never $0).
 * `claudeCost` is what the same tokens would have cost on the Claude model of the agent's tier.
 */
export interface TrackedEvent {
  readonly ts: number
  readonly kind: "routing" | "call"
  readonly source: EventSource
  readonly sessionId?: string | null
  readonly agent?: string | null
  readonly tier?: string | null
  readonly mode?: string | null
  readonly target?: "claude" | "opencode" | null
  readonly provider?: string | null
  readonly model?: string | null
  readonly success?: boolean
  readonly cacheHit?: boolean
  readonly durationMs?: number
  readonly inputTokens?: number
  readonly outputTokens?: number
  readonly reasoningTokens?: number
  readonly cacheRead?: number
  readonly cacheWrite?: number
  readonly cost?: number | null
  readonly claudeCost?: number | null
  readonly error?: string | null
  readonly detail?: string | null
  /**
   * Whether the event carries the outcome of work (latency, success, tokens, cost). Calls always do; a routing
   * event does when it was recorded together with its result (the seed's `recordRouting({duration, ...})`).
   * Absent: a call has an outcome, a routing decision has not.
   */
  readonly outcome?: boolean
}

/** The outcome rule above, for events in memory (SQL uses `COALESCE(outcome, kind = 'call')`). */
export const hasOutcome = (e: TrackedEvent): boolean => e.outcome ?? e.kind === "call"

/** An event as stored: with its row id. */
export interface StoredEvent extends TrackedEvent {
  readonly id: number
}
