import { Command, Options } from "@effect/cli"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as fs from "node:fs"
import * as path from "node:path"
import { defaultConfig } from "../../domain/defaults"
import { TIERS } from "../../domain/model"
import { permissionsUnder } from "../../lib/privateFiles"
import { ConfigLive } from "../../layers/core"
import { makeClaudeSettings } from "../../services/claude-code"
import { Config, Paths } from "../../services/config"
import {
  type CatalogRead,
  type Check,
  claudeCheck,
  configCheck,
  daemonCheck,
  databaseCheck,
  doctorExitCode,
  formatCheck,
  hooksCheck,
  modesCheck,
  nodeCheck,
  opencodeCheck,
  pricesCheck,
  providersCheck,
  statuslineCheck,
  tierCheck,
  usageCheck
} from "../../services/doctor"
import { makeCatalogCache, resolveTiers } from "../../services/models"
import { quickCheck } from "../../services/store"
import { probeCatalog, probeClaude, probeDaemon, probeOpencode, probeUsage } from "./doctorProbes"
import { currentLauncher } from "./launcher"

/**
 * `omcm doctor`: every check in turn, one line each (printed as it is known), exit 1 when one failed. With `json`,
 * one object `{ok, checks: [{id, status, detail, fix}]}` at the end.
 */
export const doctorProgram = (options: { readonly json: boolean }) =>
  Effect.gen(function*() {
    const checks: Array<Check> = []
    const report = (check: Check) => {
      checks.push(check)
      return options.json ? Effect.void : Console.log(formatCheck(check))
    }
    const paths = Paths.fromEnv(process.env)
    yield* report(nodeCheck(process.versions.node))

    const loaded = yield* Effect.either(Config.pipe(Effect.provide(ConfigLive)))
    yield* report(configCheck(Either.isLeft(loaded) ? loaded.left.message : null, [paths.configFile, paths.mappingFile]))
    const config = Either.isRight(loaded) ? loaded.right.config : defaultConfig

    const opencode = yield* probeOpencode(config)
    yield* report(opencodeCheck(opencode))
    const savedCatalog = Option.getOrUndefined(yield* makeCatalogCache(paths.modelsFile).read)
    const catalog: CatalogRead = Either.isLeft(loaded)
      ? { _tag: "Skipped", why: "the configuration is invalid" }
      : opencode._tag === "Missing" || opencode.version === null
      ? { _tag: "Skipped", why: "OpenCode cannot be run" }
      : yield* probeCatalog
    yield* report(providersCheck(catalog))
    if (catalog._tag === "Read") {
      const tiers = resolveTiers(config, catalog.catalog)
      for (const tier of TIERS) yield* report(tierCheck(tier, tiers[tier]))
    }
    yield* report(pricesCheck(savedCatalog, catalog, yield* Clock.currentTimeMillis))

    yield* report(claudeCheck(yield* probeClaude(config)))
    const settingsFile = makeClaudeSettings(path.resolve(paths.claudeConfigDir, "settings.json"))
    const settings = yield* Effect.either(settingsFile.read)
    const launcher = yield* currentLauncher
    if (Either.isLeft(settings)) {
      yield* report({ id: "hooks", status: "fail", detail: settings.left.message, fix: `fix or remove ${settingsFile.file}` })
    } else {
      const object = Option.getOrNull(settings.right)
      yield* report(hooksCheck(settingsFile.file, object, launcher, fs.existsSync(path.join(paths.claudeConfigDir, "skills", "omcm", ".claude-plugin"))))
      yield* report(statuslineCheck(settingsFile.file, object, launcher))
    }
    yield* report(usageCheck(yield* probeUsage(paths, config.usage.statuslineMaxAgeSeconds)))
    yield* report(daemonCheck(yield* probeDaemon(paths)))
    yield* report(databaseCheck(paths.dbFile, yield* quickCheck(paths.dbFile)))
    const modes = yield* Effect.try(() => permissionsUnder(paths.stateDir)).pipe(Effect.either)
    yield* report(Either.isRight(modes)
      ? modesCheck(paths.stateDir, modes.right)
      : { id: "modes", status: "fail", detail: `cannot read ${paths.stateDir}: ${String(modes.left.error)}`, fix: `chmod -R u+rwX ${paths.stateDir}` })

    const code = doctorExitCode(checks)
    if (options.json) {
      yield* Console.log(JSON.stringify({ ok: code === 0, checks }))
    } else {
      const count = (s: Check["status"]) => checks.filter((c) => c.status === s).length
      yield* Console.log(`\nomcm doctor: ${count("ok")} ok, ${count("warn")} warn, ${count("fail")} fail`)
    }
    if (code !== 0) process.exitCode = code
  })

export const doctorCommand = Command.make(
  "doctor",
  { json: Options.boolean("json").pipe(Options.withDescription("print one JSON object {ok, checks: [{id, status, detail, fix}]}")) },
  (options) => doctorProgram(options)
).pipe(Command.withDescription("Check the set-up (Node, OpenCode and its providers, models, Claude Code, hooks, daemon, database, file modes); exit 1 when a check fails"))
