import * as Effect from "effect/Effect"
import * as path from "node:path"
import { type ExecutionResult, totalTokens } from "../../domain/execution"
import { formatTokens } from "../../lib/format"
import { writeFileAtomic } from "../../lib/jsonFile"
import { ensureProjectStateDir } from "../../services/config"

export interface DelegatedResultOptions {
  readonly agent: string
  /** which definition of the agent the delegated session was given, in words (or that none was found) */
  readonly role?: string | undefined
  readonly result: ExecutionResult
  /** the session's project: a result too long for the reason is saved under its `.omcm/results/` */
  readonly projectDir: string
  readonly fileStem: string
  /** the longest reason omcm sends (config.json `hooks.resultInlineChars`) */
  readonly inlineChars: number
}

const MAX_LISTED_FILES = 30

const header = (o: DelegatedResultOptions) => {
  const { result } = o
  const lines = [
    `[omcm] The ${o.agent} sub-agent task was completed by OpenCode (${result.provider}/${result.model}) instead of a Claude sub-agent (${formatTokens(totalTokens(result.tokens))} tokens, ${(result.executionTime / 1000).toFixed(1)} s). This is its result, not an error: use it and do not run the task again.`
  ]
  if (o.role !== undefined) lines.push(`Role: ${o.role}.`)
  const changed = result.changedFiles ?? []
  if (changed.length > 0) {
    const listed = changed.slice(0, MAX_LISTED_FILES).map((f) => `${f.path} (${f.status})`).join(", ")
    const more = changed.length > MAX_LISTED_FILES ? ` and ${changed.length - MAX_LISTED_FILES} more` : ""
    lines.push(`Files it changed on disk: ${listed}${more}.`)
  }
  const refused = result.refused ?? []
  if (refused.length > 0) lines.push(`Refused (it ran unattended, nobody could allow or answer): ${refused.join("; ")}.`)
  return lines.join("\n")
}

/**
 * The deny reason that hands a delegated result to the model. Claude Code 2.1.330 shows the model the whole reason as
 * the tool's result (measured up to 200,000 characters: test/e2e/claudeCodeCaps.test.ts), so the result goes whole up
 * to `inlineChars`. A longer one is saved inside the project (`.omcm/results/`, where a default-mode session may read
 * it without a permission prompt) and the reason carries its beginning and the file's path.
 */
export const delegatedReason = (o: DelegatedResultOptions) =>
  Effect.gen(function*() {
    const text = o.result.stdout.trim().length > 0 ? o.result.stdout.trim() : "(the sub-agent returned no text)"
    const top = header(o)
    const inline = `${top}\n\nResult:\n${text}`
    if (inline.length <= o.inlineChars) return { reason: inline, savedTo: null as string | null }
    const saved = yield* ensureProjectStateDir(o.projectDir, "results").pipe(
      Effect.map((dir) => path.join(dir, `${o.fileStem.replace(/[^A-Za-z0-9._-]/g, "_")}.md`)),
      Effect.tap((file) =>
        writeFileAtomic(file, `# ${o.agent} (via OpenCode ${o.result.provider}/${o.result.model})\n\n${text}\n`, 0o600)
      ),
      Effect.either
    )
    if (saved._tag === "Left") {
      // the work is done: hand back what fits rather than let Claude do it again
      const cut = `\n\n[... cut at ${o.inlineChars} characters; the full result could not be saved: ${saved.left.code ?? saved.left.message}]`
      return { reason: `${inline.slice(0, Math.max(0, o.inlineChars - cut.length))}${cut}`, savedTo: null }
    }
    const file = saved.right
    const shown = path.relative(o.projectDir, file)
    const tail = `\n\n[... ${text.length} characters in all. The full result is in ${shown} (in this project): read that file for the rest.]`
    const room = Math.max(0, o.inlineChars - top.length - tail.length - 30)
    return { reason: `${top}\n\nResult (beginning):\n${text.slice(0, room)}${tail}`, savedTo: file }
  })
