import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as fs from "node:fs"
import { handoffFiles } from "../../services/context"

/** `.omcm/handoff/from-opencode.md`, written by `omcm handoff --from opencode <session>` */
const pulledFile = (cwd: string) => handoffFiles(cwd, "from-opencode").markdown

/** Claude Code caps additionalContext at 8000 characters; the rest of the hook's text shares them */
const MAX_CHARS = 7_000

/**
 * The context pulled back from OpenCode, taken once: the file is renamed `from-opencode.injected.md` as it is read,
 * so only one SessionStart hands it over. None when there is none (or it cannot be read).
 */
export const takePulledHandoff = (cwd: string | undefined): Effect.Effect<Option.Option<string>> =>
  Effect.sync(() => {
    if (cwd === undefined) return Option.none()
    const file = pulledFile(cwd)
    const taken = file.replace(/\.md$/, ".injected.md")
    try {
      fs.renameSync(file, taken)
    } catch {
      return Option.none()
    }
    try {
      const text = fs.readFileSync(taken, "utf8").trim()
      return Option.some(text.length <= MAX_CHARS ? text : `${text.slice(0, MAX_CHARS)}\n… (the rest is in ${taken})`)
    } catch {
      return Option.none()
    }
  })
