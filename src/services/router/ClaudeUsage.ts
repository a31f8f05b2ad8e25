import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Schema from "effect/Schema"
import * as path from "node:path"
import { InputError, StateError, UsageFetchError } from "../../domain/errors"
import type { Usage } from "../../domain/model"
import { Credentials, OauthCache, type StatuslineInput, UsageCache } from "./usageSchemas"
import { decodeUnknown, parseJson, readTextIfExists, writeFileAtomic } from "../../lib/jsonFile"
import { Config, Paths, type PathsShape } from "../config"
import type { OmcmConfig } from "../../domain/configSchema"
import type { OauthNumbers } from "./oauthUsage"

export interface UsageOptions {
  /** `--usage` flag; wins over every other source */
  readonly override?: number | undefined
  /** the OAuth endpoint is asked only when the decision depends on usage */
  readonly allowNetwork?: boolean | undefined
}

export interface ClaudeUsageShape {
  /** Usage % = max(5-hour, weekly). Sources: override, OMCM_CLAUDE_USAGE, statusline cache, OAuth endpoint, unknown. */
  readonly current: (options?: UsageOptions) => Effect.Effect<Usage, InputError>
  /** Store what Claude Code's statusline JSON says about rate limits (atomically, for every other process). */
  readonly saveStatusline: (input: StatuslineInput) => Effect.Effect<Option.Option<UsageCache>, StateError>
  readonly readStatuslineCache: Effect.Effect<Option.Option<UsageCache>>
}

export class ClaudeUsage extends Context.Tag("omcm/ClaudeUsage")<ClaudeUsage, ClaudeUsageShape>() {
  /** usage as seen by a process with environment `env` (OMCM_CLAUDE_USAGE) */
  static readonly layerWith = (env: NodeJS.ProcessEnv) =>
    Layer.effect(
      ClaudeUsage,
      Effect.gen(function*() {
        const { config } = yield* Config
        const paths = yield* Paths
        const fetchUsage = (token: string) =>
          Effect.flatMap(Effect.promise(() => import("./oauthUsage")), (m) => m.fetchOauthUsageLive(config.usage.oauth, token))
        return makeClaudeUsage({ config, paths, fetchUsage, env })
      })
    )

  static readonly layerWithoutDependencies = ClaudeUsage.layerWith(process.env)

  static readonly layer = ClaudeUsage.layerWithoutDependencies.pipe(Layer.provide([Config.layer, Paths.layer]))
}

const unknownUsage: Usage = { percent: 0, fiveHour: null, weekly: null, source: "unknown" }

const usageOf = (fiveHour: number | null, weekly: number | null, source: Usage["source"]): Usage => ({
  percent: Math.max(fiveHour ?? 0, weekly ?? 0),
  fiveHour,
  weekly,
  source
})

const readJson = <A, I>(file: string, schema: Schema.Schema<A, I>): Effect.Effect<Option.Option<A>> =>
  readTextIfExists(file).pipe(
    Effect.flatMap(Option.match({
      onNone: () => Effect.succeedNone,
      onSome: (text) => parseJson(text).pipe(Effect.flatMap(decodeUnknown(schema, { strict: false })), Effect.map(Option.some))
    })),
    // a torn or foreign cache file is as good as no cache
    Effect.orElseSucceed(() => Option.none<A>())
  )

export const parseUsagePercent = (label: string, raw: string): Effect.Effect<number, InputError> => {
  const value = Number(raw.trim())
  return raw.trim().length > 0 && Number.isFinite(value) && value >= 0 && value <= 100
    ? Effect.succeed(value)
    : Effect.fail(new InputError({ message: `${label}: expected a number from 0 to 100, got ${JSON.stringify(raw)}` }))
}

interface Deps {
  readonly config: OmcmConfig
  readonly paths: PathsShape
  /** asks the OAuth usage endpoint (see usage/oauthFetch.ts) */
  readonly fetchUsage: (token: string) => Effect.Effect<OauthNumbers, UsageFetchError>
  readonly env: NodeJS.ProcessEnv
}

export const makeClaudeUsage = ({ config, env, fetchUsage, paths }: Deps): ClaudeUsageShape => {
  const oauth = config.usage.oauth

  const readStatuslineCache = readJson(paths.usageCacheFile, UsageCache)

  const fromStatusline = Effect.gen(function*() {
    const cache = yield* readStatuslineCache
    if (Option.isNone(cache)) return Option.none<Usage>()
    const now = yield* Clock.currentTimeMillis
    if (now - cache.value.updatedAt > config.usage.statuslineMaxAgeSeconds * 1000) return Option.none<Usage>()
    // a window whose reset time has passed starts again from 0
    const live = (w: { percent: number; resetsAt: number | null } | null) =>
      w === null ? null : w.resetsAt !== null && w.resetsAt <= now ? 0 : w.percent
    const five = live(cache.value.fiveHour)
    const week = live(cache.value.sevenDay)
    return five === null && week === null ? Option.none<Usage>() : Option.some(usageOf(five, week, "statusline"))
  })

  const credentialsFile = oauth.credentialsFile ?? path.join(paths.claudeConfigDir, ".credentials.json")

  const fromOauth = (allowNetwork: boolean) =>
    Effect.gen(function*() {
      if (!oauth.enabled) return Option.none<Usage>()
      const now = yield* Clock.currentTimeMillis
      const cached = yield* readJson(paths.oauthCacheFile, OauthCache)
      if (Option.isSome(cached)) {
        const c = cached.value
        const ttl = (c.ok ? oauth.successCacheSeconds : oauth.failureCacheSeconds) * 1000
        if (now - c.fetchedAt < ttl) {
          return c.ok ? Option.some(usageOf(c.fiveHour, c.sevenDay, "oauth")) : Option.none<Usage>()
        }
      }
      if (!allowNetwork) return Option.none<Usage>()
      const credentials = yield* readJson(credentialsFile, Credentials)
      if (Option.isNone(credentials)) return Option.none<Usage>()
      const result = yield* Effect.either(fetchUsage(credentials.value.claudeAiOauth.accessToken))
      const fetchedAt = yield* Clock.currentTimeMillis
      const entry: OauthCache = result._tag === "Right"
        ? { fetchedAt, ok: true, fiveHour: result.right.fiveHour, sevenDay: result.right.sevenDay, error: null }
        : { fetchedAt, ok: false, fiveHour: null, sevenDay: null, error: `${result.left.reason}: ${result.left.message}` }
      yield* writeFileAtomic(paths.oauthCacheFile, JSON.stringify(entry)).pipe(Effect.ignore)
      return entry.ok ? Option.some(usageOf(entry.fiveHour, entry.sevenDay, "oauth")) : Option.none<Usage>()
    })

  const current = (options: UsageOptions = {}): Effect.Effect<Usage, InputError> =>
    Effect.gen(function*() {
      if (options.override !== undefined) return usageOf(options.override, null, "override")
      const fromEnv = env.OMCM_CLAUDE_USAGE
      if (fromEnv !== undefined && fromEnv.length > 0) {
        return usageOf(yield* parseUsagePercent("OMCM_CLAUDE_USAGE", fromEnv), null, "override")
      }
      const statusline = yield* fromStatusline
      if (Option.isSome(statusline)) return statusline.value
      const remote = yield* fromOauth(options.allowNetwork ?? true)
      return Option.getOrElse(remote, () => unknownUsage)
    })

  const saveStatusline = (input: StatuslineInput) =>
    Effect.gen(function*() {
      const limits = input.rate_limits
      const window = (w: { used_percentage: number; resets_at?: number | null | undefined } | null | undefined) =>
        w === null || w === undefined ? null : { percent: w.used_percentage, resetsAt: w.resets_at == null ? null : w.resets_at * 1000 }
      const fiveHour = window(limits?.five_hour)
      const sevenDay = window(limits?.seven_day)
      if (fiveHour === null && sevenDay === null) return Option.none<UsageCache>()
      const cache: UsageCache = { updatedAt: yield* Clock.currentTimeMillis, fiveHour, sevenDay }
      yield* writeFileAtomic(paths.usageCacheFile, JSON.stringify(cache)).pipe(
        Effect.mapError((error) =>
          new StateError({ file: paths.usageCacheFile, message: `${paths.usageCacheFile}: cannot write (${error.code ?? error.message})` })
        )
      )
      return Option.some(cache)
    })

  return { current, saveStatusline, readStatuslineCache }
}
