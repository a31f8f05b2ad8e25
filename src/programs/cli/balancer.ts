import { Command, Options } from "@effect/cli"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { balancerSettings } from "../../services/balancer"
import { ConfigLive } from "../../layers/core"
import { renderTable } from "../../lib/table"
import { Config } from "../../services/config"

/** The provider balancer's settings as the configuration gives them (agent-mapping.json over the defaults). */
export const balancerStatsProgram = (json: boolean) =>
  Effect.gen(function*() {
    const { files, mapping } = yield* Config
    const settings = balancerSettings(mapping)
    const fromMapping = (name: string) => mapping.providers?.[name] !== undefined
    const strategySource = mapping.balancingStrategy === undefined ? "default" : files.mapping
    if (json) {
      return yield* Console.log(JSON.stringify({
        strategy: settings.strategy,
        strategySource,
        latencyWindow: settings.latencyWindow,
        providers: settings.providers.map(([name, p]) => ({ name, ...p, source: fromMapping(name) ? files.mapping : "default" }))
      }))
    }
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
      )
    ].join("\n"))
  })

const stats = Command.make("stats", { json: Options.boolean("json").pipe(Options.withDescription("print one JSON object")) }, ({ json }) =>
  balancerStatsProgram(json).pipe(Effect.provide(ConfigLive))).pipe(
    Command.withDescription("Show the provider balancer's configuration: strategy, and each provider's weight, priority, enabled")
  )

export const balancerCommand = Command.make("balancer").pipe(
  Command.withDescription("Inspect the multi-provider balancer"),
  Command.withSubcommands([stats])
)
