import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { OmcmConfig } from "../../domain/configSchema"
import type { StateError } from "../../domain/errors"
import type { Tier } from "../../domain/model"
import { Config } from "../config"
import { CatalogCache, type CatalogCacheShape } from "./CatalogCache"
import { type CatalogReading, catalogOf, type OpencodeCatalog } from "./catalog"
import { resolveTier, resolveTiers, type TierResolution } from "./modelSelection"

/** A server answered with something that is not a provider list. */
export class CatalogUnreadable extends Data.TaggedError("CatalogUnreadable")<{ readonly message: string }> {}

/**
 * OpenCode's catalog for the tiers: reads it from a server (the caller says how: the pool daemon's server, a
 * short-lived one), saves it for every process with its date, and resolves each tier's `models.<TIER>.opencode`
 * against the saved one.
 */
export interface ModelCatalogShape {
  /** the catalog some process saved last, if any */
  readonly cached: Effect.Effect<Option.Option<OpencodeCatalog>>
  /** the tier's candidates, in order, with the saved catalog (without one: the fixed ids), and why */
  readonly candidates: (tier: Tier) => Effect.Effect<TierResolution>
  readonly resolveAll: Effect.Effect<Readonly<Record<Tier, TierResolution>>>
  /** make a catalog of what a server answered (`reading`), save it and return it */
  readonly refresh: <E, R>(reading: Effect.Effect<CatalogReading, E, R>) => Effect.Effect<OpencodeCatalog, E | CatalogUnreadable | StateError, R>
  /** save a catalog read elsewhere (the pool daemon's answer) */
  readonly save: (catalog: OpencodeCatalog) => Effect.Effect<void, StateError>
}

export const makeModelCatalog = (config: OmcmConfig, cache: CatalogCacheShape): ModelCatalogShape => {
  const cachedValue = Effect.map(cache.read, Option.getOrUndefined)
  return {
    cached: cache.read,
    candidates: (tier) => Effect.map(cachedValue, (catalog) => resolveTier(tier, config.models[tier].opencode, catalog)),
    resolveAll: Effect.map(cachedValue, (catalog) => resolveTiers(config, catalog)),
    refresh: (reading) =>
      Effect.gen(function*() {
        const answer = yield* reading
        const now = yield* Clock.currentTimeMillis
        const catalog = yield* Either.match(catalogOf(answer, new Date(now)), {
          onLeft: (message) => Effect.fail(new CatalogUnreadable({ message })),
          onRight: Effect.succeed
        })
        yield* cache.write(catalog)
        return catalog
      }),
    save: cache.write
  }
}

export class ModelCatalog extends Context.Tag("omcm/ModelCatalog")<ModelCatalog, ModelCatalogShape>() {
  static readonly layerWithoutDependencies = Layer.effect(
    ModelCatalog,
    Effect.gen(function*() {
      const { config } = yield* Config
      return makeModelCatalog(config, yield* CatalogCache)
    })
  )

  static readonly layer = ModelCatalog.layerWithoutDependencies.pipe(Layer.provide([Config.layer, CatalogCache.layer]))
}
