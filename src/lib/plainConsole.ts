import * as Console from "effect/Console"
import type * as Effect from "effect/Effect"

/** CSI and OSC escape sequences (colours, bold, cursor moves) */
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g

export const stripAnsi = (text: string): string => text.replace(ANSI, "")

/** Plain text is wanted when stdout is not a terminal (a file, a pipe, a pager) or NO_COLOR is set (no-color.org). */
export const wantsPlainText = (env: NodeJS.ProcessEnv, stdoutIsTty: boolean): boolean =>
  !stdoutIsTty || (env.NO_COLOR !== undefined && env.NO_COLOR.length > 0)

const strip = (args: ReadonlyArray<unknown>) => args.map((a) => (typeof a === "string" ? stripAnsi(a) : a))

/** `effect` with a Console whose log and error lines carry no escape sequences (for @effect/cli's help and errors). */
export const withPlainConsole = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Console.consoleWith((current) => {
    const plain: Console.Console = {
      ...current,
      log: (...args) => current.log(...strip(args)),
      error: (...args) => current.error(...strip(args)),
      unsafe: {
        ...current.unsafe,
        log: (...args) => current.unsafe.log(...strip(args)),
        error: (...args) => current.unsafe.error(...strip(args))
      }
    }
    return Console.withConsole(effect, plain)
  })
