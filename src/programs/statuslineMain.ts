import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { HudLive } from "../layers/core"
import { runMain } from "./runMain"
import { statuslineProgram } from "./statusline"

/** The status bar must always get a line: even a broken config prints one, naming the problem. */
export const main = (stdin?: string) =>
  runMain(
    statuslineProgram(stdin).pipe(
      Effect.provide(HudLive),
      Effect.catchAll((error) => Console.log(`omcm │ ${error.message}`))
    )
  )
