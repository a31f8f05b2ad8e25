import * as Effect from "effect/Effect"
import * as path from "node:path"
import { type ExecutionResult, totalTokens } from "../../domain/execution"
import { writeFileAtomic } from "../../lib/jsonFile"
import { formatTokens } from "../../lib/format"
import { REASON_LIMIT } from "../../services/claude-code"

const header = (agent: string, result: ExecutionResult) =>
  `[omcm] The ${agent} sub-agent task was completed by OpenCode (${result.provider}/${result.model}) instead of a Claude sub-agent (${formatTokens(totalTokens(result.tokens))} tokens, ${(result.executionTime / 1000).toFixed(1)} s). This is its result, not an error: use it and do not run the task again.`

/**
 * The deny reason that hands a delegated result to the model. Claude Code keeps at most 2000 characters of it, so a
 * longer result is written to `resultsDir` and the reason carries its beginning and the file's path.
 */
export const delegatedReason = (options: {
  readonly agent: string
  readonly result: ExecutionResult
  readonly resultsDir: string
  readonly fileStem: string
  readonly inlineChars: number
}) =>
  Effect.gen(function*() {
    const { agent, result } = options
    const text = result.stdout.trim().length > 0 ? result.stdout.trim() : "(the sub-agent returned no text)"
    const inline = `${header(agent, result)}\n\nResult:\n${text}`
    if (inline.length <= REASON_LIMIT) return { reason: inline, savedTo: null as string | null }
    const file = path.join(options.resultsDir, `${options.fileStem.replace(/[^A-Za-z0-9._-]/g, "_")}.md`)
    const saved = yield* Effect.either(writeFileAtomic(file, `# ${agent} (via OpenCode ${result.provider}/${result.model})\n\n${text}\n`))
    if (saved._tag === "Left") {
      // the work is done: hand back what fits rather than let Claude do it again
      const cut = `\n\n[... cut at ${REASON_LIMIT} characters; the full result could not be saved: ${saved.left.code ?? saved.left.message}]`
      return { reason: `${inline.slice(0, REASON_LIMIT - cut.length)}${cut}`, savedTo: null }
    }
    const tail = `\n\n[... ${text.length} characters in all. Full result: ${file} — read that file for the rest.]`
    const room = Math.max(0, Math.min(options.inlineChars, REASON_LIMIT - header(agent, result).length - tail.length - 20))
    return { reason: `${header(agent, result)}\n\nResult (beginning):\n${text.slice(0, room)}${tail}`, savedTo: file }
  })
