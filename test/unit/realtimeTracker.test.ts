import { CatalogCache } from "../../src/services/models/CatalogCache"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, type Duration, Effect, Fiber, Layer, Queue, Stream, TestClock } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { RingBuffer } from "../../src/lib/ringBuffer"
import { RealtimeTracker } from "../../src/services/tracker/RealtimeTracker"
import { Tracker } from "../../src/services/tracker/Tracker"
import { TrackerStore } from "../../src/services/tracker/TrackerStore"
import { configWith, storeAt } from "../support/trackerLayers"
import { eventually } from "../support/waitFor"

// TestClock wakes every sleeping fiber on the way: a long interval keeps `adjust("1 day")` quick
const realtimeAt = (file: string, capacity = 100, emitInterval: Duration.DurationInput = "7 days") =>
  RealtimeTracker.layerWith({ capacity, emitInterval }).pipe(
    Layer.provideMerge(TrackerStore.layerWithoutDependencies),
    Layer.provideMerge(CatalogCache.none),
    Layer.provideMerge(storeAt(file)),
    Layer.provideMerge(configWith())
  )

const route = (agent: string, provider = "openai") => ({ source: "test" as const, agent, provider, model: "gpt-5.2-codex" })

describe("RingBuffer", () => {
  it("keeps the newest `capacity` items, oldest first, across wrap-around", () => {
    const ring = new RingBuffer<number>(4)
    for (let i = 1; i <= 10; i++) ring.push(i)
    expect(ring.size).toBe(4)
    expect([...ring]).toEqual([7, 8, 9, 10])
    expect(ring.last(2)).toEqual([9, 10])
    expect(ring.last(99)).toEqual([7, 8, 9, 10])
    expect(ring.last(0)).toEqual([])
  })
})

describe("RealtimeTracker", () => {
  it.effect("wraps around and returns the newest events in chronological order", () =>
    Effect.gen(function*() {
      const tracker = yield* RealtimeTracker
      for (let i = 0; i < 12; i++) {
        yield* tracker.recordRouting(route(`agent-${i}`))
        yield* TestClock.adjust("1 second")
      }
      const all = yield* tracker.getRecentEvents(100)
      expect(all.map((e) => e.agent)).toEqual(["agent-7", "agent-8", "agent-9", "agent-10", "agent-11"])
      expect(all.map((e) => e.ts)).toEqual([7000, 8000, 9000, 10000, 11000])
      expect((yield* tracker.getRecentEvents(2)).map((e) => e.agent)).toEqual(["agent-10", "agent-11"])
    }).pipe(Effect.provide(realtimeAt(":memory:", 5))))

  it.effect("computes minute, hour and day windows from event timestamps", () =>
    Effect.gen(function*() {
      const tracker = yield* RealtimeTracker
      yield* TestClock.adjust("1 hour")
      yield* tracker.recordRouting(route("explore", "google")) // t = 1h
      yield* TestClock.adjust("2 minutes")
      yield* tracker.recordRouting(route("executor")) // t = 1h02
      yield* TestClock.adjust("2 hours")
      yield* tracker.recordRouting(route("executor")) // t = 3h02
      yield* TestClock.adjust("30 seconds")
      yield* tracker.recordRouting(route("architect", "anthropic")) // t = 3h02m30
      yield* TestClock.adjust("30 seconds") // now 3h03

      const minute = yield* tracker.getStats("minute")
      expect(minute.routing).toEqual({ total: 1, byProvider: { anthropic: 1 }, byAgent: { architect: 1 } })
      const hour = yield* tracker.getStats("hour")
      expect(hour.routing).toEqual({ total: 2, byProvider: { openai: 1, anthropic: 1 }, byAgent: { executor: 1, architect: 1 } })
      const day = yield* tracker.getStats("day")
      expect(day.routing.total).toBe(4)
      expect(day.routing.byProvider).toEqual({ google: 1, openai: 2, anthropic: 1 })
      expect(day.until - day.since).toBe(86_400_000)

      yield* TestClock.adjust("1 day")
      expect((yield* tracker.getStats("day")).routing.total).toBe(0)
    }).pipe(Effect.provide(realtimeAt(":memory:"))))

  it.effect("reports the seed's performance and cache figures from routed requests with an outcome", () =>
    Effect.gen(function*() {
      const tracker = yield* RealtimeTracker
      const seed = (duration: number, success: boolean, cacheHit: boolean) =>
        tracker.recordRouting({ source: "test", provider: "openai", agent: "explorer", duration, success, cacheHit, tokenCount: { input: 150, output: 280 } })
      yield* seed(100, true, false)
      yield* seed(200, true, true)
      yield* seed(300, false, false)
      yield* tracker.recordRouting(route("executor")) // a bare decision: counted as routing, not measured
      const stats = yield* tracker.getStats("minute")
      expect(stats.routing.total).toBe(4)
      expect(stats.performance).toEqual({ avgLatency: 200, successRate: 2 / 3, calls: 3 })
      expect(stats.cache.hitRate).toBeCloseTo(1 / 3, 12)
      expect(stats.tokens).toBe(3 * 430)
      expect(stats.unpriced).toBe(3) // no model given: unpriced, not $0
      const empty = yield* Effect.provide(
        Effect.flatMap(RealtimeTracker, (t) => t.getStats("hour")),
        realtimeAt(":memory:")
      )
      expect(empty.performance).toEqual({ avgLatency: null, successRate: null, calls: 0 })
      expect(empty.cache.hitRate).toBeNull()
    }).pipe(Effect.provide(realtimeAt(":memory:"))))

  it.scoped("emits stats for every window each interval to every subscriber", () =>
    Effect.gen(function*() {
      const tracker = yield* RealtimeTracker
      const queues = yield* Effect.all([tracker.subscribe, tracker.subscribe, tracker.subscribe])
      const streamed = yield* Effect.fork(tracker.stats.pipe(Stream.take(6), Stream.runCollect))
      yield* Effect.yieldNow()
      yield* tracker.recordCall({
        source: "test", target: "opencode", provider: "openai", model: "gpt-5.2-codex", agent: "executor",
        tokens: { input: 1000, output: 100 }, durationMs: 1500, success: true
      })
      yield* TestClock.adjust("9 seconds")
      for (const q of queues) expect(yield* Queue.size(q)).toBe(0)

      yield* TestClock.adjust("1 second")
      for (const q of queues) {
        const first = Chunk.toReadonlyArray(yield* Queue.takeAll(q))
        expect(first.map((s) => s.period)).toEqual(["minute", "hour", "day"])
        expect(first.map((s) => s.performance.calls)).toEqual([1, 1, 1])
        expect(first[0]!.until).toBe(10_000)
      }

      yield* TestClock.adjust("1 minute") // six more intervals: the call has left the minute window
      for (const q of queues) {
        const later = Chunk.toReadonlyArray(yield* Queue.takeAll(q))
        expect(later).toHaveLength(18)
        const last = later.slice(-3)
        expect(last.map((s) => [s.period, s.performance.calls])).toEqual([["minute", 0], ["hour", 1], ["day", 1]])
      }
      const fromStream = Chunk.toReadonlyArray(yield* Fiber.join(streamed))
      expect(fromStream.map((s) => s.period)).toEqual(["minute", "hour", "day", "minute", "hour", "day"])
    }).pipe(Effect.provide(realtimeAt(":memory:", 100, "10 seconds"))))

  it.live("follows the database: sees what other processes record, and its own events once", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "omcm-follow-"))
    const file = path.join(dir, "omcm.db")
    const program = Effect.gen(function*() {
      // "another process": a plain Tracker on its own connection to the same file
      const other = Effect.provide(
        Effect.flatMap(Tracker, (t) => Effect.forEach([1, 2, 3], (i) => t.recordRouting(route(`other-${i}`)))),
        Tracker.layerWithoutDependencies.pipe(Layer.provide(TrackerStore.layerWithoutDependencies), Layer.provide(CatalogCache.none), Layer.provide(storeAt(file)), Layer.provide(configWith()))
      )
      yield* other
      const tracker = yield* RealtimeTracker
      yield* tracker.recordRouting(route("mine-0"))
      const follower = yield* Effect.fork(tracker.follow("20 millis"))
      // its first load: the other process's three events beside mine-0
      yield* eventually("the follower's first load", () => Effect.map(tracker.getRecentEvents(100), (events) => events.length === 4), { intervalMs: 10 })
      yield* tracker.recordRouting(route("mine-1"))
      yield* Effect.provide(
        Effect.flatMap(Tracker, (t) => t.recordRouting(route("other-4"))),
        Tracker.layerWithoutDependencies.pipe(Layer.provide(TrackerStore.layerWithoutDependencies), Layer.provide(CatalogCache.none), Layer.provide(storeAt(file)), Layer.provide(configWith()))
      )
      let agents: ReadonlyArray<string | null | undefined> = []
      for (let i = 0; i < 100 && agents.length < 6; i++) {
        yield* Effect.sleep("20 millis")
        agents = (yield* tracker.getRecentEvents(100)).map((e) => e.agent)
      }
      yield* Fiber.interrupt(follower)
      expect(agents).toEqual(["other-1", "other-2", "other-3", "mine-0", "mine-1", "other-4"])
    }).pipe(Effect.provide(realtimeAt(file)))
    return program.pipe(Effect.ensuring(Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))))
  })
})
