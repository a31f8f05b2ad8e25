import { Command, Options } from "@effect/cli"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { OmcmConfig } from "../../domain/configSchema"
import { type Tier, TIERS } from "../../domain/model"
import { ConfigLive, StateLive } from "../../layers/core"
import { formatMs, formatTokens } from "../../lib/format"
import { renderTable } from "../../lib/table"
import { type BalancerStats, balancerSettings, ProviderBalancer } from "../../services/balancer"
import { Config } from "../../services/config"
import { CatalogCache, type OpencodeCatalog, resolveTiers } from "../../services/models"

const clock = (ms: number) => new Date(ms).toISOString().slice(11, 19)

/** a candidate's cooldown: its own (`openai/gpt-6-sol`) or its provider's (`openai`) */
const coolingOf = (stats: BalancerStats, id: string) =>
  stats.coolingDown.find((c) => c.target === id || c.target === id.slice(0, Math.max(0, id.indexOf("/"))))

export interface TierCandidate {
  readonly id: string
  /** its own cooldown or its provider's, when one is running */
  readonly cooling: BalancerStats["coolingDown"][number] | undefined
}

/** each tier's OpenCode candidates, resolved against the saved catalog (else the configured ids), in order */
export const candidatesPerTier = (
  config: OmcmConfig,
  catalog: OpencodeCatalog | undefined,
  live: BalancerStats
): Readonly<Record<Tier, ReadonlyArray<TierCandidate>>> => {
  const tiers = resolveTiers(config, catalog)
  const of = (tier: Tier) => tiers[tier].candidates.map((c) => ({ id: c.id, cooling: coolingOf(live, c.id) }))
  return { HIGH: of("HIGH"), MEDIUM: of("MEDIUM"), LOW: of("LOW") }
}

/**
 * The provider balancer as configured (agent-mapping.json over the defaults) and as it stands now: the state every
 * omcm process shares (latencies, tokens, the last minute's calls and failures, cooldowns), and each tier's candidates
 * resolved from the saved OpenCode catalog.
 */
export const balancerStatsProgram = (json: boolean) =>
  Effect.gen(function*() {
    const { config, files, mapping } = yield* Config
    const settings = balancerSettings(mapping)
    const live = yield* (yield* ProviderBalancer).getStats
    const catalog = Option.getOrUndefined(yield* (yield* CatalogCache).read)
    const fromMapping = (name: string) => mapping.providers?.[name] !== undefined
    const strategySource = mapping.balancingStrategy === undefined ? "default" : files.mapping
    const candidates = Object.fromEntries(Object.entries(candidatesPerTier(config, catalog, live)).map(([tier, list]) => [
      tier,
      list.map((c) => ({ id: c.id, ...(c.cooling === undefined ? {} : { coolingDownUntil: new Date(c.cooling.until).toISOString(), reason: c.cooling.reason }) }))
    ]))
    if (json) {
      return yield* Console.log(JSON.stringify({
        strategy: settings.strategy,
        strategySource,
        latencyWindow: settings.latencyWindow,
        providers: settings.providers.map(([name, p]) => ({ name, ...p, source: fromMapping(name) ? files.mapping : "default" })),
        live: {
          latencies: live.latencies,
          latencySamples: live.latencySamples,
          tokenUsage: live.tokenUsage,
          recentCalls: live.recentCalls,
          coolingDown: live.coolingDown.map((c) => ({ ...c, until: new Date(c.until).toISOString() }))
        },
        catalog: catalog === undefined ? null : { fetchedAt: catalog.fetchedAt, source: catalog.source },
        candidates
      }))
    }
    const recentNames = Object.keys(live.recentCalls).filter((name) => !settings.providers.some(([n]) => n === name))
    yield* Console.log([
      `strategy: ${settings.strategy}${strategySource === "default" ? " (default)" : ` (from ${strategySource})`}`,
      `latency window: ${settings.latencyWindow} samples`,
      "",
      renderTable(
        ["PROVIDER", "WEIGHT", "PRIORITY", "ENABLED", "MODELS", "FROM"],
        settings.providers.map(([name, p]) => [
          name,
          String(p.weight),
          String(p.priority),
          p.enabled ? "yes" : "no",
          p.models.length === 0 ? "-" : p.models.join(", "),
          fromMapping(name) ? "agent-mapping.json" : "default"
        ]),
        ["l", "r", "r", "l", "l", "l"]
      ),
      "",
      "now (shared by every omcm process):",
      renderTable(
        ["PROVIDER", "LATENCY AVG", "SAMPLES", "TOKENS", "CALLS (1 MIN)", "FAILED"],
        [...settings.providers.map(([name]) => name), ...recentNames].map((name) => {
          const latency = live.latencies[name] ?? null
          const recent = live.recentCalls[name]
          return [
            name,
            latency === null ? "-" : formatMs(latency),
            String(live.latencySamples[name] ?? 0),
            formatTokens(live.tokenUsage[name] ?? 0),
            String(recent?.calls ?? 0),
            String(recent?.failed ?? 0)
          ]
        }),
        ["l", "r", "r", "r", "r", "r"]
      ),
      live.coolingDown.length === 0
        ? "cooling down: none"
        : `cooling down: ${live.coolingDown.map((c) => `${c.target} until ${clock(c.until)} UTC (${c.reason})`).join("; ")}`,
      "",
      `candidates per tier (${catalog === undefined ? "no OpenCode catalog read yet: the configured ids" : `OpenCode catalog of ${catalog.fetchedAt}`}):`,
      ...TIERS.map((tier) => {
        const list = candidates[tier] ?? []
        return `  ${tier.padEnd(6)} ${
          list.length === 0 ? "none usable: stays on Claude" : list.map((c) => c.coolingDownUntil === undefined ? c.id : `${c.id} (cooling down)`).join(", ")
        }`
      })
    ].join("\n"))
  })

const BalancerStatsLive = Layer.mergeAll(ProviderBalancer.layerWithoutDependencies, CatalogCache.layerWithoutDependencies).pipe(
  Layer.provideMerge(Layer.merge(StateLive, ConfigLive))
)

const stats = Command.make("stats", { json: Options.boolean("json").pipe(Options.withDescription("print one JSON object")) }, ({ json }) =>
  balancerStatsProgram(json).pipe(Effect.provide(BalancerStatsLive))).pipe(
    Command.withDescription(
      "Show the provider balancer: strategy, each provider's weight, priority and models, the live state (latency, tokens, failures, cooldowns) and each tier's candidates"
    )
  )

export const balancerCommand = Command.make("balancer").pipe(
  Command.withDescription("Inspect the multi-provider balancer"),
  Command.withSubcommands([stats])
)
