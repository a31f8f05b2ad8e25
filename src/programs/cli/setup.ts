import { Command, Options, Prompt } from "@effect/cli"
import * as PlatformCommand from "@effect/platform/Command"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { InputError } from "../../domain/errors"
import { type Tier, TIERS } from "../../domain/model"
import { ConfigLive } from "../../layers/core"
import { Config, setTierModels } from "../../services/config"
import { type OpencodeCatalog, resolveTier, resolveTiers, usableModels, whyNoCandidate } from "../../services/models"
import { resolveBinary } from "../../services/pool"
import { doctorProgram } from "./doctor"
import { InstallLive, installProgram } from "./install"
import { ModelsLive, readCatalogNow } from "./models"

interface SetupOptions {
  readonly yes: boolean
  readonly models: Readonly<Record<Tier, Option.Option<string>>>
  readonly hooks: boolean
  readonly install: boolean
  readonly force: boolean
  readonly doctor: boolean
}

const step = (n: number, title: string) => Console.log(`\n[${n}/4] ${title}`)

const readCatalog = readCatalogNow(true).pipe(Effect.map((r) => r.catalog), Effect.provide(ModelsLive), Effect.scoped)

/** `opencode auth login` on this terminal (it asks for the provider and the key itself) */
const authLogin = Effect.gen(function*() {
  const { config } = yield* Config
  const bin = yield* resolveBinary("opencode", config.pool.opencodeBin, "OMCM_OPENCODE_BIN", process.env)
  return yield* PlatformCommand.make(bin, "auth", "login").pipe(
    PlatformCommand.stdin("inherit"),
    PlatformCommand.stdout("inherit"),
    PlatformCommand.stderr("inherit"),
    PlatformCommand.exitCode
  )
})

const CONNECT_HELP = [
  "  omcm reaches providers through OpenCode, with OpenCode's own credentials. Connect one or more with:",
  "    opencode auth login          (choose OpenAI, Google, Anthropic, OpenRouter, ...; paste the key or log in)",
  "  or put the provider's key in the environment omcm runs in (OPENAI_API_KEY, GOOGLE_GENERATIVE_AI_API_KEY, ...)."
].join("\n")

const providersLine = (catalog: OpencodeCatalog) =>
  `  connected: ${catalog.connected.length === 0 ? "none" : catalog.connected.join(", ")}`

/** Step 1: the providers OpenCode has credentials for; on a terminal, `opencode auth login` until the user is done. */
const connectProviders = (interactive: boolean) =>
  Effect.gen(function*() {
    yield* step(1, "Connect your providers")
    let catalog = yield* readCatalog
    yield* Console.log(providersLine(catalog))
    if (!interactive) {
      if (catalog.connected.length === 0) yield* Console.log(CONNECT_HELP)
      return catalog
    }
    yield* Console.log(CONNECT_HELP)
    while (yield* Prompt.run(Prompt.confirm({ message: "Run opencode auth login now?", initial: catalog.connected.length === 0 }))) {
      const code = yield* authLogin
      if (code !== 0) yield* Console.log(`  opencode auth login exited with ${code}`)
      catalog = yield* readCatalog
      yield* Console.log(providersLine(catalog))
    }
    return catalog
  })

/** A flag's model: it must be usable now (connected provider, in the catalog, tool calls). */
const checkFlagModel = (tier: Tier, id: string, catalog: OpencodeCatalog) => {
  const resolution = resolveTier(tier, id, catalog)
  return resolution.candidates.length > 0
    ? Effect.succeed(id)
    : Effect.fail(new InputError({ message: `--model-${tier.toLowerCase()} ${id}: ${whyNoCandidate(resolution)}` }))
}

const MODELS_SHOWN = 25

/** the tier's own candidates first, then the newest usable models */
const ranked = <M extends { readonly id: string }>(candidates: ReadonlyArray<string>, usable: ReadonlyArray<M>): ReadonlyArray<M> =>
  [
    ...candidates.flatMap((id) => usable.filter((m) => m.id === id)),
    ...usable.filter((m) => !candidates.includes(m.id))
  ].slice(0, MODELS_SHOWN)

/** Step 2: a model per tier, from the flags, or on a terminal chosen from the usable models. */
const chooseModels = (options: SetupOptions, interactive: boolean, catalog: OpencodeCatalog) =>
  Effect.gen(function*() {
    yield* step(2, "Choose a model per tier")
    const { config, files } = yield* Config
    const current = resolveTiers(config, catalog)
    const usable = usableModels(catalog)
    const chosen: Partial<Record<Tier, string>> = {}
    for (const tier of TIERS) {
      const flag = options.models[tier]
      const now = current[tier].candidates[0]?.id
      if (Option.isSome(flag)) {
        chosen[tier] = yield* checkFlagModel(tier, flag.value, catalog)
      } else if (interactive && usable.length > 0) {
        const keep = { title: `keep the current setting (${now ?? "no usable model: stays on Claude"})`, value: "" }
        const picked = yield* Prompt.run(Prompt.select({
          message: `${tier} tier (${config.models[tier].claude} on Claude)`,
          choices: [keep, ...ranked(current[tier].candidates.map((c) => c.id), usable).map((m) => ({ title: m.id, value: m.id, description: m.model.releaseDate ?? "" }))],
          maxPerPage: 12
        }))
        if (picked.length > 0) chosen[tier] = picked
      }
      const final = chosen[tier] ?? now
      yield* Console.log(`  ${tier}: ${final === undefined ? `no usable OpenCode model (${whyNoCandidate(current[tier])})` : final}${chosen[tier] === undefined ? "" : " (set)"}`)
    }
    if (Object.keys(chosen).length > 0) {
      yield* setTierModels(files.config, files.mapping, chosen)
      yield* Console.log(`  saved in ${files.config}`)
    }
  })

/** Step 3: the statusline and (unless --no-hooks) the hooks in Claude Code's settings. */
const installSettings = (options: SetupOptions, interactive: boolean) =>
  Effect.gen(function*() {
    yield* step(3, "Install the statusline and hooks into Claude Code")
    if (!options.install) return yield* Console.log("  skipped (--no-install)")
    const hooks = options.hooks && (!interactive || (yield* Prompt.run(Prompt.confirm({
      message: "Add omcm's hooks to Claude Code's settings.json? (No if you load omcm as a plugin: claude --plugin-dir)",
      initial: true
    }))))
    yield* installProgram({ force: options.force, hooks }).pipe(Effect.provide(InstallLive))
  })

/** `omcm setup`: providers, models per tier, settings, then doctor; on a terminal it asks, else it takes the flags. */
export const setupProgram = (options: SetupOptions) =>
  Effect.gen(function*() {
    const interactive = !options.yes && process.stdin.isTTY === true && process.stdout.isTTY === true
    yield* Console.log(interactive ? "omcm setup: four steps; Ctrl-C stops at any point." : "omcm setup (non-interactive: the flags and the current settings)")
    const catalog = yield* connectProviders(interactive)
    yield* chooseModels(options, interactive, catalog).pipe(Effect.provide(ConfigLive))
    yield* installSettings(options, interactive)
    yield* step(4, "Check everything: omcm doctor")
    if (!options.doctor) return yield* Console.log("  skipped (--no-doctor)")
    yield* doctorProgram({ json: false })
  }).pipe(Effect.provide(ConfigLive))

const modelFlag = (tier: Tier) =>
  Options.text(`model-${tier.toLowerCase()}`).pipe(
    Options.withDescription(`the OpenCode model of the ${tier} tier (provider/model; omcm models lists them)`),
    Options.optional
  )

export const setupCommand = Command.make(
  "setup",
  {
    yes: Options.boolean("yes").pipe(Options.withAlias("y"), Options.withDescription("ask nothing: apply the flags, keep the rest")),
    high: modelFlag("HIGH"),
    medium: modelFlag("MEDIUM"),
    low: modelFlag("LOW"),
    noHooks: Options.boolean("no-hooks").pipe(Options.withDescription("install the statusline only (you load omcm as a plugin)")),
    noInstall: Options.boolean("no-install").pipe(Options.withDescription("leave Claude Code's settings.json alone")),
    force: Options.boolean("force").pipe(Options.withDescription("replace a statusLine of yours (omcm uninstall puts it back)")),
    noDoctor: Options.boolean("no-doctor").pipe(Options.withDescription("skip the final omcm doctor"))
  },
  (o) =>
    setupProgram({
      yes: o.yes,
      models: { HIGH: o.high, MEDIUM: o.medium, LOW: o.low },
      hooks: !o.noHooks,
      install: !o.noInstall,
      force: o.force,
      doctor: !o.noDoctor
    })
).pipe(Command.withDescription("Set omcm up: connect providers (opencode auth login), choose models per tier, install the statusline and hooks, run doctor"))
