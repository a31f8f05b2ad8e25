import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { formatParseError } from "../../lib/schemaErrors"
import type { TokenUsage } from "../../domain/execution"

/** `usage` of a `claude -p` result: the main agent's requests only (sub-agents are counted in `modelUsage`). */
export const ClaudeResultUsage = Schema.Struct({
  input_tokens: Schema.Number,
  output_tokens: Schema.Number,
  cache_read_input_tokens: Schema.optionalWith(Schema.Number, { default: () => 0 }),
  cache_creation_input_tokens: Schema.optionalWith(Schema.Number, { default: () => 0 })
})

/** One entry of `modelUsage`: every request made with that model, sub-agents included. */
export const ClaudeModelUsage = Schema.Struct({
  inputTokens: Schema.Number,
  outputTokens: Schema.Number,
  cacheReadInputTokens: Schema.optionalWith(Schema.Number, { default: () => 0 }),
  cacheCreationInputTokens: Schema.optionalWith(Schema.Number, { default: () => 0 }),
  costUSD: Schema.optional(Schema.Number)
})

/**
 * The `result` message Claude Code prints last (2.1.330). API failures still have subtype "success" but
 * `is_error: true`, `api_error_status` and the error text in `result`; error subtypes may have no `result`.
 */
export const ClaudeResultMessage = Schema.Struct({
  type: Schema.Literal("result"),
  subtype: Schema.String,
  is_error: Schema.Boolean,
  result: Schema.optionalWith(Schema.String, { default: () => "" }),
  session_id: Schema.String,
  duration_ms: Schema.Number,
  num_turns: Schema.optional(Schema.Number),
  total_cost_usd: Schema.Number,
  usage: ClaudeResultUsage,
  modelUsage: Schema.optionalWith(Schema.Record({ key: Schema.String, value: ClaudeModelUsage }), { default: () => ({}) }),
  api_error_status: Schema.optional(Schema.NullOr(Schema.Number))
})
export type ClaudeResultMessage = typeof ClaudeResultMessage.Type

const decodeResult = Schema.decodeUnknownEither(ClaudeResultMessage, { onExcessProperty: "ignore", errors: "first" })

const isResult = (value: unknown): boolean =>
  value !== null && typeof value === "object" && "type" in value && value.type === "result"

/**
 * Decode what `claude -p --output-format json` printed: one result object, or (with `--verbose`) an array of
 * every message with the result last. Left is a one-line reason.
 */
export const decodeClaudeJson = (stdout: string): Either.Either<ClaudeResultMessage, string> => {
  let parsed: unknown
  try {
    parsed = JSON.parse(stdout)
  } catch (error) {
    return Either.left(`not valid JSON (${(error as Error).message})`)
  }
  const result: unknown = Array.isArray(parsed) ? [...parsed].reverse().find(isResult) : parsed
  if (result === undefined) return Either.left("no result message in the JSON array")
  return decodeResult(result).pipe(Either.mapLeft((error) => formatParseError("result", result, error)))
}

/** Tokens of every model used, sub-agents included; the main agent's `usage` when `modelUsage` is empty. */
export const tokensOf = (message: ClaudeResultMessage): TokenUsage => {
  const models = Object.values(message.modelUsage)
  if (models.length === 0) {
    const u = message.usage
    return { input: u.input_tokens, output: u.output_tokens, reasoning: 0, cacheRead: u.cache_read_input_tokens, cacheWrite: u.cache_creation_input_tokens }
  }
  return models.reduce<TokenUsage>(
    (sum, m) => ({
      input: sum.input + m.inputTokens,
      output: sum.output + m.outputTokens,
      reasoning: 0,
      cacheRead: sum.cacheRead + m.cacheReadInputTokens,
      cacheWrite: sum.cacheWrite + m.cacheCreationInputTokens
    }),
    { input: 0, output: 0, reasoning: 0, cacheRead: 0, cacheWrite: 0 }
  )
}

/** The main agent's model: the first key of `modelUsage` (the first request is the main agent's). */
export const mainModelOf = (message: ClaudeResultMessage): string | undefined => Object.keys(message.modelUsage)[0]
