import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Exit, Fiber, FiberStatus, Option, Queue, Scope, Stream } from "effect"
import type { SessionStatus } from "../../src/services/pool/opencodeApi"
import { makeDirectoryWatch, makeSessionWatcher, mayBeRetry } from "../../src/services/pool/SessionWatch"
import { eventually as waitFor } from "../support/waitFor"

/** A fake `GET /event`: every subscription is a queue the test writes lines to, ends, or breaks. */
const END = Symbol("end")
const BREAK = Symbol("break")
type Item = string | typeof END | typeof BREAK

const fakeServer = Effect.gen(function*() {
  const subscriptions: Array<Queue.Queue<Item>> = []
  let statuses: Record<string, SessionStatus> = {}
  let statusCalls = 0
  const subscribe = Stream.unwrap(
    Effect.map(Queue.unbounded<Item>(), (queue) => {
      subscriptions.push(queue)
      return Stream.fromQueue(queue).pipe(
        Stream.takeWhile((item) => item !== END),
        Stream.mapEffect((item) => (item === BREAK ? Effect.fail("connection lost" as const) : Effect.succeed(item as string)))
      )
    })
  )
  const latest = () => subscriptions.at(-1)!
  return {
    subscribe,
    statuses: Effect.sync(() => {
      statusCalls++
      return statuses
    }),
    setStatuses: (s: Record<string, SessionStatus>) => (statuses = s),
    statusCalls: () => statusCalls,
    subscriptions: () => subscriptions.length,
    send: (...lines: Array<string>) => Effect.asVoid(Queue.offerAll(latest(), lines)),
    end: Effect.suspend(() => Queue.offer(latest(), END)),
    drop: Effect.suspend(() => Queue.offer(latest(), BREAK))
  }
})

const connected = JSON.stringify({ type: "server.connected", properties: {} })
const status = (sessionID: string, s: SessionStatus) => JSON.stringify({ id: "evt_1", type: "session.status", properties: { sessionID, status: s } })
const retry = { type: "retry" as const, attempt: 1, message: "Rate limit reached", next: 1_000 }
const delta = (sessionID: string, text: string) =>
  JSON.stringify({ type: "message.part.delta", properties: { sessionID, messageID: "m", partID: "p", field: "text", delta: text } })

/** poll until `check` holds (live clock, short waits) */
const eventually = (what: string, check: () => boolean | Effect.Effect<boolean>) => waitFor(what, check, { intervalMs: 10, timeoutMs: 3_000 })

const isDone = <A, E>(fiber: Fiber.Fiber<A, E>) => Effect.map(Fiber.poll(fiber), Option.isSome)

describe("mayBeRetry (the pre-filter before any JSON parsing)", () => {
  it("passes session.status retries only", () => {
    expect(mayBeRetry(status("s1", retry))).toBe(true)
    expect(mayBeRetry(status("s1", { type: "busy" }))).toBe(false)
    expect(mayBeRetry(connected)).toBe(false)
    // model text that quotes an event is escaped inside the JSON string
    expect(mayBeRetry(delta("s1", "{\"type\":\"session.status\",\"status\":{\"type\":\"retry\"}}"))).toBe(false)
  })
})

describe("makeDirectoryWatch", () => {
  it.scopedLive("routes a retry to its own session only, and nothing else", () =>
    Effect.gen(function*() {
      const server = yield* fakeServer
      const watch = yield* makeDirectoryWatch({ directory: "/p", port: 4096, subscribe: server.subscribe, statuses: server.statuses })
      yield* eventually("a subscription", () => server.subscriptions() === 1)
      yield* server.send(connected)
      yield* watch.ready
      const a = yield* Effect.fork(Effect.flatten(watch.session("ses_a")))
      const b = yield* Effect.fork(Effect.flatten(watch.session("ses_b")))
      yield* server.send(
        status("ses_a", { type: "busy" }),
        delta("ses_a", "\"session.status\" \"retry\""),
        status("ses_other", retry),
        status("ses_b", retry)
      )
      expect(yield* Fiber.join(b)).toEqual(retry)
      yield* Effect.sleep(Duration.millis(50))
      expect(yield* isDone(a)).toBe(false)
      // the first (and only) subscription went live before any session: no catch-up was needed
      expect(server.statusCalls()).toBe(0)
    }))

  it.scopedLive("ready settles on the first event, or on a first attempt that fails", () =>
    Effect.gen(function*() {
      const server = yield* fakeServer
      const watch = yield* makeDirectoryWatch({ directory: "/p", port: 4096, subscribe: server.subscribe, statuses: server.statuses })
      const ready = yield* Effect.fork(watch.ready)
      yield* eventually("a subscription", () => server.subscriptions() === 1)
      yield* Effect.sleep(Duration.millis(30))
      expect(yield* isDone(ready)).toBe(false)
      yield* server.send(connected)
      yield* Fiber.join(ready)

      const failing = yield* makeDirectoryWatch({
        directory: "/p",
        port: 4096,
        subscribe: Stream.fail("unreachable"),
        statuses: Effect.succeed({})
      })
      yield* failing.ready.pipe(Effect.timeoutFail({ duration: Duration.seconds(2), onTimeout: () => "ready never settled" }))
    }))

  it.scopedLive("reconnects when the stream ends or breaks, and catches up on a retry it missed meanwhile", () =>
    Effect.gen(function*() {
      const server = yield* fakeServer
      const watch = yield* makeDirectoryWatch({
        directory: "/p",
        port: 4096,
        subscribe: server.subscribe,
        statuses: server.statuses,
        reconnectDelay: Duration.millis(20)
      })
      yield* eventually("a subscription", () => server.subscriptions() === 1)
      yield* server.send(connected)
      yield* server.end
      yield* eventually("a second subscription", () => server.subscriptions() === 2)
      yield* server.send(connected)
      yield* server.drop
      yield* eventually("a third subscription", () => server.subscriptions() === 3)

      // a session watched while no subscription is live: its retry only shows in GET /session/status
      const a = yield* Effect.fork(Effect.flatten(watch.session("ses_a")))
      server.setStatuses({ ses_a: retry, ses_b: { type: "busy" } })
      yield* server.send(connected)
      expect(yield* Fiber.join(a)).toEqual(retry)
      expect(server.statusCalls()).toBe(1)
    }))

  it.scopedLive("a first subscription live in time needs no catch-up; one later than readyWait catches up", () =>
    Effect.gen(function*() {
      const server = yield* fakeServer
      server.setStatuses({ ses_a: retry })
      const watch = yield* makeDirectoryWatch({ directory: "/p", port: 4096, subscribe: server.subscribe, statuses: server.statuses })
      const a = yield* Effect.fork(Effect.flatten(watch.session("ses_a")))
      yield* eventually("a subscription", () => server.subscriptions() === 1)
      yield* server.send(connected)
      yield* watch.ready
      yield* Effect.sleep(Duration.millis(50))
      expect(server.statusCalls()).toBe(0)
      expect(yield* isDone(a)).toBe(false)

      const late = yield* makeDirectoryWatch({
        directory: "/q",
        port: 4096,
        subscribe: server.subscribe,
        statuses: server.statuses,
        readyWait: Duration.millis(50)
      })
      const b = yield* Effect.fork(Effect.flatten(late.session("ses_a")))
      yield* eventually("a second subscription", () => server.subscriptions() === 2)
      // not live yet, and the prompt would go out now
      yield* late.ready
      yield* server.send(connected)
      expect(yield* Fiber.join(b)).toEqual(retry)
      expect(server.statusCalls()).toBe(1)
    }))

  it.scopedLive("a subscription that goes silent is reopened", () =>
    Effect.gen(function*() {
      const server = yield* fakeServer
      yield* makeDirectoryWatch({
        directory: "/p",
        port: 4096,
        subscribe: server.subscribe,
        statuses: server.statuses,
        staleAfter: Duration.millis(100),
        reconnectDelay: Duration.millis(10)
      })
      yield* eventually("a subscription", () => server.subscriptions() === 1)
      yield* server.send(connected)
      yield* eventually("a second subscription", () => server.subscriptions() === 2)
    }))

  it.scopedLive("closing the watch fails the sessions it watches with OpenCodeUnreachable, and any later watch at once", () =>
    Effect.gen(function*() {
      const server = yield* fakeServer
      const scope = yield* Scope.make()
      const watch = yield* makeDirectoryWatch({ directory: "/p", port: 4096, subscribe: server.subscribe, statuses: server.statuses }).pipe(
        Scope.extend(scope)
      )
      yield* eventually("a subscription", () => server.subscriptions() === 1)
      yield* server.send(connected)
      const a = yield* Effect.fork(Effect.scoped(Effect.flatten(watch.session("ses_a"))))
      // watched: waiting for its retry
      yield* eventually("ses_a watched", () => Effect.map(Fiber.status(a), FiberStatus.isSuspended))
      yield* Scope.close(scope, Exit.void)
      expect(yield* Effect.flip(Fiber.join(a))).toMatchObject({ _tag: "OpenCodeUnreachable", port: 4096 })
      expect(yield* Effect.flip(Effect.scoped(Effect.flatten(watch.session("ses_b"))))).toMatchObject({ _tag: "OpenCodeUnreachable" })
    }))
})

describe("opened in an uninterruptible region (as run does)", () => {
  it.scopedLive("closing the scope still stops the subscription", () =>
    Effect.gen(function*() {
      const server = yield* fakeServer
      const scope = yield* Scope.make()
      const watcher = yield* Effect.uninterruptible(
        makeSessionWatcher((directory) =>
          makeDirectoryWatch({ directory, port: 4096, subscribe: server.subscribe, statuses: server.statuses })
        ).pipe(Effect.flatMap((w) => w.directory("/p")), Scope.extend(scope))
      )
      yield* eventually("a subscription", () => server.subscriptions() === 1)
      yield* server.send(connected)
      yield* watcher.ready
      yield* Scope.close(scope, Exit.void).pipe(
        Effect.timeoutFail({ duration: Duration.seconds(2), onTimeout: () => "closing the scope hung" })
      )
    }))
})

describe("makeSessionWatcher", () => {
  it.scopedLive("one subscription per directory, shared by every lease; an unleased one closes after idleAfter", () =>
    Effect.gen(function*() {
      const opened: Array<string> = []
      const closed: Array<string> = []
      const watcher = yield* makeSessionWatcher(
        (directory) =>
          Effect.gen(function*() {
            opened.push(directory)
            yield* Effect.addFinalizer(() => Effect.sync(() => closed.push(directory)))
            return { directory, ready: Effect.void, session: () => Effect.succeed(Effect.never), follow: () => Effect.never }
          }),
        { idleAfter: Duration.millis(200) }
      )
      const pinned = yield* Scope.make()
      yield* watcher.directory("/project").pipe(Scope.extend(pinned))
      yield* Effect.all(Array.from({ length: 5 }, () => Effect.scoped(watcher.directory("/project"))), { concurrency: "unbounded" })
      yield* Effect.all(Array.from({ length: 3 }, () => Effect.scoped(watcher.directory("/other"))), { concurrency: "unbounded" })
      expect(opened).toEqual(["/project", "/other"])
      yield* eventually("the unleased directory closed", () => closed.includes("/other"))
      yield* Effect.sleep(Duration.millis(300))
      expect(closed).toEqual(["/other"])
      // a later lease opens it again
      yield* Effect.scoped(watcher.directory("/other"))
      expect(opened).toEqual(["/project", "/other", "/other"])
      yield* Scope.close(pinned, Exit.void)
      yield* eventually("the project directory closed once its lease is gone", () => closed.includes("/project"))
    }))
})
