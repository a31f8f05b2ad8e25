/**
 * Whether two file patterns (paths or globs) can name a common path.
 *
 * The rule:
 * - Patterns are normalized first: a leading `./` and repeated slashes go, and a trailing `/` claims the whole
 *   directory (`src/auth/` is `src/auth/**`).
 * - path vs path: equal.
 * - path vs glob: the glob matches the path (picomatch, with `dot: true`, so `src/**` claims `src/.env`).
 * - glob vs glob: some path is matched by both. This is decided exactly, not by sampling: braces are expanded
 *   (`{a,b}`, `{1..3}`), each alternative is split into segments, and the two segment sequences are intersected
 *   with `**` standing for any number of segments; two segments intersect when one string matches both, which is
 *   decided character by character (`*` any run, `?` one character, `[...]` a class). The search also yields a
 *   witness path (reported as the conflicting `file`).
 * - A trailing `/**` always claims the directory itself too: `src/x*` followed by `/**` claims `src/xy` (picomatch
 *   alone reads it so only when the part before `/**` is literal). This holds for path vs glob as well.
 * - Syntax that is not modelled exactly (extglobs like `@(a|b)`, negated `[!...]` and POSIX classes, a leading
 *   `!` negation) is over-approximated: such a part matches anything. So two tasks may be kept apart when they
 *   would not have collided, never run together when they could.
 */
import picomatch from "picomatch"

type CharToken =
  | { readonly kind: "lit"; readonly ch: string }
  | { readonly kind: "any" }
  | { readonly kind: "class"; readonly test: (ch: string) => boolean }
  | { readonly kind: "star" }

/**
 * `text`: the segment as written, the key of the cache of segment intersections; `literal`: the name it matches when
 * it has no glob syntax at all (the usual case: `src`, `auth`), undefined otherwise
 */
type Segment =
  | { readonly kind: "globstar" }
  | { readonly kind: "seg"; readonly text: string; readonly tokens: ReadonlyArray<CharToken>; readonly literal: string | undefined }

const MAX_ALTERNATIVES = 64

/** caches of what patterns compile to and of segment intersections: a task file compares the same ones many times */
const CACHE_LIMIT = 100_000
const cached = <A>(cache: Map<string, A>, key: string, make: (key: string) => A): A => {
  let value = cache.get(key)
  if (value === undefined) {
    if (cache.size >= CACHE_LIMIT) cache.clear()
    value = make(key)
    cache.set(key, value)
  }
  return value
}

/** `./a//b/` is `a/b/**`; surrounding blanks go. */
export const normalizePattern = (pattern: string): string => {
  let p = pattern.trim().replace(/\/{2,}/g, "/")
  while (p.startsWith("./")) p = p.slice(2)
  if (p.endsWith("/") && p.length > 1) p = `${p}**`
  return p
}

export const isGlob = (pattern: string): boolean => picomatch.scan(normalizePattern(pattern)).isGlob

const unescape = (path: string): string => path.replace(/\\(.)/g, "$1")

/** Expand `{a,b}` and `{1..3}` (nested too); an unbalanced or comma-less brace stays literal. */
export const expandBraces = (pattern: string): ReadonlyArray<string> => {
  let depth = 0
  let open = -1
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]
    if (ch === "\\") {
      i++
      continue
    }
    if (ch === "{") {
      if (depth === 0) open = i
      depth++
    } else if (ch === "}" && depth > 0) {
      depth--
      if (depth === 0) {
        const body = pattern.slice(open + 1, i)
        const options = splitTopLevelCommas(body) ?? numericRange(body)
        const before = pattern.slice(0, open)
        const rest = expandBraces(pattern.slice(i + 1))
        if (options === undefined) return rest.map((r) => `${pattern.slice(0, i + 1)}${r}`)
        return options.flatMap((option) => expandBraces(option).flatMap((o) => rest.map((r) => `${before}${o}${r}`)))
      }
    }
  }
  return [pattern]
}

const splitTopLevelCommas = (body: string): ReadonlyArray<string> | undefined => {
  const parts: Array<string> = []
  let depth = 0
  let start = 0
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]
    if (ch === "\\") i++
    else if (ch === "{") depth++
    else if (ch === "}") depth--
    else if (ch === "," && depth === 0) {
      parts.push(body.slice(start, i))
      start = i + 1
    }
  }
  if (parts.length === 0) return undefined
  parts.push(body.slice(start))
  return parts
}

const numericRange = (body: string): ReadonlyArray<string> | undefined => {
  const m = /^(-?\d+)\.\.(-?\d+)$/.exec(body)
  if (m === null) return undefined
  const from = Number(m[1])
  const to = Number(m[2])
  if (Math.abs(to - from) >= MAX_ALTERNATIVES) return undefined
  const step = from <= to ? 1 : -1
  const out: Array<string> = []
  for (let n = from; n !== to + step; n += step) out.push(String(n))
  return out
}

const EXTGLOB_START = new Set(["@", "!", "+", "*", "?"])

/** index of the `)` closing the `(` at `open`, or -1 */
const closingParen = (text: string, open: number): number => {
  let depth = 0
  for (let i = open; i < text.length; i++) {
    if (text[i] === "\\") i++
    else if (text[i] === "(") depth++
    else if (text[i] === ")" && --depth === 0) return i
  }
  return -1
}

const classToken = (body: string): CharToken => {
  // negation with `!`, POSIX classes and escapes are read differently by glob libraries: match anything
  if (body.startsWith("!") || body.includes("[:") || body.includes("\\")) return { kind: "any" }
  try {
    const re = new RegExp(`^[${body}]$`)
    return { kind: "class", test: (ch) => ch !== "/" && re.test(ch) }
  } catch {
    return { kind: "any" }
  }
}

const tokenize = (segment: string): ReadonlyArray<CharToken> => {
  const tokens: Array<CharToken> = []
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i]!
    if (ch === "\\" && i + 1 < segment.length) {
      tokens.push({ kind: "lit", ch: segment[++i]! })
    } else if (EXTGLOB_START.has(ch) && segment[i + 1] === "(") {
      const close = closingParen(segment, i + 1)
      if (close < 0) {
        tokens.push({ kind: "star" })
        break
      }
      tokens.push({ kind: "star" })
      i = close
    } else if (ch === "*") {
      if (tokens[tokens.length - 1]?.kind !== "star") tokens.push({ kind: "star" })
    } else if (ch === "?") {
      tokens.push({ kind: "any" })
    } else if (ch === "[") {
      const close = segment.indexOf("]", i + 2)
      if (close < 0) tokens.push({ kind: "lit", ch })
      else {
        tokens.push(classToken(segment.slice(i + 1, close)))
        i = close
      }
    } else {
      tokens.push({ kind: "lit", ch })
    }
  }
  return tokens
}

const plainSegment = (text: string): Segment & { readonly kind: "seg" } => {
  const tokens = tokenize(text)
  const literal = tokens.every((t) => t.kind === "lit") ? tokens.map((t) => (t as { readonly ch: string }).ch).join("") : undefined
  return { kind: "seg", text, tokens, literal }
}

const toSegments = (pattern: string): ReadonlyArray<Segment> =>
  pattern.split("/").filter((s) => s.length > 0).map((s): Segment =>
    s === "**" ? { kind: "globstar" } : plainSegment(s)
  )

const ALPHABET = [
  ..."xyzabcdefghijklmnopqrstuvwXYZABCDEFGHIJKLMNOPQRSTUVW0123456789._-",
  ...Array.from({ length: 0x7e - 0x20 + 1 }, (_, k) => String.fromCharCode(0x20 + k))
].filter((c) => c !== "/")

const accepts = (token: CharToken, ch: string): boolean => {
  switch (token.kind) {
    case "lit":
      return token.ch === ch
    case "any":
    case "star":
      return ch !== "/"
    case "class":
      return token.test(ch)
  }
}

/** a character both tokens (neither a star) accept */
const commonChar = (a: CharToken, b: CharToken): string | undefined => {
  if (a.kind === "lit") return accepts(b, a.ch) ? a.ch : undefined
  if (b.kind === "lit") return accepts(a, b.ch) ? b.ch : undefined
  return ALPHABET.find((ch) => accepts(a, ch) && accepts(b, ch))
}

/** a non-empty string matched by both token sequences (one path segment), or undefined */
const segmentIntersection = (a: ReadonlyArray<CharToken>, b: ReadonlyArray<CharToken>): string | undefined => {
  const memo = new Map<number, string | null>()
  const go = (i: number, j: number, nonEmpty: boolean): string | null => {
    if (i === a.length && j === b.length) return nonEmpty ? "" : null
    const key = (i * (b.length + 1) + j) * 2 + (nonEmpty ? 1 : 0)
    const seen = memo.get(key)
    if (seen !== undefined) return seen
    memo.set(key, null)
    const ta = a[i]
    const tb = b[j]
    const tryMove = (): string | null => {
      // two stars first take one character together: witnesses read `x.ts`, not `.ts`
      if (ta?.kind === "star" && tb?.kind === "star" && !nonEmpty) {
        const r = go(i, j, true)
        if (r !== null) return `x${r}`
      }
      if (ta?.kind === "star") {
        const r = go(i + 1, j, nonEmpty)
        if (r !== null) return r
      }
      if (tb?.kind === "star") {
        const r = go(i, j + 1, nonEmpty)
        if (r !== null) return r
      }
      if (ta === undefined || tb === undefined) return null
      if (ta.kind === "star" && tb.kind === "star") return null
      if (ta.kind === "star") {
        const c = commonChar({ kind: "any" }, tb)
        const r = c === undefined ? null : go(i, j + 1, true)
        return r === null ? null : `${c}${r}`
      }
      if (tb.kind === "star") {
        const c = commonChar(ta, { kind: "any" })
        const r = c === undefined ? null : go(i + 1, j, true)
        return r === null ? null : `${c}${r}`
      }
      const c = commonChar(ta, tb)
      const r = c === undefined ? null : go(i + 1, j + 1, true)
      return r === null ? null : `${c}${r}`
    }
    const result = tryMove()
    memo.set(key, result)
    return result
  }
  return go(0, 0, false) ?? undefined
}

const anySegment = plainSegment("*")

/** segment intersections by the two segments' texts (the same pairs come back across a task file) */
const segmentPairs = new Map<string, Map<string, string | null>>()
let segmentPairsSize = 0
const segmentsMeet = (a: Segment & { readonly kind: "seg" }, b: Segment & { readonly kind: "seg" }): string | undefined => {
  // two names: equal or not, nothing to search
  if (a.literal !== undefined && b.literal !== undefined) return a.literal === b.literal && a.literal.length > 0 ? a.literal : undefined
  let row = segmentPairs.get(a.text)
  if (row === undefined) {
    if (segmentPairsSize >= CACHE_LIMIT) {
      segmentPairs.clear()
      segmentPairsSize = 0
    }
    row = new Map()
    segmentPairs.set(a.text, row)
  }
  let meet = row.get(b.text)
  if (meet === undefined) {
    meet = segmentIntersection(a.tokens, b.tokens) ?? null
    row.set(b.text, meet)
    segmentPairsSize++
  }
  return meet ?? undefined
}

/** the segments of a path matched by both segment sequences, or undefined */
const pathIntersection = (a: ReadonlyArray<Segment>, b: ReadonlyArray<Segment>): ReadonlyArray<string> | undefined => {
  const memo = new Map<number, ReadonlyArray<string> | null>()
  const go = (i: number, j: number): ReadonlyArray<string> | null => {
    if (i === a.length && j === b.length) return []
    const key = i * (b.length + 1) + j
    const seen = memo.get(key)
    if (seen !== undefined) return seen
    memo.set(key, null)
    const sa = a[i]
    const sb = b[j]
    const step = (segment: string | undefined, ni: number, nj: number) => {
      if (segment === undefined) return null
      const rest = go(ni, nj)
      return rest === null ? null : [segment, ...rest]
    }
    const tryMove = (): ReadonlyArray<string> | null => {
      if (sa?.kind === "globstar") {
        const r = go(i + 1, j)
        if (r !== null) return r
      }
      if (sb?.kind === "globstar") {
        const r = go(i, j + 1)
        if (r !== null) return r
      }
      if (sa === undefined || sb === undefined) return null
      if (sa.kind === "globstar" && sb.kind === "seg") return step(segmentsMeet(anySegment, sb), i, j + 1)
      if (sb.kind === "globstar" && sa.kind === "seg") return step(segmentsMeet(sa, anySegment), i + 1, j)
      if (sa.kind === "seg" && sb.kind === "seg") return step(segmentsMeet(sa, sb), i + 1, j + 1)
      return null
    }
    const result = tryMove()
    memo.set(key, result)
    return result
  }
  return go(0, 0) ?? undefined
}

/** a leading `!` (negation) claims everything, so does a pattern with too many brace alternatives */
const alternatives = (pattern: string): ReadonlyArray<string> => {
  if (pattern.startsWith("!")) return ["**"]
  const expanded = expandBraces(pattern)
  return expanded.length > MAX_ALTERNATIVES ? ["**"] : expanded
}

const segmentsCache = new Map<string, ReadonlyArray<ReadonlyArray<Segment>>>()
const segmentsOf = (glob: string) => cached(segmentsCache, glob, (g) => alternatives(g).map(toSegments))

/** two segment lists that each end with a plain segment: the path's last segment must be matched by both */
const lastSegmentsMeet = (x: ReadonlyArray<Segment>, y: ReadonlyArray<Segment>): boolean => {
  const a = x[x.length - 1]
  const b = y[y.length - 1]
  return a?.kind !== "seg" || b?.kind !== "seg" || segmentsMeet(a, b) !== undefined
}

const globsOverlap = (a: string, b: string): string | undefined => {
  for (const x of segmentsOf(a)) {
    for (const y of segmentsOf(b)) {
      // a quick no (`**/*.md` and `src/**/*.ts`) before the search through the segments
      if (!lastSegmentsMeet(x, y)) continue
      const witness = pathIntersection(x, y)
      if (witness !== undefined) return witness.length === 0 ? "x" : witness.join("/")
    }
  }
  return undefined
}

const matcherCache = new Map<string, (path: string) => boolean>()
const matcher = (glob: string) => cached(matcherCache, glob, (g) => picomatch(g, { dot: true }))

/** characters that make a segment something else than a literal name, in any of the syntaxes read here */
const SPECIAL = /[*?[\]{}()!+@\\]/

/**
 * The static base of a pattern: its leading segments that are literal names (before the first segment with a glob
 * character, an escape, a brace, `.` or `..`); all of a plain path's segments. Every path the pattern can name starts
 * with these segments, so two patterns can only overlap when the base of one is a prefix of the other's
 * (`src/auth` and `src/auth/login.ts`, or `src` and anything under it). A leading `!` has the empty base: it claims
 * everything. Conservative on purpose: a shorter base than the true one only costs an exact check more.
 */
export const staticBase = (pattern: string): ReadonlyArray<string> => {
  const p = normalizePattern(pattern)
  if (p.startsWith("!")) return []
  const base: Array<string> = []
  for (const segment of p.split("/")) {
    if (segment.length === 0) continue
    if (segment === "." || segment === ".." || SPECIAL.test(segment)) break
    base.push(segment)
  }
  return base
}

/** picomatch's match, where a trailing `/**` also claims the directory itself */
const globClaims = (glob: string, path: string): boolean =>
  matcher(glob)(path) || (glob.endsWith("/**") && globClaims(glob.slice(0, -3), path))

/**
 * A path that both patterns can name, or undefined when they are disjoint. See the module comment for the rule.
 */
export const patternsOverlap = (first: string, second: string): string | undefined => {
  const { glob: aGlob, path: aPath, pattern: a } = readPattern(first)
  const { glob: bGlob, path: bPath, pattern: b } = readPattern(second)
  if (a.length === 0 || b.length === 0) return undefined
  if (!aGlob && !bGlob) return aPath === bPath ? aPath : undefined
  if (!aGlob) return globClaims(b, aPath) ? aPath : undefined
  if (!bGlob) return globClaims(a, bPath) ? bPath : undefined
  return globsOverlap(a, b)
}

/** a pattern normalized, whether it is a glob, and the path it names when it is not */
const readCache = new Map<string, { readonly pattern: string; readonly glob: boolean; readonly path: string }>()
const readPattern = (raw: string) =>
  cached(readCache, raw, () => {
    const pattern = normalizePattern(raw)
    return { pattern, glob: pattern.length > 0 && picomatch.scan(pattern).isGlob, path: unescape(pattern) }
  })
