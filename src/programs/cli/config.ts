import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { Config, Paths } from "../../services/config"

const flatten = (value: unknown, prefix = ""): ReadonlyArray<readonly [string, unknown]> =>
  value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length > 0
    ? Object.entries(value).flatMap(([k, v]) => flatten(v, prefix.length > 0 ? `${prefix}.${k}` : k))
    : [[prefix, value]]

export const configShow = (json: boolean) =>
  Effect.gen(function*() {
    const loaded = yield* Config
    if (json) {
      const sources = Object.fromEntries(loaded.sources)
      yield* Console.log(JSON.stringify({ config: loaded.config, agentMapping: loaded.mapping, sources, files: loaded.files }))
      return
    }
    const rows = flatten(loaded.config)
    const width = Math.max(...rows.map(([key]) => key.length))
    for (const [key, value] of rows) {
      const source = loaded.sources.get(key) ?? "default"
      yield* Console.log(`${key.padEnd(width)}  ${JSON.stringify(value)}${source === "default" ? "" : `   (from ${source})`}`)
    }
    const agents = Object.keys(loaded.mapping.agents ?? {})
    yield* Console.log(
      `\nagent mapping: ${agents.length === 0 ? "none" : agents.join(", ")}${loaded.mapping.defaultTier ? `; default tier ${loaded.mapping.defaultTier}` : ""}   (${loaded.files.mapping})`
    )
  })

export const configValidate = Effect.gen(function*() {
  const loaded = yield* Config
  yield* Console.log(`ok: ${loaded.files.config} and ${loaded.files.mapping} are valid (missing files mean defaults)`)
})

export const configPath = Effect.gen(function*() {
  const paths = yield* Paths
  yield* Console.log(`config        ${paths.configFile}`)
  yield* Console.log(`agent mapping ${paths.mappingFile}`)
  yield* Console.log(`state         ${paths.stateDir}`)
  yield* Console.log(`database      ${paths.dbFile}`)
  yield* Console.log(`models        ${paths.modelsFile}`)
})
