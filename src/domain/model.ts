import * as Schema from "effect/Schema"

export const Tier = Schema.Literal("HIGH", "MEDIUM", "LOW")
export type Tier = typeof Tier.Type
export const TIERS: ReadonlyArray<Tier> = ["HIGH", "MEDIUM", "LOW"]

/** Fusion mode of a session. `off` means no mode keyword was given. */
export const Mode = Schema.Literal("hulw", "ulw", "autopilot", "off")
export type Mode = typeof Mode.Type

export const Target = Schema.Literal("claude", "opencode")
export type Target = typeof Target.Type

/** Where the Claude usage figure came from. */
export const UsageSource = Schema.Literal("override", "statusline", "oauth", "unknown")
export type UsageSource = typeof UsageSource.Type

export const Usage = Schema.Struct({
  /** max(fiveHour, weekly), 0..100; 0 when unknown */
  percent: Schema.Number,
  fiveHour: Schema.NullOr(Schema.Number),
  weekly: Schema.NullOr(Schema.Number),
  source: UsageSource
})
export type Usage = typeof Usage.Type

export const Decision = Schema.Struct({
  target: Target,
  provider: Schema.String,
  model: Schema.String,
  tier: Tier,
  mode: Mode,
  usage: Schema.NullOr(Schema.Number),
  reason: Schema.String,
  /** OpenCode: the tier's candidates (`provider/model`) the balancer orders and fails over across, the named model first */
  candidates: Schema.optional(Schema.Array(Schema.String))
})
export type Decision = typeof Decision.Type

/** `provider/model` split; a model id without a slash belongs to the provider named "anthropic" (Claude). */
export const splitModelId = (id: string): { readonly provider: string; readonly model: string } => {
  const slash = id.indexOf("/")
  return slash < 0 ? { provider: "anthropic", model: id } : { provider: id.slice(0, slash), model: id.slice(slash + 1) }
}
