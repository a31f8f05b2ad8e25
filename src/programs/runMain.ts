import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"

const USAGE_ERRORS = new Set(["ConfigError", "InputError"])

const isTagged = (value: unknown): value is { readonly _tag: string; readonly message?: unknown } =>
  typeof value === "object" && value !== null && "_tag" in value && typeof (value as { _tag: unknown })._tag === "string"

/** @effect/cli validation errors are printed by the CLI itself and carry `error` docs */
const isCliValidation = (value: unknown) =>
  isTagged(value) && ["CommandMismatch", "CorrectedFlag", "HelpRequested", "InvalidArgument", "InvalidValue",
    "MissingValue", "MissingFlag", "MultipleValuesDetected", "MissingSubcommand", "NoBuiltInMatch", "UnclusteredFlag"]
    .includes(value._tag)

/**
 * Run a program as the process: SIGINT/SIGTERM interrupt it (so every scope closes and every child process it
 * owns is stopped), a failure prints one line on stderr, config and input errors exit 2, others 1.
 */
export const runMain = <E>(program: Effect.Effect<void, E>): void => {
  const fiber = Effect.runFork(program)
  const interrupt = () => {
    Effect.runFork(Fiber.interrupt(fiber))
  }
  process.once("SIGINT", interrupt)
  process.once("SIGTERM", interrupt)
  fiber.addObserver((exit) => {
    process.off("SIGINT", interrupt)
    process.off("SIGTERM", interrupt)
    if (Exit.isSuccess(exit)) {
      if (process.exitCode === undefined) process.exitCode = 0
      return
    }
    if (Cause.isInterruptedOnly(exit.cause)) {
      process.exitCode = 130
      return
    }
    const failure = Cause.failureOption(exit.cause)
    if (Option.isSome(failure)) {
      const error: unknown = failure.value
      if (isCliValidation(error)) {
        process.exitCode = 2
        return
      }
      const message = isTagged(error) && typeof error.message === "string" && error.message.length > 0
        ? error.message
        : isTagged(error) ? error._tag : String(error)
      process.stderr.write(`omcm: ${message}\n`)
      process.exitCode = isTagged(error) && USAGE_ERRORS.has(error._tag) ? 2 : 1
      return
    }
    process.stderr.write(`omcm: internal error: ${Cause.pretty(exit.cause).split("\n")[0]}\n`)
    process.exitCode = 1
  })
}
