import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { StateError } from "../../domain/errors"
import type { StoredEvent, TrackedEvent } from "./events"
import type { ExecutionResult } from "../../domain/execution"
import {
  callEvent,
  type CallInput,
  type ExecutionContext,
  executionCall,
  routingEvent,
  type RoutingInput
} from "./recordInput"
import * as Option from "effect/Option"
import { Config } from "../config"
import { CatalogCache, type OpencodeCatalog } from "../models"
import { type PriceBook, priceBookOf } from "./pricing"
import { type CompactionResult, TrackerStore, type TrackerStoreShape } from "./TrackerStore"

/**
 * The one place omcm records what it routes and runs: hooks, `omcm run`, the pool and the daemon call it.
 * Each record is priced from the configured price table and written with one INSERT.
 */
export interface TrackerShape {
  /** a routing decision (`{ ...decision, agent, source, sessionId }`), or the seed's routed request with its outcome */
  readonly recordRouting: (input: RoutingInput) => Effect.Effect<StoredEvent, StateError>
  /** a finished call on a provider: tokens, duration, success */
  readonly recordCall: (input: CallInput) => Effect.Effect<StoredEvent, StateError>
  /** a delegated call's `ExecutionResult` */
  readonly recordExecution: (result: ExecutionResult, context: ExecutionContext) => Effect.Effect<StoredEvent, StateError>
  /** fold raw events older than `tracker.compactAfterHours` into minute aggregates */
  readonly compact: Effect.Effect<CompactionResult, StateError>
}

export class Tracker extends Context.Tag("omcm/Tracker")<Tracker, TrackerShape>() {
  /** records into the database only: the cheap variant for hooks and one-shot commands */
  static readonly layerWithoutDependencies = Layer.effect(
    Tracker,
    Effect.gen(function*() {
      const store = yield* TrackerStore
      const loaded = yield* Config
      const catalogs = yield* CatalogCache
      return makeTracker(loaded, store.insert, store.compact, store.insertRedactions, catalogs.read)
    })
  )

  static readonly layer = Tracker.layerWithoutDependencies.pipe(Layer.provide([TrackerStore.layer, Config.layer, CatalogCache.layer]))
}

/**
 * A tracker that builds events from inputs and hands them to `save` (the store, or the store and a ring buffer).
 * Prices: config.json's own entries, else OpenCode's saved catalog (`catalog`, read per record: it changes when the
 * daemon refreshes it), else the built-in table.
 */
export const makeTracker = (
  loaded: Context.Tag.Service<Config>,
  save: (event: TrackedEvent) => Effect.Effect<StoredEvent, StateError>,
  compactBefore: (before: number) => Effect.Effect<CompactionResult, StateError>,
  saveRedactions: TrackerStoreShape["insertRedactions"],
  catalog: Effect.Effect<Option.Option<OpencodeCatalog>> = Effect.succeed(Option.none())
): TrackerShape => {
  const { config, mapping } = loaded
  const stamped = <A>(build: (now: number, book: PriceBook) => A) =>
    Effect.zipWith(Clock.currentTimeMillis, catalog, (now, saved) => build(now, priceBookOf(loaded, Option.getOrUndefined(saved))))
  const recordCall = (input: CallInput) =>
    Effect.flatMap(stamped((now, book) => callEvent(config, mapping, input, now, book)), save)
  return {
    recordRouting: (input) => Effect.flatMap(stamped((now, book) => routingEvent(config, mapping, input, now, book)), save),
    recordCall,
    recordExecution: (result, context) =>
      recordCall(executionCall(result, context)).pipe(
        Effect.tap((stored) =>
          saveRedactions({ ts: stored.ts, source: context.source, sessionId: context.sessionId ?? null }, result.redacted ?? []))
      ),
    compact: Effect.flatMap(
      Clock.currentTimeMillis,
      (now) => compactBefore(now - config.tracker.compactAfterHours * 3_600_000)
    )
  }
}
