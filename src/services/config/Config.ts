import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as fs from "node:fs"
import * as path from "node:path"
import { AgentMapping, OmcmConfig } from "../../domain/configSchema"
import { defaultConfig } from "../../domain/defaults"
import { ConfigError } from "../../domain/errors"
import { decodeUnknown, parseJson, readTextIfExists } from "../../lib/jsonFile"
import { formatParseError } from "../../lib/schemaErrors"
import { Paths } from "./Paths"

export type ValueSource = "default" | string

export interface LoadedConfig {
  readonly config: OmcmConfig
  readonly mapping: AgentMapping
  /** every leaf path of the effective config (`routing.enabled`) and the file it came from, or "default" */
  readonly sources: ReadonlyMap<string, ValueSource>
  readonly files: { readonly config: string; readonly mapping: string }
}

export class Config extends Context.Tag("omcm/Config")<Config, LoadedConfig>() {
  static readonly layerWithoutDependencies = Layer.effect(Config, Effect.flatMap(Paths, (paths) => loadConfig(paths.configFile, paths.mappingFile)))

  static readonly layer = Config.layerWithoutDependencies.pipe(Layer.provide(Paths.layer))

  /** A config built from values in code, for tests and for the demo. */
  static readonly make = (overrides: DeepPartial<OmcmConfig> = {}, mapping: AgentMapping = {}): LoadedConfig => ({
    config: deepMerge(defaultConfig, overrides) as OmcmConfig,
    mapping,
    sources: new Map(),
    files: { config: "(in memory)", mapping: "(in memory)" }
  })
}

export type DeepPartial<T> = T extends ReadonlyArray<unknown> ? T
  : T extends object ? { readonly [K in keyof T]?: DeepPartial<T[K]> }
  : T

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value)

/**
 * Objects merge key by key; arrays and scalars from `over` replace. Keys are defined, never assigned: a key
 * `__proto__` (JSON.parse makes it an own key) stays a key and never becomes the result's prototype.
 */
export const deepMerge = (base: unknown, over: unknown): unknown => {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over
  const result: Record<string, unknown> = { ...base }
  for (const [key, value] of Object.entries(over)) {
    const inner = Object.prototype.hasOwnProperty.call(base, key) ? base[key] : undefined
    Object.defineProperty(result, key, { value: deepMerge(inner, value), enumerable: true, writable: true, configurable: true })
  }
  return result
}

/** where the first `__proto__` key is (`routing.__proto__`), if any: never a key omcm knows, in any object */
const protoKeyPath = (value: unknown, at: string): string | undefined => {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = protoKeyPath(value[i], `${at}[${i}]`)
      if (found !== undefined) return found
    }
    return undefined
  }
  if (value === null || typeof value !== "object") return undefined
  for (const key of Object.keys(value)) {
    const here = at.length > 0 ? `${at}.${key}` : key
    if (key === "__proto__") return here
    const found = protoKeyPath((value as Record<string, unknown>)[key], here)
    if (found !== undefined) return found
  }
  return undefined
}

/** a path that is a symlink to nothing: the file was meant to be there (a dotfile manager's link), so not "missing" */
const danglingTarget = (file: string): string | undefined => {
  try {
    return fs.lstatSync(file).isSymbolicLink() ? fs.readlinkSync(file) : undefined
  } catch {
    return undefined
  }
}

const leafPaths = (value: unknown, prefix = ""): ReadonlyArray<string> =>
  isPlainObject(value) && Object.keys(value).length > 0
    ? Object.entries(value).flatMap(([key, inner]) => leafPaths(inner, prefix.length > 0 ? `${prefix}.${key}` : key))
    : [prefix]

export const readJsonObject = (file: string): Effect.Effect<Option.Option<unknown>, ConfigError> => {
  const name = path.basename(file)
  return readTextIfExists(file).pipe(
    Effect.mapError((error) => new ConfigError({ file, message: `${file}: cannot read (${error.code ?? error.message})` })),
    Effect.flatMap(Option.match({
      onNone: () => {
        const target = danglingTarget(file)
        return target === undefined
          ? Effect.succeedNone
          : Effect.fail(new ConfigError({ file, message: `${name}: expected a file, got a symlink to ${target}, which does not exist` }))
      },
      onSome: (text) =>
        parseJson(text).pipe(
          Effect.mapError((why) => new ConfigError({ file, message: `${name}: ${why}` })),
          Effect.filterOrFail(isPlainObject, (value) =>
            new ConfigError({ file, message: `${name}: expected a JSON object, got ${JSON.stringify(value).slice(0, 40)}` })),
          Effect.filterOrFail((value) => protoKeyPath(value, "") === undefined, (value) =>
            new ConfigError({ file, message: `${name}: ${protoKeyPath(value, "")}: unknown key` })),
          Effect.map(Option.some)
        )
    }))
  )
}

export const crossFieldProblem = (config: OmcmConfig): string | undefined => {
  const r = config.routing
  if (!(r.usageThreshold <= r.mediumThreshold && r.mediumThreshold <= r.heavyThreshold)) {
    return `routing: expected usageThreshold <= mediumThreshold <= heavyThreshold, got ${r.usageThreshold}, ${r.mediumThreshold}, ${r.heavyThreshold}`
  }
  if (r.recoverThreshold > r.heavyThreshold) {
    return `routing.recoverThreshold: expected at most routing.heavyThreshold (${r.heavyThreshold}), got ${r.recoverThreshold}`
  }
  if (config.pool.minServers > config.pool.maxServers) {
    return `pool.minServers: expected at most pool.maxServers (${config.pool.maxServers}), got ${config.pool.minServers}`
  }
  return undefined
}

export const loadConfig = (configFile: string, mappingFile: string): Effect.Effect<LoadedConfig, ConfigError> =>
  Effect.gen(function*() {
    const configName = path.basename(configFile)
    const userConfig = yield* readJsonObject(configFile)
    // no file: the defaults, which a test decodes with the same schema (hooks start faster without the decode)
    const config = Option.isNone(userConfig) ? defaultConfig : yield* Effect.suspend(() => {
      const merged = deepMerge(defaultConfig, userConfig.value)
      return decodeUnknown(OmcmConfig)(merged).pipe(
        Effect.mapError((error) => new ConfigError({ file: configFile, message: formatParseError(configName, merged, error) }))
      )
    })
    const problem = crossFieldProblem(config)
    if (problem !== undefined) return yield* new ConfigError({ file: configFile, message: `${configName}: ${problem}` })

    const userMapping = yield* readJsonObject(mappingFile)
    const mapping = yield* Option.match(userMapping, {
      onNone: () => Effect.succeed<AgentMapping>({}),
      onSome: (raw) =>
        decodeUnknown(AgentMapping)(raw).pipe(
          Effect.mapError((error) =>
            new ConfigError({ file: mappingFile, message: formatParseError(path.basename(mappingFile), raw, error) })
          )
        )
    })

    const fromFile = new Set(Option.match(userConfig, { onNone: () => [], onSome: (user) => leafPaths(user) }))
    const sources = new Map<string, ValueSource>()
    for (const leaf of leafPaths(config)) {
      const owned = [...fromFile].some((p) => leaf === p || leaf.startsWith(`${p}.`))
      sources.set(leaf, owned ? configFile : "default")
    }
    return { config, mapping, sources, files: { config: configFile, mapping: mappingFile } }
  })
