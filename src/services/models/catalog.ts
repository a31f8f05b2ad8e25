/**
 * OpenCode's model catalog, as omcm keeps it: the connected providers (those OpenCode has credentials for) and, of
 * each model, what choosing one needs (release date, status, tool calls, price, limits). Read from a server's
 * `GET /config/providers` (the connected part of `GET /provider`, a twentieth of its size and time) or from a whole
 * `GET /provider` body, decoded leniently: unknown fields are ignored, and a model or provider of unexpected shape is
 * left out rather than failing the whole catalog.
 *
 * What OpenCode 1.18.33 sends for a model (`components.schemas.Model` of its OpenAPI document): `id`, `providerID`,
 * `name`, `family`, `status` ("alpha" | "beta" | "deprecated" | "active"), `release_date` ("2026-09-22"; "" for a
 * model defined only in the user's OpenCode config), `capabilities.toolcall`, `cost` {input, output, cache {read,
 * write}} in USD per million tokens, `limit` {context, input?, output}. models.dev's own spelling (`tool_call`,
 * `cost.cache_read`) is read too. A provider also carries `env` (the variables OpenCode reads its key from), `options`
 * and, for a key from the environment, `key`: the last two are never kept.
 */
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"

export const CatalogModel = Schema.Struct({
  /** the id after `provider/` */
  id: Schema.String,
  name: Schema.String,
  family: Schema.NullOr(Schema.String),
  /** `YYYY-MM-DD`; null when the catalog has none */
  releaseDate: Schema.NullOr(Schema.String),
  /** "active", "beta", "alpha" or "deprecated" (another word is kept as it is) */
  status: Schema.String,
  toolCall: Schema.Boolean,
  /** USD per million tokens; null when the catalog has no price */
  cost: Schema.NullOr(Schema.Struct({
    input: Schema.Number,
    output: Schema.Number,
    cacheRead: Schema.NullOr(Schema.Number),
    cacheWrite: Schema.NullOr(Schema.Number)
  })),
  context: Schema.NullOr(Schema.Number),
  output: Schema.NullOr(Schema.Number)
})
export type CatalogModel = typeof CatalogModel.Type

export const CatalogProvider = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  /** the environment variables OpenCode reads this provider's key from */
  env: Schema.Array(Schema.String),
  /** in the catalog's order */
  models: Schema.Array(CatalogModel)
})
export type CatalogProvider = typeof CatalogProvider.Type

/** The cache file's content (`~/.omcm/opencode-models.json`), and what the daemon's `GET /models` answers. */
export const OpencodeCatalog = Schema.Struct({
  version: Schema.Literal(1),
  /** ISO 8601 */
  fetchedAt: Schema.String,
  /** which server it was read from, in words ("the pool daemon's server on port 4096") */
  source: Schema.String,
  opencodeVersion: Schema.NullOr(Schema.String),
  /** the providers OpenCode has credentials for */
  connected: Schema.Array(Schema.String),
  /** the connected providers, with their models */
  providers: Schema.Array(CatalogProvider),
  /**
   * providers OpenCode has no credentials for, kept only for their prices (`PRICE_REFERENCE_PROVIDERS`: Anthropic's,
   * so Claude's side of the savings is priced from the same catalog); never routed to
   */
  priceOnly: Schema.optional(Schema.Array(CatalogProvider))
})
export type OpencodeCatalog = typeof OpencodeCatalog.Type

/** The providers whose prices are kept even when not connected: Claude's, for the Claude side of the savings. */
export const PRICE_REFERENCE_PROVIDERS: ReadonlyArray<string> = ["anthropic"]

/** What a server answered, before it is made a catalog. */
export interface CatalogReading {
  /** the body of `GET /config/providers` (`{providers, default}`) or of `GET /provider` (`{all, connected, default}`) */
  readonly body: unknown
  /** a `GET /provider` body read for the prices of `PRICE_REFERENCE_PROVIDERS` that `body` lacks */
  readonly reference?: unknown
  readonly source: string
  readonly opencodeVersion: string | null
}

const RawModel = Schema.Struct({
  id: Schema.optional(Schema.String),
  name: Schema.optional(Schema.String),
  family: Schema.optional(Schema.String),
  release_date: Schema.optional(Schema.String),
  status: Schema.optional(Schema.String),
  tool_call: Schema.optional(Schema.Boolean),
  capabilities: Schema.optional(Schema.Struct({ toolcall: Schema.optional(Schema.Boolean) })),
  cost: Schema.optional(Schema.Struct({
    input: Schema.optional(Schema.Number),
    output: Schema.optional(Schema.Number),
    cache: Schema.optional(Schema.Struct({ read: Schema.optional(Schema.Number), write: Schema.optional(Schema.Number) })),
    cache_read: Schema.optional(Schema.Number),
    cache_write: Schema.optional(Schema.Number)
  })),
  limit: Schema.optional(Schema.Struct({ context: Schema.optional(Schema.Number), output: Schema.optional(Schema.Number) }))
})

const RawProvider = Schema.Struct({
  id: Schema.String,
  name: Schema.optional(Schema.String),
  env: Schema.optional(Schema.Array(Schema.String)),
  models: Schema.Union(Schema.Record({ key: Schema.String, value: Schema.Unknown }), Schema.Array(Schema.Unknown))
})

const ConfigProvidersBody = Schema.Struct({ providers: Schema.Array(Schema.Unknown) })
const ProviderListBody = Schema.Struct({ all: Schema.Array(Schema.Unknown), connected: Schema.Array(Schema.String) })

const lenient = { onExcessProperty: "ignore", errors: "first" } as const
const decodeModel = Schema.decodeUnknownOption(RawModel, lenient)
const decodeProvider = Schema.decodeUnknownOption(RawProvider, lenient)
const decodeConfigProviders = Schema.decodeUnknownOption(ConfigProvidersBody, lenient)
const decodeProviderList = Schema.decodeUnknownOption(ProviderListBody, lenient)

const modelOf = (key: string | undefined, raw: unknown): CatalogModel | undefined => {
  const decoded = decodeModel(raw)
  if (Option.isNone(decoded)) return undefined
  const m = decoded.value
  const id = key ?? m.id
  if (id === undefined || id.length === 0) return undefined
  const cost = m.cost
  const input = cost?.input
  const output = cost?.output
  return {
    id,
    name: m.name ?? id,
    family: m.family ?? null,
    releaseDate: m.release_date !== undefined && m.release_date.length > 0 ? m.release_date : null,
    status: m.status ?? "active",
    toolCall: m.capabilities?.toolcall ?? m.tool_call ?? false,
    cost: input === undefined || output === undefined ? null : {
      input,
      output,
      cacheRead: cost?.cache?.read ?? cost?.cache_read ?? null,
      cacheWrite: cost?.cache?.write ?? cost?.cache_write ?? null
    },
    context: m.limit?.context ?? null,
    output: m.limit?.output ?? null
  }
}

const providerOf = (raw: unknown): CatalogProvider | undefined => {
  const decoded = decodeProvider(raw)
  if (Option.isNone(decoded)) return undefined
  const p = decoded.value
  const entries: ReadonlyArray<readonly [string | undefined, unknown]> = Array.isArray(p.models)
    ? p.models.map((m) => [undefined, m] as const)
    : Object.entries(p.models)
  const models = entries.flatMap(([key, m]) => {
    const model = modelOf(key, m)
    return model === undefined ? [] : [model]
  })
  return { id: p.id, name: p.name ?? p.id, env: p.env ?? [], models }
}

/**
 * The catalog of a server's answer: `GET /config/providers` (every provider it lists is connected) or `GET /provider`
 * (only the providers of `connected` are kept). Fails with a one-line reason when the body is neither.
 */
export const catalogOf = (reading: CatalogReading, fetchedAt: Date): Either.Either<OpencodeCatalog, string> => {
  const meta = { version: 1 as const, fetchedAt: fetchedAt.toISOString(), source: reading.source, opencodeVersion: reading.opencodeVersion }
  /** the reference providers of a `GET /provider` body that `connected` lacks, with their priced models only */
  const priceOnlyOf = (body: unknown, connected: ReadonlySet<string>): ReadonlyArray<CatalogProvider> =>
    Option.match(decodeProviderList(body), {
      onNone: () => [],
      onSome: (list) =>
        list.all.flatMap((raw) => {
          const p = providerOf(raw)
          return p !== undefined && PRICE_REFERENCE_PROVIDERS.includes(p.id) && !connected.has(p.id)
            ? [{ ...p, models: p.models.filter((m) => m.cost !== null) }]
            : []
        })
    })
  const list = decodeProviderList(reading.body)
  if (Option.isSome(list)) {
    const connected = new Set(list.value.connected)
    const providers = list.value.all.flatMap((raw) => {
      const p = providerOf(raw)
      return p !== undefined && connected.has(p.id) ? [p] : []
    })
    return Either.right({ ...meta, connected: [...list.value.connected], providers, priceOnly: priceOnlyOf(reading.body, connected) })
  }
  const config = decodeConfigProviders(reading.body)
  if (Option.isSome(config)) {
    const providers = config.value.providers.flatMap((raw) => {
      const p = providerOf(raw)
      return p === undefined ? [] : [p]
    })
    const connected = new Set(providers.map((p) => p.id))
    const priceOnly = reading.reference === undefined ? [] : priceOnlyOf(reading.reference, connected)
    return Either.right({ ...meta, connected: [...connected], providers, priceOnly })
  }
  const text = JSON.stringify(reading.body) ?? String(reading.body)
  return Either.left(`OpenCode's provider list has an unexpected shape: ${text.slice(0, 120)}`)
}

/** A `GET /config/providers` body lacks a provider whose prices omcm keeps: `GET /provider` has them. */
export const needsPriceReference = (body: unknown): boolean =>
  Option.match(decodeConfigProviders(body), {
    onNone: () => false,
    onSome: ({ providers }) => {
      const ids = new Set(providers.flatMap((raw) => Option.match(decodeProvider(raw), { onNone: () => [], onSome: (p) => [p.id] })))
      return PRICE_REFERENCE_PROVIDERS.some((id) => !ids.has(id))
    }
  })

/** The model `provider/model` of the catalog, if its provider is connected and lists it. */
export const findModel = (catalog: OpencodeCatalog, provider: string, model: string): CatalogModel | undefined =>
  catalog.providers.find((p) => p.id === provider)?.models.find((m) => m.id === model)
