import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as fs from "node:fs"
import * as path from "node:path"

// Redaction of secrets in text that is about to leave the machine (a prompt, a system text). It only transforms the
// strings it is given: files on disk are never touched.
//
// What it finds (the kinds, which name the placeholders):
//   - provider API keys and tokens by their documented formats (BUILTIN_PATTERNS below: OpenAI, Anthropic, Google,
//     AWS, Azure, GitHub, GitLab, Slack, Stripe, npm, JWTs, PEM private keys, passwords in URLs, ...);
//   - a few context rules: an AWS secret access key after its key name or within 256 characters of an access key id,
//     Azure connection-string keys and SAS signatures, and a value assigned to a name like `password` / `api_key` /
//     `token` that looks like a secret (letters and digits, not code, not a placeholder);
//   - the caller's own patterns (`extraPatterns`, regex sources from configuration) and literal values
//     (`literalSecrets`, e.g. the values of the project's .env files: `readEnvSecrets`).
//
// Each secret becomes `[REDACTED:<kind>]`; a second distinct secret of the same kind in one text `[REDACTED:<kind>:2]`,
// and so on, so the same secret always gets the same placeholder within one call and different ones stay apart.
// Overlapping matches are merged into one span (their union), so no part of either is left; the merged span is named
// after its most specific match (a literal secret, then a provider format, then a context rule). Text that is
// already a placeholder is never matched again: redacting twice changes nothing more.
//
// Deliberately not flagged: git SHAs and other bare hex strings, UUIDs, base64 blobs (images, hashes), publishable
// keys (Stripe `pk_`), AWS's documentation example keys (`...EXAMPLE`, `...EXAMPLEKEY`), and, assigned to
// `password`-like names, code (identifiers, member expressions, calls) and stand-ins (`${VAR}`, `<token>`, `your-key`,
// `changeme`, values saying "example"). A bare 32-hex key (Azure OpenAI, Mailgun...) has no format to recognise: it is
// caught only by its assignment or as a .env value. JWTs are flagged: they are bearer credentials.
//
// Why our own patterns and not a secret-scanning library (secretlint and others): bench/README.md, `redact`.

/** A pattern given by configuration: a JavaScript regex source; a named group `secret` limits what is replaced. */
export interface SecretPattern {
  readonly name: string
  readonly pattern: string
  /** extra regex flags among `i`, `m`, `s`, `u` (`g`, and `d` when needed, are added) */
  readonly flags?: string
}

/** A value to redact wherever it appears, e.g. `{ name: "env:DATABASE_URL", value: "postgres://..." }`. */
export interface LiteralSecret {
  readonly name: string
  readonly value: string
}

export interface RedactorOptions {
  readonly extraPatterns?: ReadonlyArray<SecretPattern>
  readonly literalSecrets?: ReadonlyArray<LiteralSecret>
  /** built-in kinds to turn off, e.g. `["jwt", "generic-secret"]` */
  readonly disabledKinds?: ReadonlyArray<string>
}

export interface Finding {
  readonly kind: string
  /** occurrences replaced */
  readonly count: number
}

export interface Redacted {
  readonly text: string
  /** one entry per kind found, sorted by kind; empty when nothing was redacted */
  readonly findings: ReadonlyArray<Finding>
}

/** Redacts one text; synchronous and pure (the same text gives the same result). */
export type Redactor = (text: string) => Redacted

/** A configured pattern that cannot be used: not a valid regex, an empty match, or a name unfit for a placeholder. */
export class InvalidSecretPattern extends Data.TaggedError("InvalidSecretPattern")<{
  readonly name: string
  readonly pattern: string
  readonly reason: string
}> {
  override get message() {
    return `secret pattern "${this.name}" (${this.pattern}): ${this.reason}`
  }
}

/** A .env file that exists but cannot be read. */
export class EnvFileUnreadable extends Data.TaggedError("EnvFileUnreadable")<{
  readonly file: string
  readonly reason: string
}> {
  override get message() {
    return `cannot read ${this.file}: ${this.reason}`
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Built-in patterns

/** How specific a match is, to name a merged span: a literal secret beats a provider format beats a context rule. */
const Rank = { Context: 0, Format: 1, Literal: 2 } as const
type Rank = typeof Rank[keyof typeof Rank]

interface Detector {
  readonly kind: string
  /** false: the text cannot hold a match, skip the regex */
  readonly gate?: (text: string) => boolean
  /** where to look (sorted, disjoint `[from, to)` ranges a match must start in); none: everywhere */
  readonly windows?: (text: string) => ReadonlyArray<readonly [number, number]>
  readonly regex: RegExp
  /** the regex has a `secret` group: only that part is replaced */
  readonly group: boolean
  readonly rank: Rank
  /** a second look at a candidate (the secret part) before it counts */
  readonly accept?: (secret: string) => boolean
}

interface BuiltinPattern {
  readonly kind: string
  readonly source: string
  readonly flags?: string
  readonly rank?: Rank
  readonly accept?: Detector["accept"]
  /**
   * for a pattern that costs more than a plain search (no literal start, or ignoring case): strings one of which every
   * match contains; a text holding none of them is not scanned with it. (A pattern that starts with a literal, like
   * `ghp_`, is searched as fast as its literal would be: it needs none.)
   */
  readonly hints?: ReadonlyArray<string>
  readonly windows?: Detector["windows"]
}

// token boundaries: a token is not part of a longer run of its own characters
const B = "(?<![A-Za-z0-9_-])"
const E = "(?![A-Za-z0-9_-])"

const AWS_KEY_ID = "(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16}"
const awsKeyIds = new RegExp(`(?<![A-Za-z0-9])${AWS_KEY_ID}(?![A-Za-z0-9])`, "g")

/** the ranges within `distance` characters of the matches of a global regex, merged */
const around = (text: string, regex: RegExp, distance: number): Array<[number, number]> => {
  const ranges: Array<[number, number]> = []
  for (const m of text.matchAll(regex)) {
    const from = Math.max(0, m.index! - distance)
    const to = Math.min(text.length, m.index! + m[0].length + distance)
    const last = ranges[ranges.length - 1]
    if (last !== undefined && from <= last[1]) last[1] = Math.max(last[1], to)
    else ranges.push([from, to])
  }
  return ranges
}

/** letters of both cases and a digit or a base64 symbol: what 40 random base64 characters look like (not a git SHA) */
const looksLikeBase64Secret = (s: string) => /[A-Z]/.test(s) && /[a-z]/.test(s) && /[0-9+/]/.test(s)

/** AWS's documentation example secret (wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY) and its like */
const notAwsExample = (s: string) => !s.endsWith("EXAMPLEKEY")

const PLACEHOLDER_VALUE = /^(?:\$\{.*\}|\$[A-Za-z_]\w*|\{\{.*\}\}|<[^>]*>|%[sd]|\*+|x+|\.+)$|your[_-]|example|changeme|placeholder|dummy|redacted|xxxx/i

/** a quoted value assigned to a secret-like name that is worth redacting: letters and digits, not a placeholder */
const looksLikeQuotedSecret = (s: string) => s.length >= 8 && /[A-Za-z]/.test(s) && /[0-9]/.test(s) && !PLACEHOLDER_VALUE.test(s)

/**
 * the same for an unquoted value, which may also be code (`next_token = page[-1].id`, `token = token2`): no code
 * punctuation, not a member expression, and a bare identifier only when it is long enough to be random
 */
const looksLikeUnquotedSecret = (s: string) =>
  looksLikeQuotedSecret(s) &&
  !/[()[\]{},;<>]/.test(s) &&
  !/^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/.test(s) &&
  (s.length >= 16 || !/^[A-Za-z_$][\w$]*$/.test(s))

/** at least 64 base64 characters between the BEGIN and END lines: a key, not a mention of the header */
const hasKeyBody = (block: string) =>
  (block.replace(/-----[A-Z0-9 ]+-----/g, "").replace(/\\[nr]/g, "").match(/[A-Za-z0-9+/]/g)?.length ?? 0) >= 64

const SECRET_HINTS = ["pass", "pwd", "secret", "key", "token", "credential"]
// a name ending in a secret word (`api_key`, `DB_PASSWORD`, `clientSecret`, `SECRET_KEY_BASE`), not merely holding one
// (`tokenizer`, `password_hash`, `token_type`)
const SECRET_WORD = "(?:passw(?:or)?d|passphrase|pwd|secret|api[_-]?key|token|access[_-]?key|private[_-]?key|credentials?)"
// (each step takes a word or one digit, at most 8 steps: `\d+` in a repeated group backtracks exponentially)
const SECRET_SUFFIX = "(?:[_.-]?(?:key|value|base|b64|hex|raw|\\d)){0,8}"
const SECRET_NAME = `${SECRET_WORD}${SECRET_SUFFIX}`

export const BUILTIN_PATTERNS: ReadonlyArray<BuiltinPattern> = [
  // PEM private keys (RSA, EC, DSA, OPENSSH, ENCRYPTED, PGP ... BLOCK), also JSON-escaped (GCP service-account files);
  // a block cut short (no END line) is redacted to the end of its body. (The body stops at the next `-----`: searching
  // the END line past another BEGIN would make many BEGIN lines quadratic.)
  {
    kind: "private-key",
    source:
      "-----BEGIN[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----(?:(?:(?!-----)[\\s\\S]){0,16000}-----END[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----" +
      // no END line: the lines that follow while they are base64 or `Header: value` lines (a blank line ends it)
      "|(?:(?:\\r?\\n|\\\\[nr])[ \\t]*(?:[A-Za-z0-9+/=]+|[A-Za-z-]+:[^\\r\\n\\\\]*))*)",
    accept: hasKeyBody
  },
  // AI providers
  { kind: "anthropic-api-key", source: `${B}sk-ant-api\\d{2}-[A-Za-z0-9_-]{20,}${E}` },
  { kind: "anthropic-admin-key", source: `${B}sk-ant-admin\\d{2}-[A-Za-z0-9_-]{20,}${E}` },
  { kind: "anthropic-oauth-token", source: `${B}sk-ant-(?:oat|ort|sid)\\d{2}-[A-Za-z0-9_-]{20,}${E}` },
  {
    kind: "openai-api-key",
    source: `${B}(?:sk-(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{20,}|sk-[A-Za-z0-9_-]{0,200}T3BlbkFJ[A-Za-z0-9_-]{0,200})${E}`
  },
  { kind: "openrouter-api-key", source: `${B}sk-or-v\\d-[A-Za-z0-9]{32,}${E}` },
  // OpenAI-style keys of other providers (DeepSeek, Moonshot...): sk- and 32 or more letters and digits
  { kind: "sk-api-key", source: `${B}sk-(?!ant-|or-v)[A-Za-z0-9]{32,}${E}` },
  { kind: "google-api-key", source: `${B}AIza[A-Za-z0-9_-]{35}${E}` },
  { kind: "google-oauth-client-secret", source: `${B}GOCSPX-[A-Za-z0-9_-]{28}${E}` },
  { kind: "google-oauth-token", source: `${B}ya29\\.[A-Za-z0-9_-]{20,}${E}` },
  { kind: "huggingface-token", source: `${B}hf_[A-Za-z0-9]{34,}${E}` },
  { kind: "groq-api-key", source: `${B}gsk_[A-Za-z0-9]{48,}${E}` },
  { kind: "xai-api-key", source: `${B}xai-[A-Za-z0-9]{70,}${E}` },
  { kind: "perplexity-api-key", source: `${B}pplx-[A-Za-z0-9]{40,}${E}` },
  { kind: "replicate-api-token", source: `${B}r8_[A-Za-z0-9]{37}${E}` },
  // cloud
  {
    kind: "aws-access-key-id",
    source: `(?<![A-Za-z0-9])${AWS_KEY_ID}(?![A-Za-z0-9])`,
    // AWS's documentation example (AKIAIOSFODNN7EXAMPLE) and its like are not keys
    accept: (id) => !id.endsWith("EXAMPLE")
  },
  {
    kind: "aws-secret-access-key",
    source: "(?:(?:aws_?)?secret_?access_?key|aws_?secret(?:_?key)?)".replace(/_\?/g, "[_-]?") +
      `["'\`]?\\s*(?:=>|:=|=|:)\\s*["'\`]?(?<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])`,
    flags: "i",
    accept: notAwsExample
  },
  {
    // 40 base64 characters near an access key id (credentials CSV, JSON, a pasted pair)
    kind: "aws-secret-access-key",
    source: "(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])",
    rank: Rank.Context,
    accept: (secret) => looksLikeBase64Secret(secret) && notAwsExample(secret),
    windows: (text) => around(text, awsKeyIds, 256)
  },
  {
    kind: "azure-storage-key",
    source: "(?:AccountKey|SharedAccessKey|AccessKey|PrimaryKey|SecondaryKey)\\s*=\\s*(?<secret>[A-Za-z0-9+/]{40,88}={0,2})"
  },
  { kind: "azure-sas-signature", source: "[?&;]sig=(?<secret>[A-Za-z0-9%+/=]{20,})", rank: Rank.Context },
  { kind: "azure-client-secret", source: "(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.-]{3}\\dQ~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])" },
  { kind: "digitalocean-token", source: `${B}do[opr]_v1_[a-f0-9]{64}${E}` },
  { kind: "hashicorp-vault-token", source: `${B}hv[sbr]\\.[A-Za-z0-9_-]{24,}${E}` },
  { kind: "databricks-token", source: `${B}dapi[a-f0-9]{32}(?:-\\d)?${E}` },
  // code hosting and registries
  {
    kind: "github-token",
    source: `${B}(?:(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,255}|ghs_\\d+_[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+|github_pat_[A-Za-z0-9_]{22,255})${E}`
  },
  {
    kind: "gitlab-token",
    source: `${B}(?:gl(?:pat|dt|ptt|rt|soat|cbt|oas|imt|ft|agent|ffct|wt)-[A-Za-z0-9_-]{20,}|GR1348941[A-Za-z0-9_-]{20,})${E}`
  },
  { kind: "npm-token", source: `${B}npm_[A-Za-z0-9]{36}${E}` },
  // .npmrc: `_authToken=...`, `//registry.example/:_auth=...`
  { kind: "npm-token", source: "_auth(?:Token)?(?<=(?:^[ \\t]*|:)_auth(?:Token)?)[ \\t]*=[ \\t]*(?<secret>[^\\s\"'$][^\\s\"']{7,})", flags: "m" },
  { kind: "pypi-token", source: `${B}pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}${E}` },
  { kind: "docker-hub-token", source: `${B}dckr_pat_[A-Za-z0-9_-]{27,}${E}` },
  // messaging, payments, SaaS
  // (a digit after the prefix, as in every Slack token: `xoxo-hugs-and-kisses` is not one)
  { kind: "slack-token", source: `${B}(?:xox[abposre](?:\\.xox[bp])?-\\d[A-Za-z0-9-]{9,250}|xapp-\\d-[A-Za-z0-9-]{10,250})${E}` },
  { kind: "slack-webhook-url", source: "https://hooks\\.slack\\.com/(?:services|workflows|triggers)/[A-Za-z0-9/_+-]{20,}" },
  { kind: "discord-webhook-url", source: "https://(?:ptb\\.|canary\\.)?discord(?:app)?\\.com/api/webhooks/\\d+/[A-Za-z0-9_-]{20,}" },
  { kind: "stripe-secret-key", source: `${B}(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,247}${E}` },
  { kind: "stripe-webhook-secret", source: `${B}whsec_[A-Za-z0-9+/=]{32,}${E}` },
  { kind: "sendgrid-api-key", source: `${B}SG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}${E}` },
  { kind: "shopify-token", source: `${B}shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}${E}` },
  { kind: "linear-api-key", source: `${B}lin_api_[A-Za-z0-9]{40}${E}` },
  { kind: "notion-token", source: `${B}ntn_\\d{11}[A-Za-z0-9]{35}${E}` },
  // JSON Web Tokens (signed): bearer credentials
  { kind: "jwt", source: `${B}eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]*${E}` },
  // the password of a URL's user info: scheme://user:PASSWORD@host (database URLs, Git remotes, proxies)
  {
    kind: "url-password",
    // (found from its `://`, the scheme checked behind it: cheaper than trying a scheme at every word)
    source: "://(?<=\\b[A-Za-z][A-Za-z0-9+.-]{1,30}://)[^\\s:/?#@'\"<>\\[\\]]{0,256}:(?<secret>[^\\s/?#'\"<>]{1,256})@(?=[^\\s/?#@'\"<>])",
    rank: Rank.Context,
    // not a template or a stand-in (`${DB_PASSWORD}`, `<password>`, `PASSWORD`, `secret`)
    accept: (secret) => !PLACEHOLDER_VALUE.test(secret) && !/^(?:pass(?:word)?|passwd|pwd|secret|pass(?:word)?\d?)$/i.test(secret),
    hints: ["://"]
  },
  // credentials in HTTP headers (curl commands, logs): `Authorization: Bearer ...`, `x-api-key: ...`
  {
    kind: "authorization-header",
    source: "(?:authorization[\"']?\\s*:\\s*[\"']?(?:bearer|basic|token|bot)\\s+|(?:x-)?api-key[\"']?\\s*:\\s*[\"']?|x-auth-token[\"']?\\s*:\\s*[\"']?)(?<secret>[A-Za-z0-9._~+/=-]{16,})",
    flags: "i",
    rank: Rank.Context,
    accept: (secret) => !PLACEHOLDER_VALUE.test(secret)
  },
  // a value assigned to a secret-like name: `apiKey: "..."`, `"password": "..."`, `DB_PASSWORD=...`, `token = '...'`
  {
    kind: "generic-secret",
    // (found from its secret word: what comes before it in the name does not matter)
    source: `${SECRET_NAME}["'\`]?\\s*(?:=>|:=|=|:)\\s*(?<q>["'\`])(?<secret>[^"'\`\\s]{8,256})\\k<q>`,
    flags: "i",
    rank: Rank.Context,
    accept: looksLikeQuotedSecret,
    hints: SECRET_HINTS
  },
  {
    kind: "generic-secret",
    // (found from its secret word, the start of its line checked behind it)
    source: `${SECRET_WORD}(?<=^[ \\t]*(?:export[ \\t]+)?[A-Za-z0-9_.-]{0,40}${SECRET_WORD})${SECRET_SUFFIX}[ \\t]*[=:][ \\t]*(?<secret>[^\\s"'\`#]{8,256})[ \\t]*$`,
    flags: "im",
    rank: Rank.Context,
    accept: looksLikeUnquotedSecret,
    hints: SECRET_HINTS
  }
]

/** every kind the built-in patterns can report */
export const BUILTIN_KINDS: ReadonlyArray<string> = [...new Set(BUILTIN_PATTERNS.map((p) => p.kind))]

// ---------------------------------------------------------------------------------------------------------------
// The redactor

const PLACEHOLDER = /\[REDACTED:[A-Za-z0-9_.:-]{1,200}\]/g
const NAME = /^[A-Za-z0-9_.:-]{1,100}$/
const FLAGS = /^[imsu]*$/
/** literal secrets shorter than this are ignored: they would match ordinary text */
export const MIN_LITERAL_LENGTH = 4

const hasSecretGroup = (source: string) => /\(\?<secret>/.test(source)

const compile = (pattern: SecretPattern): Either.Either<Detector, InvalidSecretPattern> => {
  const fail = (reason: string) => Either.left(new InvalidSecretPattern({ name: pattern.name, pattern: pattern.pattern, reason }))
  if (!NAME.test(pattern.name)) return fail("the name must be 1-100 letters, digits, '_', '.', ':' or '-'")
  const flags = pattern.flags ?? ""
  if (!FLAGS.test(flags)) return fail(`unsupported flags "${flags}" (allowed: i, m, s, u)`)
  const group = hasSecretGroup(pattern.pattern)
  let regex: RegExp
  try {
    regex = new RegExp(pattern.pattern, `g${group ? "d" : ""}${flags}`)
  } catch (error) {
    return fail(`not a valid regular expression (${(error as Error).message})`)
  }
  if (new RegExp(regex.source, flags).test("")) return fail("matches the empty string")
  return Either.right({ kind: pattern.name, regex, group, rank: Rank.Format })
}

const builtinDetector = (p: BuiltinPattern): Detector => {
  const group = hasSecretGroup(p.source)
  const hints = p.hints === undefined
    ? undefined
    : new RegExp(p.hints.map((h) => h.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), (p.flags ?? "").includes("i") ? "i" : "")
  const gate: Detector["gate"] = hints === undefined ? undefined : (text) => hints.test(text)
  return {
    kind: p.kind,
    regex: new RegExp(p.source, `g${group ? "d" : ""}${p.flags ?? ""}`),
    group,
    rank: p.rank ?? Rank.Format,
    ...(p.accept ? { accept: p.accept } : {}),
    ...(gate ? { gate } : {}),
    ...(p.windows ? { windows: p.windows } : {})
  }
}

// compiled once per process: a regex's first runs compile it, which costs more than a scan
let builtins: ReadonlyArray<Detector> | undefined
const builtinDetectors = () => (builtins ??= BUILTIN_PATTERNS.map(builtinDetector))

interface Span {
  start: number
  end: number
  kind: string
  rank: Rank
}

/** the forms a literal takes in text: as is, and JSON-escaped (newlines as \n, quotes as \") when that differs */
const literalForms = (value: string): ReadonlyArray<string> => {
  const escaped = JSON.stringify(value).slice(1, -1)
  return escaped === value ? [value] : [value, escaped]
}

/**
 * Make a redactor from the built-in patterns, configured patterns and literal secrets. A configured pattern that
 * cannot be used is the error, naming it; nothing is thrown.
 */
export const makeRedactor = (options: RedactorOptions = {}): Either.Either<Redactor, InvalidSecretPattern> => {
  const disabled = new Set(options.disabledKinds ?? [])
  const detectors: Array<Detector> = builtinDetectors().filter((d) => !disabled.has(d.kind))
  for (const pattern of options.extraPatterns ?? []) {
    const compiled = compile(pattern)
    if (Either.isLeft(compiled)) return Either.left(compiled.left)
    detectors.push(compiled.right)
  }
  // one name per value (the first given); names unfit for a placeholder are made fit
  const literals = new Map<string, string>()
  for (const { name, value } of options.literalSecrets ?? []) {
    if (value.length < MIN_LITERAL_LENGTH) continue
    for (const form of literalForms(value)) {
      if (!literals.has(form)) literals.set(form, name.replace(/[^A-Za-z0-9_.:-]/g, "_").slice(0, 100) || "literal")
    }
  }
  return Either.right((text) => redactWith(text, detectors, literals))
}

const redactWith = (text: string, detectors: ReadonlyArray<Detector>, literals: ReadonlyMap<string, string>): Redacted => {
  // placeholders already in the text are left alone: no match may touch them
  const placeholders: Array<[number, number]> = []
  for (const m of text.matchAll(PLACEHOLDER)) placeholders.push([m.index!, m.index! + m[0].length])
  // (sorted and disjoint: the first one ending after `start` is the only one that can overlap)
  const touchesPlaceholder = (start: number, end: number) => {
    let lo = 0
    let hi = placeholders.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (placeholders[mid]![1] <= start) lo = mid + 1
      else hi = mid
    }
    return lo < placeholders.length && placeholders[lo]![0] < end
  }

  const spans: Array<Span> = []
  const add = (start: number, end: number, kind: string, rank: Rank) => {
    if (end > start && !touchesPlaceholder(start, end)) spans.push({ start, end, kind, rank })
  }
  for (const detector of detectors) {
    if (detector.gate !== undefined && !detector.gate(text)) continue
    const regex = detector.regex
    let resume = 0
    for (const [from, to] of detector.windows?.(text) ?? [[0, text.length] as const]) {
      regex.lastIndex = Math.max(from, resume)
      let m: RegExpExecArray | null
      while ((m = regex.exec(text)) !== null && m.index < to) {
        if (m[0].length === 0) regex.lastIndex++
        resume = regex.lastIndex
        if (m[0].length === 0) continue
        let start = m.index
        let end = m.index + m[0].length
        if (detector.group) {
          const range = m.indices?.groups?.["secret"]
          if (range === undefined) continue
          ;[start, end] = range
        }
        if (detector.accept === undefined || detector.accept(text.slice(start, end))) {
          add(start, end, detector.kind, detector.rank)
        }
      }
    }
  }
  for (const [value, name] of literals) {
    for (let at = text.indexOf(value); at !== -1; at = text.indexOf(value, at + value.length)) {
      add(at, at + value.length, name, Rank.Literal)
    }
  }
  if (spans.length === 0) return { text, findings: [] }

  // merge overlapping spans into their union, named after the most specific (then longest, then first) match
  spans.sort((a, b) => a.start - b.start || b.end - a.end)
  const merged: Array<Span> = []
  for (const span of spans) {
    const last = merged[merged.length - 1]
    if (last !== undefined && span.start < last.end) {
      const better = span.rank > last.rank || (span.rank === last.rank && span.end - span.start > last.end - last.start)
      if (better) last.kind = span.kind
      if (span.rank > last.rank) last.rank = span.rank
      last.end = Math.max(last.end, span.end)
    } else {
      merged.push({ ...span })
    }
  }

  // the same secret gets the same placeholder; the second distinct secret of a kind is `<kind>:2`, and so on
  const placeholderOf = new Map<string, string>()
  const distinct = new Map<string, number>()
  const counts = new Map<string, number>()
  let out = ""
  let cursor = 0
  for (const span of merged) {
    const secret = text.slice(span.start, span.end)
    const key = `${span.kind}\u0000${secret}`
    let placeholder = placeholderOf.get(key)
    if (placeholder === undefined) {
      const n = (distinct.get(span.kind) ?? 0) + 1
      distinct.set(span.kind, n)
      placeholder = n === 1 ? `[REDACTED:${span.kind}]` : `[REDACTED:${span.kind}:${n}]`
      placeholderOf.set(key, placeholder)
    }
    counts.set(span.kind, (counts.get(span.kind) ?? 0) + 1)
    out += text.slice(cursor, span.start) + placeholder
    cursor = span.end
  }
  out += text.slice(cursor)
  const findings = [...counts].map(([kind, count]) => ({ kind, count })).sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0))
  return { text: out, findings }
}

// ---------------------------------------------------------------------------------------------------------------
// .env files

export interface EnvEntry {
  readonly key: string
  readonly value: string
}

/**
 * Parse the common subset of .env syntax: `KEY=value`, `export KEY=value`, `KEY: value`, `# comments`, inline
 * comments after an unquoted value (` #`), and single, double or backtick quotes (a quoted value may span lines;
 * in double quotes `\n`, `\r`, `\t`, `\"` and `\\` are unescaped). No variable expansion.
 */
export const parseEnv = (text: string): ReadonlyArray<EnvEntry> => {
  const entries: Array<EnvEntry> = []
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*(?:=|:(?=\s|$))\s*(.*)$/.exec(lines[i]!)
    if (m === null) continue
    const key = m[1]!
    let rest = m[2]!
    const quote = rest[0]
    if (quote === "'" || quote === '"' || quote === "`") {
      // find the closing quote, on this line or a later one
      let body = rest.slice(1)
      let close = closingQuote(body, quote)
      while (close === -1 && i + 1 < lines.length) {
        i++
        body += `\n${lines[i]}`
        close = closingQuote(body, quote)
      }
      const raw = close === -1 ? body : body.slice(0, close)
      const value = quote === '"'
        ? raw.replace(/\\([nrt"\\])/g, (_, c: string) => (c === "n" ? "\n" : c === "r" ? "\r" : c === "t" ? "\t" : c))
        : raw
      entries.push({ key, value })
    } else {
      const comment = rest.search(/(?:^|\s)#/)
      if (comment !== -1) rest = rest.slice(0, comment)
      entries.push({ key, value: rest.trim() })
    }
  }
  return entries
}

const closingQuote = (body: string, quote: string): number => {
  for (let j = 0; j < body.length; j++) {
    if (body[j] === "\\" && quote === '"') j++
    else if (body[j] === quote) return j
  }
  return -1
}

const TRIVIAL_WORD =
  /^(?:true|false|yes|no|on|off|null|nil|none|undefined|enabled|disabled|development|production|staging|testing|test|local|localhost|debug|info|warn|warning|error|trace|verbose|silent)$/i

/**
 * Whether a .env value is not worth redacting: shorter than `minLength`, a boolean or a common setting word
 * (`development`, `info`...), a number, a bare scheme://host[:port] URL, a path, or a reference to another variable.
 */
export const isTrivialEnvValue = (value: string, minLength = 8): boolean => {
  const v = value.trim()
  return (
    v.length < minLength ||
    TRIVIAL_WORD.test(v) ||
    /^[+-]?\d+(?:\.\d+)?$/.test(v) ||
    /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[A-Za-z0-9.-]+(?::\d+)?\/?$/.test(v) ||
    /^(?:~|\.{1,2})?\/[\w./-]*$/.test(v) ||
    /^\$\{?[A-Za-z_]\w*\}?$/.test(v)
  )
}

/** The secrets of one .env text: `{ name: "env:KEY", value }` for each value that is not trivial. */
export const envSecrets = (text: string, options?: { readonly minLength?: number }): ReadonlyArray<LiteralSecret> =>
  parseEnv(text)
    .filter((e) => !isTrivialEnvValue(e.value, options?.minLength))
    .map((e) => ({ name: `env:${e.key}`, value: e.value.trim() }))

/** `.env`, `.env.local`, `.env.<anything>`: the files of a directory whose values are redacted */
export const isEnvFileName = (name: string) => /^\.env(?:\..+)?$/.test(name)

/**
 * The secrets of the .env files of a directory (`.env`, `.env.local`, `.env.*`; not its subdirectories), `.env`
 * first and then by file name, each value once (under its first name). A missing directory has none; a file that
 * exists but cannot be read is the error.
 */
export const readEnvSecrets = (
  dir: string,
  options?: { readonly minLength?: number }
): Effect.Effect<ReadonlyArray<LiteralSecret>, EnvFileUnreadable> =>
  Effect.suspend(() => {
    let names: Array<string>
    try {
      names = fs.readdirSync(dir, { withFileTypes: true })
        .filter((e) => (e.isFile() || e.isSymbolicLink()) && isEnvFileName(e.name))
        .map((e) => e.name)
        .sort((a, b) => (a === ".env" ? -1 : b === ".env" ? 1 : a < b ? -1 : a > b ? 1 : 0))
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === "ENOENT" || code === "ENOTDIR") return Effect.succeed([])
      return Effect.fail(new EnvFileUnreadable({ file: dir, reason: (error as Error).message }))
    }
    const secrets: Array<LiteralSecret> = []
    const seen = new Set<string>()
    for (const name of names) {
      const file = path.join(dir, name)
      let text: string
      try {
        if (!fs.statSync(file).isFile()) continue
        text = fs.readFileSync(file, "utf8")
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") continue
        return Effect.fail(new EnvFileUnreadable({ file, reason: (error as Error).message }))
      }
      for (const secret of envSecrets(text, options)) {
        if (seen.has(secret.value)) continue
        seen.add(secret.value)
        secrets.push(secret)
      }
    }
    return Effect.succeed(secrets)
  })
