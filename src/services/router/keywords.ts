import type { Mode } from "../../domain/model"

export type TriggerWords = { readonly hulw: ReadonlyArray<string>; readonly ulw: ReadonlyArray<string>; readonly autopilot: ReadonlyArray<string> }

export interface DetectedMode {
  /** the routing mode: `/autopilot hulw x` and `autopilot with fusion x` route as hulw */
  readonly mode: Exclude<Mode, "off">
  readonly autopilot: boolean
  /** the prompt with the trigger words removed */
  readonly task: string
  readonly triggers: ReadonlyArray<string>
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
const HANGUL = /\p{Script=Hangul}/u

/**
 * A trigger is a whole word: preceded by the start, a space, a bracket or a quote (so `src/ulw` and `bulwark` do
 * not match) and followed by the end, a space or punctuation (so `hulwx` and `ulw.ts` do not). Korean triggers may
 * carry a particle (`울트라워크로`). An optional leading `/` makes the slash-command form.
 */
const patterns = new Map<string, RegExp>()
const triggerPattern = (phrase: string): RegExp => {
  // compiled once per phrase (no `g` flag: a pattern keeps no state between uses); `tasks check` asks per task
  const known = patterns.get(phrase)
  if (known !== undefined) return known
  if (patterns.size > 1_000) patterns.clear()
  const pattern = compileTrigger(phrase)
  patterns.set(phrase, pattern)
  return pattern
}

const compileTrigger = (phrase: string): RegExp => {
  const body = phrase.trim().split(/\s+/).map(escape).join("\\s+")
  const after = HANGUL.test(phrase)
    ? "(?:\\p{Script=Hangul}{1,2}(?=$|\\s))?(?=$|[^\\p{L}\\p{N}_/\\\\-])"
    : "(?!\\.[\\p{L}\\p{N}])(?=$|[^\\p{L}\\p{N}_/\\\\-])"
  return new RegExp(`(?<=^|[\\s(\\[{"'\`])/?${body}${after}`, "iu")
}

interface Found {
  readonly start: number
  readonly end: number
  readonly trigger: string
}

const findFirst = (text: string, phrases: ReadonlyArray<string>): Found | undefined => {
  let best: Found | undefined
  // longest phrases first so `hybrid ultrawork` wins over a shorter trigger inside it
  for (const phrase of [...phrases].sort((a, b) => b.length - a.length)) {
    if (phrase.trim().length === 0) continue
    const match = triggerPattern(phrase).exec(text)
    if (match !== null && (best === undefined || match.index < best.start)) {
      best = { start: match.index, end: match.index + match[0].length, trigger: phrase }
    }
  }
  return best
}

/** Remove a found trigger with the words that only served it: `with`/`using` before, `:` after. */
const cut = (text: string, found: Found, extraAfter?: RegExp): { readonly text: string; readonly extra: boolean } => {
  let before = text.slice(0, found.start)
  let after = text.slice(found.end)
  const connector = /(?:^|\s)(?:with|using|in)\s+$/i.exec(before)
  if (connector !== null) before = before.slice(0, connector.index)
  let extra = false
  if (extraAfter !== undefined) {
    const m = extraAfter.exec(after)
    if (m !== null) {
      after = after.slice(m[0].length)
      extra = true
    }
  }
  after = after.replace(/^\s*[:,]/, "")
  return { text: `${before} ${after}`, extra }
}

const tidy = (text: string) => text.replace(/\s+/g, " ").trim().replace(/^[:,\-\s]+|[:,\-\s]+$/g, "")

/** Find hulw / ulw / autopilot in a prompt, in every trigger form; undefined when none is there. */
export const detectMode = (prompt: string, words: TriggerWords): DetectedMode | undefined => {
  let text = prompt
  const triggers: Array<string> = []
  let autopilot = false
  let fusion = false

  const ap = findFirst(text, words.autopilot)
  if (ap !== undefined) {
    const r = cut(text, ap, /^\s+(?:with\s+)?fusion(?=$|[^\p{L}\p{N}_])/iu)
    text = r.text
    autopilot = true
    fusion = r.extra
    triggers.push(ap.trigger)
  }
  let routing: "hulw" | "ulw" | undefined
  const hulw = findFirst(text, words.hulw)
  if (hulw !== undefined) {
    text = cut(text, hulw).text
    routing = "hulw"
    triggers.push(hulw.trigger)
  } else {
    const ulw = findFirst(text, words.ulw)
    if (ulw !== undefined) {
      text = cut(text, ulw).text
      routing = "ulw"
      triggers.push(ulw.trigger)
    }
  }
  if (routing === undefined && !autopilot) return undefined
  const mode = routing ?? (fusion ? "hulw" : "autopilot")
  return { mode, autopilot, task: tidy(text), triggers }
}
