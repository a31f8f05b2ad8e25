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
  serverPort: Schema.NullOr(Schema.Number)
})
export type ExecutionResult = typeof ExecutionResult.Type
