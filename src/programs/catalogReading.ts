import * as Effect from "effect/Effect"
import { type CatalogReading, needsPriceReference } from "../services/models"
import type { ServerPoolShape } from "../services/pool"

/**
 * OpenCode's catalog as a server of `pool` answers it: the connected providers (`GET /config/providers`) and, when
 * they lack Anthropic, the whole list (`GET /provider`) for Claude's prices. A failed second read costs only those
 * prices (the built-in table stays), never the catalog.
 */
export const readCatalog = (pool: ServerPoolShape, source: (port: number) => string) =>
  Effect.gen(function*() {
    const listing = yield* pool.providers()
    const reference = needsPriceReference(listing.body)
      ? yield* pool.providerList().pipe(Effect.orElseSucceed(() => undefined))
      : undefined
    return {
      body: listing.body,
      source: source(listing.port),
      opencodeVersion: listing.version,
      ...(reference === undefined ? {} : { reference })
    } satisfies CatalogReading
  })
