import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as PubSub from "effect/PubSub"
import type * as Queue from "effect/Queue"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { StateError } from "../../domain/errors"
import type { StoredEvent } from "./events"
import type { CallInput, RoutingInput } from "./recordInput"
import { type TrackerStats, windowStats, type WindowPeriod, WINDOWS } from "./windows"
import { RingBuffer } from "../../lib/ringBuffer"
import { Config } from "../config"
import { CatalogCache } from "../models"
import { makeTracker, Tracker, type TrackerShape } from "./Tracker"
import { TrackerStore } from "./TrackerStore"

/**
 * In-memory view of recent tracked events for one process: a ring buffer of the newest `capacity` events and a
 * stream of window stats (minute, hour, day) every emit interval, which any number of subscribers can follow.
 * Recording through it also persists; `follow` feeds it from the database so it sees every process's events.
 */
export interface RealtimeTrackerShape {
  readonly recordRouting: (input: RoutingInput) => Effect.Effect<StoredEvent, StateError>
  readonly recordCall: (input: CallInput) => Effect.Effect<StoredEvent, StateError>
  /** put an event that is already stored into the ring buffer */
  readonly ingest: (event: StoredEvent) => Effect.Effect<void>
  /** the newest `n` events, oldest first */
  readonly getRecentEvents: (n: number) => Effect.Effect<ReadonlyArray<StoredEvent>>
  /** stats of one window ending now, from the ring buffer */
  readonly getStats: (period: WindowPeriod) => Effect.Effect<TrackerStats>
  /** every emission: one TrackerStats per window (minute, hour, day), from subscription on */
  readonly stats: Stream.Stream<TrackerStats>
  /** a subscription to the emissions, for as long as the scope lives */
  readonly subscribe: Effect.Effect<Queue.Dequeue<TrackerStats>, never, Scope.Scope>
  /** load the newest events, then poll the database for new ones, forever: run it in a fiber */
  readonly follow: (pollInterval?: Duration.DurationInput) => Effect.Effect<never, StateError>
}

export interface RealtimeOptions {
  readonly capacity: number
  readonly emitInterval: Duration.DurationInput
}

export class RealtimeTracker extends Context.Tag("omcm/RealtimeTracker")<RealtimeTracker, RealtimeTrackerShape>() {
  /** RealtimeTracker with `tracker.capacity` and `tracker.emitIntervalSeconds`, and a Tracker that records into it */
  static readonly layerWithoutDependencies: Layer.Layer<RealtimeTracker | Tracker, never, Config | TrackerStore | CatalogCache> = Layer.unwrapEffect(
    Effect.map(Config, ({ config }) =>
      RealtimeTracker.layerWith({ capacity: config.tracker.capacity, emitInterval: Duration.seconds(config.tracker.emitIntervalSeconds) }))
  )

  static readonly layer = RealtimeTracker.layerWithoutDependencies.pipe(Layer.provide([Config.layer, TrackerStore.layer, CatalogCache.layer]))

  static readonly layerWith = (options: RealtimeOptions): Layer.Layer<RealtimeTracker | Tracker, never, Config | TrackerStore | CatalogCache> =>
    Layer.scopedContext(
      Effect.map(makeRealtimeTracker(options), ({ realtime, tracker }) =>
        Context.make(RealtimeTracker, realtime).pipe(Context.add(Tracker, tracker)))
    )
}

const TAIL_BATCH = 1000
const COMPACT_EVERY_MS = 3_600_000

export const makeRealtimeTracker = (options: RealtimeOptions) =>
  Effect.gen(function*() {
    const loaded = yield* Config
    const store = yield* TrackerStore
    const ring = new RingBuffer<StoredEvent>(options.capacity)
    /** ids this process stored while following: the tail must not push them twice */
    const ownIds = new Set<number>()
    let following = false
    const pubsub = yield* Effect.acquireRelease(PubSub.sliding<TrackerStats>(WINDOWS.length * 64), PubSub.shutdown)

    const push = (event: StoredEvent) => {
      ring.push(event)
      if (following) ownIds.add(event.id)
    }
    const save = (event: Parameters<typeof store.insert>[0]) => Effect.tap(store.insert(event), (stored) => Effect.sync(() => push(stored)))
    const catalogs = yield* CatalogCache
    const tracker: TrackerShape = makeTracker(loaded, save, store.compact, store.insertRedactions, catalogs.read)

    const getStats = (period: WindowPeriod) => Effect.map(Clock.currentTimeMillis, (now) => windowStats(period, ring, now))

    let lastCompaction = yield* Clock.currentTimeMillis
    const emit = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      for (const period of WINDOWS) yield* PubSub.publish(pubsub, windowStats(period, ring, now))
      if (now - lastCompaction >= COMPACT_EVERY_MS) {
        lastCompaction = now
        yield* tracker.compact.pipe(Effect.catchAll((error) => Effect.logWarning(error.message)))
      }
    })
    yield* Effect.forkScoped(Effect.repeat(Effect.delay(emit, options.emitInterval), Schedule.forever))

    const follow = (pollInterval: Duration.DurationInput = "500 millis") =>
      Effect.gen(function*() {
        following = true
        const initial = yield* store.latest(options.capacity)
        // what this process recorded before and the newest stored events, once each, in id order
        const byId = new Map<number, StoredEvent>()
        for (const event of [...ring, ...initial]) byId.set(event.id, event)
        const merged = [...byId.values()].sort((a, b) => a.id - b.id)
        ring.clear()
        for (const event of merged) ring.push(event)
        let lastId = merged.length === 0 ? 0 : merged[merged.length - 1]!.id
        return yield* Effect.forever(Effect.gen(function*() {
          const rows = yield* store.tail(lastId, TAIL_BATCH)
          for (const event of rows) {
            if (!ownIds.delete(event.id)) ring.push(event)
            lastId = event.id
          }
          if (rows.length < TAIL_BATCH) yield* Effect.sleep(pollInterval)
        }))
      }).pipe(Effect.ensuring(Effect.sync(() => {
        following = false
        ownIds.clear()
      })))

    const realtime: RealtimeTrackerShape = {
      recordRouting: tracker.recordRouting,
      recordCall: tracker.recordCall,
      ingest: (event) => Effect.sync(() => push(event)),
      getRecentEvents: (n) => Effect.sync(() => ring.last(n)),
      getStats,
      stats: Stream.fromPubSub(pubsub),
      subscribe: PubSub.subscribe(pubsub),
      follow
    }
    return { realtime, tracker }
  })
