import type * as Effect from "effect/Effect"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { Tier } from "./model"

/** Leaf schemas carry the phrase a user reads after "<file>: <path>: ". */
const expect = <A, I>(schema: Schema.Schema<A, I>, message: string, override = true) =>
  schema.annotations({ message: () => ({ message, override }) })

const int = (min: number, max: number) =>
  expect(Schema.Int.pipe(Schema.between(min, max)), `expected an integer from ${min} to ${max}`)
const percent = expect(Schema.Number.pipe(Schema.between(0, 100)), "expected a number from 0 to 100")
const positive = expect(Schema.Number.pipe(Schema.greaterThan(0)), "expected a number above 0")
const nonNegative = expect(Schema.Number.pipe(Schema.greaterThanOrEqualTo(0)), "expected a number of 0 or more")
const bool = expect(Schema.Boolean, "expected true or false")
const text = expect(Schema.String.pipe(Schema.minLength(1)), "expected a non-empty string")
const names = expect(Schema.Array(expect(Schema.String, "expected an agent name")), "expected a list of agent names", false)
const modelId = expect(
  Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9._-]+\/[A-Za-z0-9._:/-]+$/)),
  "expected a model id of the form provider/model"
)
const tier = expect(Tier, `expected one of "HIGH", "MEDIUM", "LOW"`)
const words = expect(
  Schema.Array(expect(Schema.String.pipe(Schema.minLength(1)), "expected a non-empty trigger word")),
  "expected a list of trigger words",
  false
)
const stringMap = expect(Schema.Record({ key: Schema.String, value: Schema.String }), "expected an object of strings")
const nullableText = expect(Schema.NullOr(Schema.String.pipe(Schema.minLength(1))), "expected a path or null")

const regex = expect(
  Schema.String.pipe(
    Schema.minLength(1),
    Schema.filter((s) => {
      try {
        new RegExp(s, "i")
        return true
      } catch {
        return false
      }
    })
  ),
  "expected a regular expression"
)

/**
 * A model chosen from the OpenCode server's own catalog (`GET /config/providers`, the connected part of
 * `GET /provider`) instead of a fixed id: among the provider's models that are active and support tool calls, those
 * whose id matches `match` and not `exclude` (case-insensitive, without the `provider/`), the newest (release date),
 * the cheapest (input + output price) or the first in the catalog's order. `limit` models become candidates (1).
 */
export const ModelSelector = Schema.Struct({
  /** an OpenCode provider id (openai, google, openrouter...); default: every connected provider */
  provider: Schema.optional(expect(Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9._-]+$/)), "expected a provider id such as \"openai\"")),
  match: Schema.optional(regex),
  exclude: Schema.optional(regex),
  pick: Schema.optional(expect(Schema.Literal("newest", "cheapest", "first"), `expected one of "newest", "cheapest", "first"`)),
  limit: Schema.optional(int(1, 20))
})
export type ModelSelector = typeof ModelSelector.Type

export type ModelChoice = string | ModelSelector
export type OpencodeModels = ModelChoice | ReadonlyArray<ModelChoice>

/**
 * A union decoded by the input's shape (a string, a list, an object), so that a problem is reported by the member the
 * user meant: `models.LOW.opencode.match: expected a regular expression`, not "expected a model id".
 */
const byShape = <A>(
  members: { readonly string: Schema.Schema.AnyNoContext; readonly object: Schema.Schema.AnyNoContext; readonly array?: Schema.Schema.AnyNoContext },
  title: string
): Schema.Schema<A> =>
  Schema.declare<A, A, readonly []>([], {
    decode: () => (input, options) => {
      const member = typeof input === "string"
        ? members.string
        : Array.isArray(input) && members.array !== undefined
        ? members.array
        : typeof input === "object" && input !== null && !Array.isArray(input)
        ? members.object
        : members.string
      return ParseResult.decodeUnknown(member)(input, options) as Effect.Effect<A, ParseResult.ParseIssue>
    },
    encode: () => (input) => ParseResult.succeed(input as A)
  }, { title })

/** A fixed `provider/model` id, or a selector resolved against OpenCode's catalog. */
export const ModelChoice: Schema.Schema<ModelChoice> = byShape({ string: modelId, object: ModelSelector }, "ModelChoice")

/** One choice, or a list of them: the tier's candidates, in order. */
export const OpencodeModels: Schema.Schema<OpencodeModels> = byShape({
  string: modelId,
  object: ModelSelector,
  array: expect(Schema.Array(ModelChoice).pipe(Schema.minItems(1)), "expected a non-empty list of model ids and selectors", false)
}, "OpencodeModels")

export const TierModels = Schema.Struct({ claude: modelId, opencode: OpencodeModels })

export const Price = Schema.Struct({
  input: nonNegative,
  output: nonNegative,
  cacheRead: Schema.optional(nonNegative),
  cacheWrite: Schema.optional(nonNegative),
  reasoning: Schema.optional(nonNegative)
})
export type Price = typeof Price.Type

/** A rule of OpenCode's permission ruleset, as `delegation.permissions` takes it; nobody can answer "ask" */
export const DelegationPermissionRule = Schema.Struct({
  permission: text,
  pattern: text,
  action: expect(Schema.Literal("allow", "deny"), `expected "allow" or "deny" (a delegated session has nobody to answer "ask")`)
})

export const RedactPattern = Schema.Struct({
  name: text,
  pattern: text
})

export const OmcmConfig = Schema.Struct({
  fusionDefault: bool,
  routing: Schema.Struct({
    enabled: bool,
    usageThreshold: percent,
    mediumThreshold: percent,
    heavyThreshold: percent,
    recoverThreshold: percent,
    maxOpencodeWorkers: int(1, 25),
    preferOpencode: names,
    preferClaude: names,
    autoDelegate: bool,
    defaultTier: tier,
    /** ulw counts the 5-hour window as reaching, by its reset, what its burn rate projects (opt-in) */
    pacing: bool
  }),
  models: Schema.Struct({ HIGH: TierModels, MEDIUM: TierModels, LOW: TierModels }),
  prices: Schema.Record({ key: Schema.String, value: Price }),
  modes: Schema.Struct({ hulw: words, ulw: words, autopilot: words }),
  usage: Schema.Struct({
    statuslineMaxAgeSeconds: positive,
    oauth: Schema.Struct({
      enabled: bool,
      baseUrl: text,
      credentialsFile: nullableText,
      userAgent: text,
      successCacheSeconds: nonNegative,
      failureCacheSeconds: nonNegative,
      timeoutSeconds: positive
    })
  }),
  pool: Schema.Struct({
    minServers: int(0, 25),
    maxServers: int(1, 25),
    basePort: int(1024, 65000),
    autoScale: bool,
    slotsPerServer: int(1, 100),
    healthIntervalSeconds: positive,
    requestTimeoutSeconds: positive,
    scaleDownAfterSeconds: positive,
    startTimeoutSeconds: positive,
    opencodeBin: nullableText,
    env: stringMap,
    opencodeConfig: expect(Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.Unknown })), "expected an object or null")
  }),
  hooks: Schema.Struct({
    delegateTimeoutSeconds: positive,
    /** the longest deny reason omcm sends; a longer result is saved in the project's .omcm/results/ */
    resultInlineChars: int(2_000, 500_000),
    autoStartDaemon: bool,
    daemonIdleMinutes: positive
  }),
  delegation: Schema.Struct({
    idleTimeoutSeconds: positive,
    firstTokenTimeoutSeconds: positive,
    /** how long a delegation waits for a pool daemon that is starting before it starts a server of its own */
    daemonStartWaitSeconds: nonNegative,
    /** replaces the ruleset mirrored from the agent and the user's Claude permissions; null: mirror them */
    permissions: expect(
      Schema.NullOr(Schema.Array(DelegationPermissionRule)),
      "expected a list of {permission, pattern, action} rules, or null",
      false
    ),
    redact: Schema.Struct({
      enabled: bool,
      /** the values of the project's .env files are secrets too */
      envFiles: bool,
      patterns: expect(Schema.Array(RedactPattern), "expected a list of {name, pattern}", false)
    })
  }),
  balancer: Schema.Struct({
    /** how long a provider (a 429, a bad key) or a model (a 5xx, a stall) that failed is left alone */
    cooldownSeconds: positive
  }),
  claude: Schema.Struct({ bin: nullableText }),
  tracker: Schema.Struct({
    capacity: int(10, 10_000_000),
    emitIntervalSeconds: positive,
    compactAfterHours: positive
  })
})
export type OmcmConfig = typeof OmcmConfig.Type

export const AgentOverride = expect(
  Schema.Struct({
    tier: Schema.optional(tier),
    model: Schema.optional(modelId)
  }),
  "expected an object with a tier and/or a model",
  false
)

export const AgentMapping = Schema.Struct({
  defaultTier: Schema.optional(tier),
  agents: Schema.optional(
    expect(Schema.Record({ key: Schema.String, value: AgentOverride }), "expected an object of agent names, each with a tier and/or a model", false)
  ),
  balancingStrategy: Schema.optional(
    expect(Schema.Literal("round-robin", "weighted", "latency", "usage"), `expected one of "round-robin", "weighted", "latency", "usage"`)
  ),
  providers: Schema.optional(
    expect(
      Schema.Record({
        key: Schema.String,
        value: expect(
          Schema.Struct({
            weight: Schema.optional(nonNegative),
            priority: Schema.optional(int(0, 100)),
            enabled: Schema.optional(bool),
            models: Schema.optional(expect(Schema.Array(expect(Schema.String, "expected a model name")), "expected a list of model names", false))
          }),
          "expected an object with weight, priority, enabled and/or models",
          false
        )
      }),
      "expected an object of provider names, each with its settings",
      false
    )
  )
})
export type AgentMapping = typeof AgentMapping.Type
