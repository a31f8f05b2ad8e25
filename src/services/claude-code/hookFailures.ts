import * as Effect from "effect/Effect"
import * as path from "node:path"
import { appendPrivateFile } from "../../lib/privateFiles"
import { Paths } from "../config"

/**
 * A hook never breaks the session: whatever goes wrong inside omcm, the tool call proceeds as if omcm were not
 * there. Why is appended to `~/.omcm/logs/hooks.log` (one JSON line) so `omcm` can show it later.
 */
export const recordFailure = (event: string, sessionId: string | undefined, why: string) =>
  Effect.gen(function*() {
    const paths = yield* Effect.serviceOption(Paths)
    // a failure before the hook's services were built: the same place, from this process's environment
    const dir = paths._tag === "Some" ? paths.value.logDir : Paths.fromEnv(process.env).logDir
    yield* Effect.sync(() => {
      try {
        appendPrivateFile(path.join(dir, "hooks.log"), `${JSON.stringify({ ts: new Date().toISOString(), event, sessionId, error: why })}\n`)
      } catch {
        // nowhere to write: still let the call through
      }
    })
  })

/** an error as one line of the log */
export const describeFailure = (error: unknown): string =>
  error instanceof Error ? error.message : typeof error === "object" && error !== null && "message" in error ? String((error as { message: unknown }).message) : String(error)
