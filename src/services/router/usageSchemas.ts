import * as Schema from "effect/Schema"

const Window = Schema.Struct({
  percent: Schema.Number,
  /** epoch ms when this window resets, if known */
  resetsAt: Schema.NullOr(Schema.Number)
})

/** `~/.omcm/usage-cache.json`, written by `omcm statusline` */
export const UsageCache = Schema.Struct({
  updatedAt: Schema.Number,
  fiveHour: Schema.NullOr(Window),
  sevenDay: Schema.NullOr(Window)
})
export type UsageCache = typeof UsageCache.Type

/** `~/.omcm/oauth-usage-cache.json`: the last answer of the OAuth usage endpoint, good or bad */
export const OauthCache = Schema.Struct({
  fetchedAt: Schema.Number,
  ok: Schema.Boolean,
  fiveHour: Schema.NullOr(Schema.Number),
  sevenDay: Schema.NullOr(Schema.Number),
  error: Schema.NullOr(Schema.String)
})
export type OauthCache = typeof OauthCache.Type

const OauthWindow = Schema.NullOr(Schema.Struct({
  utilization: Schema.Number,
  resets_at: Schema.optional(Schema.NullOr(Schema.String))
}))

/** The answer of `GET /api/oauth/usage` (fields we use) */
export const OauthUsageResponse = Schema.Struct({
  five_hour: Schema.optional(OauthWindow),
  seven_day: Schema.optional(OauthWindow)
})

export const Credentials = Schema.Struct({
  claudeAiOauth: Schema.Struct({ accessToken: Schema.String.pipe(Schema.minLength(1)) })
})

const RateWindow = Schema.Struct({
  used_percentage: Schema.Number,
  resets_at: Schema.optional(Schema.NullOr(Schema.Number))
})

/** What Claude Code sends a statusline command on stdin (the parts omcm uses; the rest is ignored). */
export const StatuslineInput = Schema.Struct({
  session_id: Schema.optional(Schema.String),
  model: Schema.optional(Schema.Struct({ id: Schema.optional(Schema.String), display_name: Schema.optional(Schema.String) })),
  workspace: Schema.optional(Schema.Struct({ current_dir: Schema.optional(Schema.String) })),
  /** Claude Code's own estimate of the session's cost at list price */
  cost: Schema.optional(Schema.Struct({ total_cost_usd: Schema.optional(Schema.Number) })),
  rate_limits: Schema.optional(Schema.Struct({
    five_hour: Schema.optional(Schema.NullOr(RateWindow)),
    seven_day: Schema.optional(Schema.NullOr(RateWindow))
  }))
})
export type StatuslineInput = typeof StatuslineInput.Type
