import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { ConfigError } from "../../domain/errors"
import type { Tier } from "../../domain/model"
import { writeFileAtomic } from "../../lib/jsonFile"
import { isJsonObject, type JsonObject } from "../../lib/jsonValue"
import { loadConfig, readJsonObject } from "./Config"

/**
 * Set `models.<TIER>.opencode` in config.json to the given ids, keeping everything else of the file, and check the
 * result loads. The file is created (0600) when missing.
 */
export const setTierModels = (
  configFile: string,
  mappingFile: string,
  models: Partial<Record<Tier, string>>
): Effect.Effect<void, ConfigError> =>
  Effect.gen(function*() {
    const current = Option.getOrElse(yield* readJsonObject(configFile), (): unknown => ({}))
    if (!isJsonObject(current)) return yield* new ConfigError({ file: configFile, message: `${configFile}: expected a JSON object; nothing was changed` })
    const section = (value: unknown): JsonObject => (isJsonObject(value) ? value : {})
    const tiers = section(current.models)
    const next: JsonObject = {
      ...current,
      models: {
        ...tiers,
        ...Object.fromEntries(Object.entries(models).map(([tier, id]) => [tier, { ...section(tiers[tier]), opencode: id }]))
      }
    }
    yield* writeFileAtomic(configFile, `${JSON.stringify(next, null, 2)}\n`).pipe(
      Effect.mapError((e) => new ConfigError({ file: configFile, message: `${configFile}: cannot write (${e.code ?? e.message})` }))
    )
    yield* loadConfig(configFile, mappingFile)
  })
