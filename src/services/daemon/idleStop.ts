import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import type { ServerPoolShape } from "../pool"

/** When the daemon's API was last used, and how many requests are being answered now. */
export interface Activity {
  readonly track: <A, E, R>(request: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  readonly idleSince: Effect.Effect<number | null>
}

export const makeActivity = Effect.gen(function*() {
  const state = yield* Ref.make({ inFlight: 0, lastMs: yield* Clock.currentTimeMillis })
  const touch = (delta: number) =>
    Effect.flatMap(Clock.currentTimeMillis, (now) => Ref.update(state, (s) => ({ inFlight: s.inFlight + delta, lastMs: now })))
  return {
    track: (request) => Effect.acquireUseRelease(touch(1), () => request, () => touch(-1)),
    idleSince: Effect.map(Ref.get(state), (s) => (s.inFlight > 0 ? null : s.lastMs))
  } satisfies Activity
})

/**
 * A daemon started by a SessionStart hook must not outlive its use: once nothing has asked it anything for
 * `idleMs` (no request in flight, no pool call running), it stops, and its servers with it.
 */
export const stopWhenIdle = (activity: Activity, pool: ServerPoolShape, idleMs: number, stop: Effect.Effect<void>) => {
  const check = Effect.gen(function*() {
    const since = yield* activity.idleSince
    const { inFlight } = yield* pool.getStatus
    const now = yield* Clock.currentTimeMillis
    return since !== null && inFlight === 0 && now - since >= idleMs
  })
  const every = Duration.millis(Math.min(Math.max(idleMs / 4, 250), 30_000))
  return check.pipe(
    Effect.repeat({ schedule: Schedule.spaced(every), until: (idle) => idle }),
    Effect.zipRight(Console.log(`omcm pool: no request for ${Math.round(idleMs / 600) / 100} minute(s); stopping`)),
    Effect.zipRight(stop)
  )
}
