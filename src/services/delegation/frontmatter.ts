import * as Either from "effect/Either"
import { parse as parseYaml } from "yaml"

/**
 * Markdown frontmatter the way Claude Code 2.1.330 reads it (read from its binary): the block between a first line
 * `---` and the next `---`, parsed as YAML (Claude Code uses `Bun.YAML.parse`; here the `yaml` package, also YAML
 * 1.2). When the block does not parse, Claude Code tries once more with plain values that hold YAML syntax
 * characters (`description: use when: x`) quoted and leading tabs turned into spaces; so does this.
 */

export interface Frontmatter {
  /** the YAML mapping; empty when there is no frontmatter or it is not a mapping */
  readonly fields: Readonly<Record<string, unknown>>
  /** everything after the frontmatter */
  readonly body: string
}

// Claude Code's own pattern: the block ends at the first `---` after the opening line
const BLOCK = /^---\s*\n([\s\S]*?)---\s*\n?/
// values Claude Code quotes before its second try
const NEEDS_QUOTES = /[{}[\]*&#!|>%@`]|: /

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value)

const tryParse = (text: string): Either.Either<unknown, string> =>
  Either.try({
    try: (): unknown => parseYaml(text, { prettyErrors: false, uniqueKeys: false }),
    catch: (error) => (error instanceof Error ? error.message : String(error)).split("\n")[0]!
  })

/** Claude Code's second try: quote `key: value` lines whose plain value holds YAML syntax. */
const quoteValues = (text: string): string =>
  text
    .split("\n")
    .map((line) => {
      const match = /^([a-zA-Z_-]+):\s+(\S.*)$/.exec(line)
      if (match === null) return line
      const key = match[1]!
      const value = match[2]!
      if ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'"))) return line
      if (value.startsWith("[") && value.endsWith("]") && Either.getOrElse(Either.map(tryParse(value), Array.isArray), () => false)) {
        return line
      }
      if (!NEEDS_QUOTES.test(value)) return line
      return `${key}: "${value.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`
    })
    .join("\n")
    .replace(/^\t+/gm, (tabs) => "  ".repeat(tabs.length))

/** Split and parse; Left is a one-line reason (the YAML error) when the block is there but is not YAML. */
export const parseFrontmatter = (text: string): Either.Either<Frontmatter, string> => {
  const normalized = text.replace(/^\uFEFF/, "").replace(/\r\n/g, "\n")
  const match = normalized.indexOf("---", 3) < 0 ? null : BLOCK.exec(normalized)
  if (match === null) return Either.right({ fields: {}, body: normalized })
  const block = match[1] ?? ""
  const body = normalized.slice(match[0].length)
  const parsed = Either.orElse(tryParse(block), (first) =>
    Either.mapLeft(tryParse(quoteValues(block)), () => `the frontmatter is not valid YAML (${first})`))
  return Either.map(parsed, (value) => ({ fields: isRecord(value) ? value : {}, body }))
}
