/**
 * The decisions and learnings of a handoff as a cheap model writes them: what it is shown of the transcript (a
 * digest, line-numbered and size-capped), what it is asked (one strict JSON object), and how its answer is read.
 * Anything but the asked-for shape is refused, so the caller falls back to the deterministic notes.
 */
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import type { Note, TranscriptFacts } from "../context"

/** what the model is shown at most; the latest entries are kept */
export const MAX_DIGEST_CHARS = 24_000
const MAX_ENTRY_CHARS = 1_500
const MAX_EACH = 8
const MAX_TEXT = 240

const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`)

export interface Digest {
  readonly text: string
  /** the transcript lines it shows */
  readonly lines: ReadonlySet<number>
}

/** The user's prompts and the model's text, in order, each `[line N] user|assistant: ...`; the newest when too long. */
export const transcriptDigest = (facts: TranscriptFacts, maxChars = MAX_DIGEST_CHARS): Digest => {
  const entries = [
    ...facts.prompts.map((p) => ({ ...p, who: "user" })),
    ...facts.said.map((s) => ({ ...s, who: "assistant" }))
  ].sort((a, b) => a.line - b.line)
  const kept: Array<string> = []
  const lines = new Set<number>()
  let size = 0
  for (const entry of entries.reverse()) {
    const text = `[line ${entry.line}] ${entry.who}: ${clip(entry.text.trim(), MAX_ENTRY_CHARS)}`
    if (size + text.length + 1 > maxChars) break
    kept.push(text)
    lines.add(entry.line)
    size += text.length + 1
  }
  return { text: kept.reverse().join("\n"), lines }
}

/** the system text of the summary's session: no tools, one JSON object */
export const SUMMARY_SYSTEM =
  "You summarise a coding session for the agent that continues it. You have no tools and need none: answer with one JSON object only."

export const summaryPrompt = (digest: Digest): string =>
  [
    "Below is a digest of a Claude Code session's transcript. Each entry starts with [line N] and who wrote it.",
    "",
    "Answer with ONE JSON object and nothing else, exactly of this shape:",
    '{"decisions":[{"text":"...","source":"line N"}],"learnings":[{"text":"...","source":"line N"}]}',
    "",
    `- decisions: choices made about the work (what to use, how to do it, what to avoid); at most ${MAX_EACH}, oldest first.`,
    `- learnings: facts found about the code, the tools or the environment that the next agent needs; at most ${MAX_EACH}.`,
    "- text: one short sentence (under 200 characters). source: the [line N] of the entry it came from.",
    "- Only what the digest says; empty lists are fine.",
    "",
    "Transcript digest:",
    digest.text
  ].join("\n")

const Item = Schema.Struct({ text: Schema.String.pipe(Schema.minLength(1)), source: Schema.optionalWith(Schema.String, { default: () => "" }) })
export const SummaryAnswer = Schema.Struct({ decisions: Schema.Array(Item), learnings: Schema.Array(Item) })
export type SummaryAnswer = typeof SummaryAnswer.Type

const decodeAnswer = Schema.decodeUnknownEither(SummaryAnswer, { onExcessProperty: "ignore" })

/** The JSON object of the model's answer (a ```json fence around it is tolerated); Left says what is wrong with it. */
export const decodeSummary = (answer: string): Either.Either<SummaryAnswer, string> => {
  const fenced = /```(?:json)?\s*\n([\s\S]*?)\n\s*```/.exec(answer)
  const body = (fenced?.[1] ?? answer).trim()
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    return Either.left(`not JSON: ${JSON.stringify(clip(body, 60))}`)
  }
  return Either.mapLeft(decodeAnswer(json), (e) => `not the asked-for shape (${e.message.split("\n")[0]})`)
}

/**
 * The notes of an answer, each saying it is the model's summary and, when its source names a line the digest
 * showed, which line of `where` (the transcript) it came from.
 */
export const notesOfSummary = (answer: SummaryAnswer, model: string, where: string, digest: Digest) => {
  const note = (item: SummaryAnswer["decisions"][number]): Note => {
    const line = Number(/\bline\s*(\d+)/i.exec(item.source)?.[1] ?? Number.NaN)
    const cited = digest.lines.has(line) ? ` (${where} line ${line})` : ""
    return { text: clip(item.text.trim().replace(/\s+/g, " "), MAX_TEXT), source: `summary by ${model}${cited}` }
  }
  const notes = (items: SummaryAnswer["decisions"]) => items.filter((i) => i.text.trim().length > 0).slice(0, MAX_EACH).map(note)
  return { decisions: notes(answer.decisions), learnings: notes(answer.learnings) }
}
