import { Command, Options } from "@effect/cli"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { Tier } from "../../domain/model"
import { TIERS } from "../../domain/model"
import { ConfigLive } from "../../layers/core"
import { Config, Paths } from "../../services/config"
import { daemonModels, findRunningDaemon } from "../../services/daemon"
import {
  CatalogCache,
  ModelCatalog,
  type OpencodeCatalog,
  resolveTiers,
  type TierResolution
} from "../../services/models"
import { makeServerPool, poolOptionsFromConfig, PoolRuntimeLive } from "../../services/pool"
import { readCatalog } from "../catalogReading"

type Origin = "daemon" | "short-lived server" | "cache"

/** The catalog read now: from the pool daemon when one runs, else from a short-lived server of this process. */
export const readCatalogNow = (quiet: boolean) =>
  Effect.gen(function*() {
    const paths = yield* Paths
    const models = yield* ModelCatalog
    const daemon = yield* findRunningDaemon(paths.daemonFile)
    if (Option.isSome(daemon)) {
      const catalog = yield* daemonModels(yield* HttpClient.HttpClient, daemon.value)
      // the daemon saved it in its own state directory; a CLI with another OMCM_HOME routes from this one
      yield* models.save(catalog)
      return { catalog, origin: "daemon" as Origin }
    }
    const { config } = yield* Config
    if (!quiet) yield* Console.error("omcm models: no pool daemon runs; starting a short-lived OpenCode server to read its catalog...")
    const options = yield* poolOptionsFromConfig(config, paths, { minServers: 1, maxServers: 1, inProcess: true })
    const catalog = yield* Effect.scoped(
      Effect.gen(function*() {
        const pool = yield* makeServerPool({ ...options, autoScale: false })
        yield* pool.initialize
        return yield* models.refresh(readCatalog(pool, (port) => `a short-lived server of omcm models (port ${port})`))
      })
    )
    return { catalog, origin: "short-lived server" as Origin }
  })

const resolutionJson = (r: TierResolution) => ({
  model: r.candidates[0]?.id ?? null,
  candidates: r.candidates.map((c) => ({ id: c.id, entry: c.entry, why: c.why })),
  entries: r.entries.map((e) => ({ entry: e.entry, choice: e.choice, picked: e.picked, outcome: e.outcome, leftOut: e.leftOut }))
})

const LEFT_OUT_SHOWN = 6

const formatTier = (tier: Tier, r: TierResolution, claude: string): string => {
  const first = r.candidates[0]
  const head = first === undefined
    ? `${tier}  → no usable OpenCode model: ${tier}-tier calls stay on Claude (${claude})`
    : `${tier}  → ${first.id}`
  const width = Math.max(0, ...r.candidates.map((c) => c.id.length))
  const lines = [head]
  r.candidates.forEach((c, i) => lines.push(`    ${i + 1}. ${c.id.padEnd(width)}  from #${c.entry}: ${c.why}`))
  lines.push(`  models.${tier}.opencode:`)
  for (const e of r.entries) {
    lines.push(`    #${e.entry} ${e.label}`)
    lines.push(`       ${e.outcome}`)
    if (e.leftOut.length > 0 && !(e.leftOut.length === 1 && e.outcome.endsWith(e.leftOut[0]!.reason))) {
      const shown = e.leftOut.slice(0, LEFT_OUT_SHOWN).map((l) => `${l.id} (${l.reason})`).join(", ")
      const more = e.leftOut.length > LEFT_OUT_SHOWN ? `, and ${e.leftOut.length - LEFT_OUT_SHOWN} more` : ""
      lines.push(`       left out: ${shown}${more}`)
    }
  }
  return lines.join("\n")
}

const describeCatalog = (catalog: OpencodeCatalog | undefined, origin: Origin, file: string): string => {
  if (catalog === undefined) {
    return `OpenCode catalog: none saved yet (${file}); routing takes the fixed ids as they are.\n` +
      "Run omcm models without --cached (or start the pool daemon) to read one."
  }
  const how = origin === "cache" ? `saved ${catalog.fetchedAt}` : `read now (${catalog.fetchedAt})`
  const version = catalog.opencodeVersion === null ? "" : `, OpenCode ${catalog.opencodeVersion}`
  const connected = catalog.connected.length === 0 ? "none (OpenCode has no provider credentials)" : catalog.connected.join(", ")
  const priceOnly = (catalog.priceOnly ?? []).map((p) => p.id)
  const prices = priceOnly.length === 0 ? "" : `\nprices only (not connected, never routed to): ${priceOnly.join(", ")}`
  return `OpenCode catalog: ${how} from ${catalog.source}${version}; saved in ${file}\nconnected providers: ${connected}${prices}`
}

/** `omcm models`: what each tier's `models.<TIER>.opencode` resolves to now, and why. */
export const modelsProgram = (args: { readonly json: boolean; readonly cached: boolean }) =>
  Effect.gen(function*() {
    const { config } = yield* Config
    const paths = yield* Paths
    const models = yield* ModelCatalog
    const { catalog, origin } = args.cached
      ? { catalog: Option.getOrUndefined(yield* models.cached), origin: "cache" as Origin }
      : yield* readCatalogNow(args.json)
    const tiers = resolveTiers(config, catalog)
    if (args.json) {
      yield* Console.log(JSON.stringify({
        catalog: catalog === undefined ? null : {
          origin,
          fetchedAt: catalog.fetchedAt,
          source: catalog.source,
          opencodeVersion: catalog.opencodeVersion,
          connected: catalog.connected,
          priceOnly: (catalog.priceOnly ?? []).map((p) => p.id),
          file: paths.modelsFile
        },
        tiers: Object.fromEntries(TIERS.map((t) => [t, resolutionJson(tiers[t])]))
      }))
      return
    }
    yield* Console.log([
      describeCatalog(catalog, origin, paths.modelsFile),
      ...TIERS.map((t) => `\n${formatTier(t, tiers[t], config.models[t].claude)}`)
    ].join("\n"))
  })

export const ModelsLive = Layer.mergeAll(
  ModelCatalog.layerWithoutDependencies.pipe(Layer.provide(CatalogCache.layerWithoutDependencies)),
  PoolRuntimeLive,
  FetchHttpClient.layer
).pipe(Layer.provideMerge(ConfigLive))

export const modelsCommand = Command.make(
  "models",
  {
    json: Options.boolean("json").pipe(Options.withDescription("print one JSON object")),
    cached: Options.boolean("cached").pipe(
      Options.withDescription("use the catalog saved last (what hooks route with now) instead of reading one from a server")
    )
  },
  (args) => modelsProgram(args).pipe(Effect.provide(ModelsLive))
).pipe(Command.withDescription("Show the OpenCode models each tier resolves to now (from OpenCode's own catalog), and why"))
