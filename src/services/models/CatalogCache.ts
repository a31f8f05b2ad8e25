import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as fs from "node:fs"
import { StateError } from "../../domain/errors"
import { writeFileAtomic } from "../../lib/jsonFile"
import { Paths } from "../config"
import { OpencodeCatalog } from "./catalog"

/**
 * OpenCode's catalog as some omcm process last read it from a server (the pool daemon, `omcm models`), in
 * `~/.omcm/opencode-models.json`. Routing reads it at decision time: a hook never starts a server to route.
 */
export interface CatalogCacheShape {
  /** the file (or "(in memory)") */
  readonly file: string
  /** the saved catalog; none when no process saved one, or the file is unreadable. Re-read only when the file changed. */
  readonly read: Effect.Effect<Option.Option<OpencodeCatalog>>
  readonly write: (catalog: OpencodeCatalog) => Effect.Effect<void, StateError>
}

const decode = Schema.decodeUnknownOption(Schema.parseJson(OpencodeCatalog), { onExcessProperty: "ignore" })

/** The cache file; a file's content is decoded once per change (size and mtime), so a long-lived daemon reads it cheaply. */
export const makeCatalogCache = (file: string): CatalogCacheShape => {
  let memo: { readonly key: string; readonly value: Option.Option<OpencodeCatalog> } | undefined
  const read = Effect.sync((): Option.Option<OpencodeCatalog> => {
    let stat: fs.Stats
    try {
      stat = fs.statSync(file)
    } catch {
      return Option.none()
    }
    const key = `${stat.size}:${stat.mtimeMs}:${stat.ino}`
    if (memo?.key === key) return memo.value
    let text: string
    try {
      text = fs.readFileSync(file, "utf8")
    } catch {
      return Option.none()
    }
    const value = decode(text)
    memo = { key, value }
    return value
  })
  const write = (catalog: OpencodeCatalog) =>
    writeFileAtomic(file, `${JSON.stringify(catalog)}\n`, undefined, false).pipe(
      Effect.mapError((e) => new StateError({ file, message: `${file}: cannot write (${e.code ?? e.message})` }))
    )
  return { file, read, write }
}

/** A cache in memory, holding `initial` (tests). */
export const makeMemoryCatalogCache = (initial?: OpencodeCatalog): CatalogCacheShape => {
  let value = Option.fromNullable(initial)
  return {
    file: "(in memory)",
    read: Effect.sync(() => value),
    write: (catalog) => Effect.sync(() => void (value = Option.some(catalog)))
  }
}

export class CatalogCache extends Context.Tag("omcm/CatalogCache")<CatalogCache, CatalogCacheShape>() {
  static readonly layerWithoutDependencies = Layer.effect(CatalogCache, Effect.map(Paths, (paths) => makeCatalogCache(paths.modelsFile)))

  static readonly layer = CatalogCache.layerWithoutDependencies.pipe(Layer.provide(Paths.layer))

  /** a cache in memory, holding `catalog` if given (tests) */
  static readonly memory = (catalog?: OpencodeCatalog): Layer.Layer<CatalogCache> =>
    Layer.sync(CatalogCache, () => makeMemoryCatalogCache(catalog))

  /** nothing saved: routing uses the fixed ids of the configuration */
  static readonly none: Layer.Layer<CatalogCache> = CatalogCache.memory()
}
