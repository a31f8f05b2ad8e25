/**
 * Watching OpenCode sessions for provider retries through one shared `GET /event` subscription per directory.
 *
 * OpenCode retries a failing provider forever; the only sign of it is a `session.status` event with
 * `{type: "retry"}` on the event stream of the session's directory. Opening a subscription per call costs a round
 * trip before the prompt, server CPU for each subscription, and every event of the directory delivered (and decoded)
 * once per concurrent call. Here one subscription per (server, directory) stays open, reconnects when it drops, and
 * hands each call only the retry of its own session; every other line is dropped after a substring check.
 */
import type * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Queue from "effect/Queue"
import {
  HumanRequestEvent,
  OpenCodeUnreachable,
  type RetryStatus,
  type SessionStatus,
  SessionStatusEvent
} from "./opencodeApi"

/** A request of a session that only a human could answer: a tool's permission, or the `question` tool. */
export type HumanRequest =
  | { readonly kind: "permission"; readonly id: string; readonly permission: string; readonly patterns: ReadonlyArray<string> }
  | { readonly kind: "question"; readonly id: string; readonly questions: ReadonlyArray<string> }

/** What the watch of one session reports. */
export interface WatchedSession {
  /** the first retry OpenCode announces; fails with OpenCodeUnreachable once the watch is closed */
  readonly retry: Effect.Effect<RetryStatus, OpenCodeUnreachable>
  /** Clock ms of the session's last event (the start of the watch until one arrives) */
  readonly lastEventAt: Effect.Effect<number>
  /** whether the model has produced anything yet: a streamed token or a tool call */
  readonly producedOutput: Effect.Effect<boolean>
  /** permission and question requests of the session, as they arrive */
  readonly humanRequests: Queue.Dequeue<HumanRequest>
}

/** The shared event subscription of one directory of one server. */
export interface DirectoryWatch {
  readonly directory: string
  /**
   * Completes once the first subscription is live (OpenCode's first event arrived), has failed, or `readyWait` has
   * passed: the prompt waits for it, so that the subscription sees the session's retries. It never waits for a
   * reconnect: a subscription that goes live after `ready` catches up on the retries it may have missed from
   * `GET /session/status`.
   */
  readonly ready: Effect.Effect<void>
  /**
   * Watch one session for the life of the scope. The effect returned succeeds with the first retry OpenCode
   * announces for the session, fails with OpenCodeUnreachable once the watch is closed (its server is gone), and
   * otherwise waits forever.
   */
  readonly session: (sessionId: string) => Effect.Effect<Effect.Effect<RetryStatus, OpenCodeUnreachable>, never, Scope.Scope>
  /** `session`, with the session's progress and its requests for a human too */
  readonly follow: (sessionId: string) => Effect.Effect<WatchedSession, never, Scope.Scope>
}

/** The directory watches of one server (one process incarnation), opened on first use and shared by every call. */
export interface SessionWatcher {
  /** a lease on the watch of `directory` for the life of the scope; a watch nobody leases is closed after a while */
  readonly directory: (directory: string) => Effect.Effect<DirectoryWatch, never, Scope.Scope>
}

export interface DirectoryWatchOptions<E> {
  readonly directory: string
  /** the server's port, for OpenCodeUnreachable */
  readonly port: number
  /** a new subscription each time it runs: the raw `data` of every event of the directory */
  readonly subscribe: Stream.Stream<string, E>
  /** the directory's sessions that are not idle (`GET /session/status`), to catch up after a (re)connect */
  readonly statuses: Effect.Effect<Readonly<Record<string, SessionStatus>>, E>
  /** `ready` completes after this long even if the first subscription is not live yet; default 2 s */
  readonly readyWait?: Duration.DurationInput
  /** a subscription silent for this long is reopened (OpenCode sends `server.heartbeat` every 10 s); default 45 s */
  readonly staleAfter?: Duration.DurationInput
  /** the first wait before reopening a subscription that ended; doubles up to `maxReconnectDelay`; default 200 ms */
  readonly reconnectDelay?: Duration.DurationInput
  /** default 5 s */
  readonly maxReconnectDelay?: Duration.DurationInput
}

const decodeStatusEvent = Schema.decodeUnknown(SessionStatusEvent, { onExcessProperty: "ignore", errors: "first" })
const decodeHumanRequest = Schema.decodeUnknown(HumanRequestEvent, { onExcessProperty: "ignore", errors: "first" })

const SESSION_KEY = "\"sessionID\":\""

/** the session an event belongs to, read without parsing it: the first `"sessionID":"..."` of the line */
export const sessionOf = (data: string): string | undefined => {
  const at = data.indexOf(SESSION_KEY)
  if (at < 0) return undefined
  const start = at + SESSION_KEY.length
  const end = data.indexOf("\"", start)
  return end < 0 ? undefined : data.slice(start, end)
}

/** the model produced something: a streamed token (text or reasoning), or a tool call */
export const isOutput = (data: string): boolean =>
  data.includes("\"message.part.delta\"") || (data.includes("\"message.part.updated\"") && data.includes("\"type\":\"tool\""))

export const mayBeHumanRequest = (data: string): boolean =>
  data.includes("\"permission.asked\"") || data.includes("\"permission.v2.asked\"") || data.includes("\"question.asked\"")

const toHumanRequest = (event: HumanRequestEvent): HumanRequest =>
  event.type === "question.asked"
    ? { kind: "question", id: event.properties.id, questions: event.properties.questions.map((q) => q.question ?? "") }
    : event.type === "permission.asked"
    ? { kind: "permission", id: event.properties.id, permission: event.properties.permission, patterns: event.properties.patterns }
    : { kind: "permission", id: event.properties.id, permission: event.properties.action, patterns: event.properties.resources }

interface Followed {
  readonly retry: Deferred.Deferred<RetryStatus, OpenCodeUnreachable>
  readonly humanRequests: Queue.Queue<HumanRequest>
  lastEventAt: number
  producedOutput: boolean
}

/**
 * Cheap pre-filter on a raw event: only a `session.status` that mentions a retry can matter. A JSON string value
 * cannot fake these (its quotes are escaped), and a false positive only costs a decode.
 */
export const mayBeRetry = (data: string): boolean => data.includes("\"session.status\"") && data.includes("\"retry\"")

/**
 * One directory's subscription, owned by the caller's scope: it reconnects whenever the stream ends, fails or goes
 * silent, until the scope closes. Closing the scope fails every session still watched with OpenCodeUnreachable.
 */
export const makeDirectoryWatch = <E>(options: DirectoryWatchOptions<E>): Effect.Effect<DirectoryWatch, never, Scope.Scope> =>
  Effect.gen(function*() {
    const scope = yield* Effect.scope
    const staleAfter = Duration.decode(options.staleAfter ?? Duration.seconds(45))
    const firstDelay = Duration.toMillis(options.reconnectDelay ?? Duration.millis(200))
    const maxDelay = Duration.toMillis(options.maxReconnectDelay ?? Duration.seconds(5))
    const watched = new Map<string, Followed>()
    const ready = yield* Deferred.make<void>()
    let closed = false
    const gone = () =>
      new OpenCodeUnreachable({
        port: options.port,
        message: `OpenCode on port ${options.port} went away (its event stream for ${options.directory} was closed)`
      })

    const signal = (sessionId: string, status: RetryStatus) =>
      Effect.suspend(() => {
        const waiting = watched.get(sessionId)
        return waiting === undefined ? Effect.void : Deferred.succeed(waiting.retry, status)
      })

    /** full decode, only for the lines that passed the pre-filter */
    const route = (data: string) =>
      Effect.try(() => JSON.parse(data) as unknown).pipe(
        Effect.flatMap(decodeStatusEvent),
        Effect.flatMap(({ properties: { sessionID, status } }) => status.type === "retry" ? signal(sessionID, status) : Effect.void),
        Effect.ignore
      )

    /** a permission or question of a followed session: decoded and handed to its follower */
    const request = (followed: Followed, data: string) =>
      Effect.try(() => JSON.parse(data) as unknown).pipe(
        Effect.flatMap(decodeHumanRequest),
        Effect.flatMap((event) => Queue.offer(followed.humanRequests, toHumanRequest(event))),
        Effect.ignore
      )

    const onChunk = (chunk: Chunk.Chunk<string>): Effect.Effect<void> => {
      if (watched.size === 0) return Effect.void
      return Effect.flatMap(Clock.currentTimeMillis, (now) => {
        let work: Array<Effect.Effect<void>> | undefined
        for (const data of chunk) {
          const sessionId = sessionOf(data)
          const followed = sessionId === undefined ? undefined : watched.get(sessionId)
          if (followed !== undefined) {
            followed.lastEventAt = now
            if (!followed.producedOutput && isOutput(data)) followed.producedOutput = true
            if (mayBeHumanRequest(data)) (work ??= []).push(request(followed, data))
          }
          if (mayBeRetry(data)) (work ??= []).push(route(data))
        }
        return work === undefined ? Effect.void : Effect.all(work, { discard: true })
      })
    }

    /** retries announced while no subscription was live */
    const catchUp = Effect.suspend(() =>
      watched.size === 0 ? Effect.void : options.statuses.pipe(
        Effect.flatMap((statuses) =>
          Effect.forEach(
            Object.entries(statuses),
            ([sessionId, status]) => status.type === "retry" ? signal(sessionId, status) : Effect.void,
            { discard: true }
          )
        ),
        Effect.ignore
      )
    )

    /** one subscription, until it ends, fails or goes silent; true if it went live */
    const subscription = Effect.suspend(() => {
      let live = false
      let heard = false
      const consume = options.subscribe.pipe(
        Stream.runForEachChunk((chunk) => {
          heard = true
          if (live) return onChunk(chunk)
          live = true
          // a subscription live before `ready` saw every retry of the sessions: prompts waited for it
          return Effect.flatMap(Deferred.succeed(ready, undefined), (first) =>
            (first ? Effect.void : Effect.asVoid(Effect.forkIn(Effect.interruptible(catchUp), scope))).pipe(
              Effect.zipRight(onChunk(chunk))
            ))
        }),
        Effect.ignore
      )
      // a watchdog rather than a timeout per chunk: one timer per period instead of one per event
      const silence = Effect.gen(function*() {
        do {
          heard = false
          yield* Effect.sleep(staleAfter)
        } while (heard)
      })
      return Effect.raceFirst(consume, silence).pipe(Effect.map(() => live))
    })

    const supervise = Effect.gen(function*() {
      let delay = firstDelay
      for (;;) {
        const wasLive = yield* subscription
        yield* Deferred.succeed(ready, undefined)
        if (wasLive) delay = firstDelay
        yield* Effect.sleep(Duration.millis(delay))
        delay = Math.min(delay * 2, maxDelay)
      }
    })
    // interruptible even when the watch is opened in an uninterruptible region (a fiber inherits that), or closing
    // the scope would wait for it forever
    yield* Effect.forkIn(Effect.interruptible(supervise), scope)
    yield* Deferred.succeed(ready, undefined).pipe(
      Effect.delay(options.readyWait ?? Duration.seconds(2)),
      Effect.interruptible,
      Effect.forkIn(scope)
    )
    // runs before the supervisor is interrupted (finalizers run in reverse order)
    yield* Effect.addFinalizer(() =>
      Effect.suspend(() => {
        closed = true
        const waiting = [...watched.values()]
        watched.clear()
        return Effect.forEach(waiting, (d) => Deferred.fail(d.retry, gone()), { discard: true })
      })
    )

    const follow: DirectoryWatch["follow"] = (sessionId) =>
      Effect.acquireRelease(
        Effect.gen(function*() {
          const followed: Followed = {
            retry: yield* Deferred.make<RetryStatus, OpenCodeUnreachable>(),
            humanRequests: yield* Queue.unbounded<HumanRequest>(),
            lastEventAt: yield* Clock.currentTimeMillis,
            producedOutput: false
          }
          if (closed) yield* Deferred.fail(followed.retry, gone())
          else watched.set(sessionId, followed)
          return followed
        }),
        (followed) =>
          Effect.suspend(() => {
            if (watched.get(sessionId) === followed) watched.delete(sessionId)
            return Queue.shutdown(followed.humanRequests)
          })
      ).pipe(Effect.map((followed): WatchedSession => ({
        retry: Deferred.await(followed.retry),
        lastEventAt: Effect.sync(() => followed.lastEventAt),
        producedOutput: Effect.sync(() => followed.producedOutput),
        humanRequests: followed.humanRequests
      })))

    const session: DirectoryWatch["session"] = (sessionId) => Effect.map(follow(sessionId), (followed) => followed.retry)

    return { directory: options.directory, ready: Deferred.await(ready), session, follow }
  })

export interface SessionWatcherOptions {
  /** a directory's watch that nobody has leased for this long is closed; default 5 min */
  readonly idleAfter?: Duration.DurationInput
}

interface Entry {
  readonly watch: DirectoryWatch
  readonly scope: Scope.CloseableScope
  leases: number
  idleSince: number
}

/**
 * The watches of one server, owned by the caller's scope (the server's incarnation): one per directory, opened on
 * the first lease, closed once nobody has leased it for `idleAfter`. Hold a lease for as long as a directory's
 * subscription must stay open (the pool holds one on its project directory for the life of the process).
 */
export const makeSessionWatcher = (
  open: (directory: string) => Effect.Effect<DirectoryWatch, never, Scope.Scope>,
  options: SessionWatcherOptions = {}
): Effect.Effect<SessionWatcher, never, Scope.Scope> =>
  Effect.gen(function*() {
    const scope = yield* Effect.scope
    const idleAfter = Duration.toMillis(options.idleAfter ?? Duration.minutes(5))
    const entries = new Map<string, Entry>()
    const lock = yield* Effect.makeSemaphore(1)

    const acquire = (directory: string) =>
      lock.withPermits(1)(Effect.gen(function*() {
        const existing = entries.get(directory)
        if (existing !== undefined) {
          existing.leases++
          return existing
        }
        const child = yield* Scope.fork(scope, ExecutionStrategy.sequential)
        const watch = yield* open(directory).pipe(Scope.extend(child))
        const entry: Entry = { watch, scope: child, leases: 1, idleSince: 0 }
        entries.set(directory, entry)
        return entry
      }))

    const release = (entry: Entry) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.sync(() => {
          entry.leases--
          if (entry.leases === 0) entry.idleSince = now
        }))

    const sweep = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const idle = yield* lock.withPermits(1)(Effect.sync(() => {
        const found: Array<Entry> = []
        for (const [directory, entry] of entries) {
          if (entry.leases === 0 && now - entry.idleSince >= idleAfter) {
            entries.delete(directory)
            found.push(entry)
          }
        }
        return found
      }))
      yield* Effect.forEach(idle, (entry) => Scope.close(entry.scope, Exit.void), { discard: true })
    })
    yield* sweep.pipe(
      Effect.repeat(Schedule.spaced(Duration.millis(Math.min(60_000, Math.max(50, idleAfter / 4))))),
      Effect.interruptible,
      Effect.forkIn(scope)
    )

    return {
      directory: (directory) =>
        Effect.map(Effect.acquireRelease(acquire(directory), release), (entry) => entry.watch)
    }
  })
