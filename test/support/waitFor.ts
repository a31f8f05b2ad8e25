import { Duration, Effect } from "effect"

export interface WaitOptions {
  /** give up after this long (default 10 s) */
  readonly timeoutMs?: number
  /** between two checks (default 50 ms) */
  readonly intervalMs?: number
}

/**
 * Check `condition` until it holds or the time is up, on the real clock: a wait for something to happen instead of
 * a fixed sleep. True when it held (the last check is made at the deadline).
 */
export const waitFor = async (
  condition: () => boolean | Promise<boolean>,
  { intervalMs = 50, timeoutMs = 10_000 }: WaitOptions = {}
): Promise<boolean> => {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await condition()) return true
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
  return condition()
}

/**
 * The same as an Effect (live clock: run it under `it.live`/`it.scopedLive`), which dies with
 * "timed out waiting for <what>" when the time is up.
 */
export const eventually = <E = never, R = never>(
  what: string,
  condition: () => boolean | Effect.Effect<boolean, E, R>,
  { intervalMs = 50, timeoutMs = 10_000 }: WaitOptions = {}
): Effect.Effect<void, E, R> =>
  Effect.gen(function*() {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const result = condition()
      if (typeof result === "boolean" ? result : yield* result) return
      if (Date.now() >= deadline) return yield* Effect.dieMessage(`timed out waiting for ${what}`)
      yield* Effect.sleep(Duration.millis(intervalMs))
    }
  })
