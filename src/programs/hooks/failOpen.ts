import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { Paths } from "../../services/Paths"

/**
 * A hook never breaks the session: whatever goes wrong inside omcm, the tool call proceeds as if omcm were not
 * there. Why is appended to `~/.omcm/logs/hooks.log` (one JSON line) so `omcm` can show it later.
 */
export const recordFailure = (event: string, sessionId: string | undefined, why: string) =>
  Effect.gen(function*() {
    const paths = yield* Effect.serviceOption(Paths)
    const dir = paths._tag === "Some" ? paths.value.logDir : path.join(process.env.OMCM_HOME ?? path.join(process.env.HOME ?? "/tmp", ".omcm"), "logs")
    yield* Effect.sync(() => {
      try {
        fs.mkdirSync(dir, { recursive: true })
        fs.appendFileSync(path.join(dir, "hooks.log"), `${JSON.stringify({ ts: new Date().toISOString(), event, sessionId, error: why })}\n`)
      } catch {
        // nowhere to write: still let the call through
      }
    })
  })
