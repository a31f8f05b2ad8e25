import * as Schema from "effect/Schema"

export const TokenUsage = Schema.Struct({
  input: Schema.Number,
  output: Schema.Number,
  reasoning: Schema.Number,
  cacheRead: Schema.Number,
  cacheWrite: Schema.Number
})
export type TokenUsage = typeof TokenUsage.Type

export const zeroTokens: TokenUsage = { input: 0, output: 0, reasoning: 0, cacheRead: 0, cacheWrite: 0 }

export const totalTokens = (t: TokenUsage): number => t.input + t.output + t.reasoning + t.cacheRead + t.cacheWrite

/**
 * The result of one delegated call, the seed's `execute` shape plus what tracking needs.
 * `cost` is null when the model is not in the price table (unpriced).
 */
export const ExecutionResult = Schema.Struct({
  stdout: Schema.String,
  stderr: Schema.String,
  exitCode: Schema.Number,
  executionTime: Schema.Number,
  tokens: TokenUsage,
  cost: Schema.NullOr(Schema.Number),
  provider: Schema.String,
  model: Schema.String,
  serverPort: Schema.NullOr(Schema.Number),
  /** what the delegated session asked a human for and was refused (nobody is there to answer) */
  refused: Schema.optional(Schema.Array(Schema.String)),
  /** the candidate asked first, when another one answered (`provider/model`) */
  requestedModel: Schema.optional(Schema.String),
  /** the candidates given up on the way, and why */
  failovers: Schema.optional(Schema.Array(Schema.Struct({ id: Schema.String, error: Schema.String }))),
  /** secrets replaced by placeholders in what was sent, by kind (`openai-api-key`, `env:DATABASE_URL`...) */
  redacted: Schema.optional(Schema.Array(Schema.Struct({ kind: Schema.String, count: Schema.Number }))),
  /** the files the delegated session changed, relative to its directory */
  changedFiles: Schema.optional(Schema.Array(Schema.Struct({
    path: Schema.String,
    status: Schema.Literal("added", "modified", "deleted", "changed")
  })))
})
export type ExecutionResult = typeof ExecutionResult.Type
