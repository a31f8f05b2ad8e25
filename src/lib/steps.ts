import * as Effect from "effect/Effect"

/**
 * A long synchronous computation written as a generator that yields now and then (every few hundred steps of work),
 * so whoever runs it may pause between two steps. It yields nothing: a yield only says "a good place to stop".
 */
export type Steps<A> = Generator<void, A, void>

/** run to the end, at once */
export const runSteps = <A>(steps: Steps<A>): A => {
  for (;;) {
    const step = steps.next()
    if (step.done === true) return step.value
  }
}

/** a turn of the event loop: signal handlers and timers run, and the fiber may be interrupted here */
const turn = Effect.async<void>((resume) => {
  const timer = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(timer))
})

/**
 * Run the steps, giving the event loop a turn after every `sliceMs` of work. A plain loop holds the thread until it
 * ends: SIGINT and SIGTERM would wait for it. This one is interrupted within a slice.
 */
export const runStepsInterruptibly = <A>(make: () => Steps<A>, sliceMs = 10): Effect.Effect<A> =>
  Effect.suspend(() => {
    const steps = make()
    const slice = (): Effect.Effect<A> => {
      const until = performance.now() + sliceMs
      for (;;) {
        const step = steps.next()
        if (step.done === true) return Effect.succeed(step.value)
        if (performance.now() >= until) return Effect.zipRight(turn, Effect.suspend(slice))
      }
    }
    return slice()
  })
