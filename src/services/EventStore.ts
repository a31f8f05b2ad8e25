import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { StateError } from "../domain/errors"
import type { TrackedEvent } from "../domain/events"
import { Store } from "./Store"

export interface LastRouting {
  readonly ts: number
  readonly agent: string | null
  readonly target: string | null
  readonly provider: string | null
  readonly model: string | null
  readonly mode: string | null
}

/** Persistence of tracked events in the shared SQLite database. */
export interface EventStoreShape {
  readonly record: (events: ReadonlyArray<TrackedEvent>) => Effect.Effect<void, StateError>
  readonly lastRouting: (sessionId: string | undefined) => Effect.Effect<Option.Option<LastRouting>, StateError>
}

const INSERT = `INSERT INTO events (ts, kind, source, session_id, agent, tier, mode, target, provider, model, success,
  cache_hit, duration_ms, input_tokens, output_tokens, reasoning_tokens, cache_read, cache_write, cost, claude_cost, error, detail)
  VALUES (@ts, @kind, @source, @sessionId, @agent, @tier, @mode, @target, @provider, @model, @success, @cacheHit,
  @durationMs, @inputTokens, @outputTokens, @reasoningTokens, @cacheRead, @cacheWrite, @cost, @claudeCost, @error, @detail)`

export const eventRow = (e: TrackedEvent) => ({
  ts: e.ts,
  kind: e.kind,
  source: e.source,
  sessionId: e.sessionId ?? null,
  agent: e.agent ?? null,
  tier: e.tier ?? null,
  mode: e.mode ?? null,
  target: e.target ?? null,
  provider: e.provider ?? null,
  model: e.model ?? null,
  success: e.success === false ? 0 : 1,
  cacheHit: e.cacheHit === true ? 1 : 0,
  durationMs: e.durationMs ?? 0,
  inputTokens: e.inputTokens ?? 0,
  outputTokens: e.outputTokens ?? 0,
  reasoningTokens: e.reasoningTokens ?? 0,
  cacheRead: e.cacheRead ?? 0,
  cacheWrite: e.cacheWrite ?? 0,
  cost: e.cost ?? null,
  claudeCost: e.claudeCost ?? null,
  error: e.error ?? null,
  detail: e.detail ?? null
})

export class EventStore extends Context.Tag("omcm/EventStore")<EventStore, EventStoreShape>() {
  static readonly layer = Layer.effect(
    EventStore,
    Effect.map(Store, (store): EventStoreShape => ({
      record: (events) =>
        events.length === 0 ? Effect.void : store.transaction("record events", (db) => {
          const insert = db.prepare(INSERT)
          for (const event of events) insert.run(eventRow(event))
        }),
      lastRouting: (sessionId) =>
        store.use("read the last routing", (db) => {
          const row = (sessionId === undefined
            ? db.prepare("SELECT ts, agent, target, provider, model, mode FROM events WHERE kind = 'routing' ORDER BY id DESC LIMIT 1").get()
            : db.prepare(
              "SELECT ts, agent, target, provider, model, mode FROM events WHERE kind = 'routing' AND session_id = ? ORDER BY id DESC LIMIT 1"
            ).get(sessionId)) as LastRouting | undefined
          return Option.fromNullable(row)
        })
    }))
  )
}
