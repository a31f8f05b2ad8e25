/**
 * Decisions and learnings picked out of what the model said, without a model: sentences that state a choice
 * ("I'll use", "decided", "instead of") or a finding ("turns out", "the issue was", "requires"). Cheap and
 * predictable; it misses what is said in other words, and says where each item came from.
 */
import type { HandoffContext, Note } from "./handoff"
import type { Located } from "./transcript"

const DECISION =
  /\b(I(?:'ll| will| am going to|'m going to) (?:use|go with|keep|switch to|choose|pick|store|add|implement)|(?:we|I) (?:decided|chose|opted)|decided to|decision:|going with|instead of|rather than|settled on)\b/i
const LEARNING =
  /\b(turns out|it seems|found that|I see that|I notice|noticed that|learned|note that|the (?:issue|problem|cause|bug|error) (?:is|was)|because|requires?|does(?:n't| not) support|is not supported|must be|needs to be)\b/i

const MAX_EACH = 8
const MAX_LENGTH = 240

/** the sentences of a text, code blocks and list markers left out */
const sentencesOf = (text: string): ReadonlyArray<string> =>
  text
    .replace(/```[\s\S]*?```/g, " ")
    .split(/\n+/)
    .map((line) => line.replace(/^\s*(?:[-*+]|\d+[.)]|#+)\s+/, "").trim())
    .flatMap((line) => line.split(/(?<=[.!?])\s+(?=[A-Z`"'(])/))
    .map((s) => s.trim())
    .filter((s) => s.length >= 12)

const shorten = (s: string): string => (s.length <= MAX_LENGTH ? s : `${s.slice(0, MAX_LENGTH - 1).trimEnd()}…`)

export interface SessionNotes {
  readonly decisions: ReadonlyArray<Note>
  readonly learnings: ReadonlyArray<Note>
}

/** The latest decisions and learnings of the model's text (a sentence is one or the other, decisions first). */
export const extractNotes = (said: ReadonlyArray<Located>, where: (line: number) => string): SessionNotes => {
  const decisions: Array<Note> = []
  const learnings: Array<Note> = []
  const seen = new Set<string>()
  for (const { line, text } of said) {
    for (const sentence of sentencesOf(text)) {
      const key = sentence.toLowerCase()
      if (seen.has(key)) continue
      const list = DECISION.test(sentence) ? decisions : LEARNING.test(sentence) ? learnings : undefined
      if (list === undefined) continue
      seen.add(key)
      list.push({ text: shorten(sentence), source: where(line) })
    }
  }
  return { decisions: decisions.slice(-MAX_EACH), learnings: learnings.slice(-MAX_EACH) }
}

/**
 * The context with the session's notes replaced by `notes` (a model's summary of the same transcript); the notes the
 * caller gave stay first. `source` says where the notes came from now (meta.sources.notes).
 */
export const withSessionNotes = (context: HandoffContext, notes: SessionNotes, source: string): HandoffContext => {
  const given = (list: ReadonlyArray<Note>) => list.filter((n) => n.source === "given")
  return {
    ...context,
    decisions: { recent: [...given(context.decisions.recent), ...notes.decisions], learnings: [...given(context.decisions.learnings), ...notes.learnings] },
    meta: { ...context.meta, sources: context.meta.sources === null ? null : { ...context.meta.sources, notes: source } }
  }
}

/** the context with `why` added to where its notes came from (why no summary replaced them) */
export const notingSource = (context: HandoffContext, why: string): HandoffContext =>
  context.meta.sources === null
    ? context
    : { ...context, meta: { ...context.meta, sources: { ...context.meta.sources, notes: `${context.meta.sources.notes}; ${why}` } } }
