import { Command, Options } from "@effect/cli"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { ConfigError, SettingsError } from "../../domain/errors"
import {
  type InstallEntry,
  commandHook,
  OMCM_HOOKS,
  statuslineCommand,
  planInstall,
  pluginEnabled,
  planUninstall,
  type SettingsChanges,
  type SettingsProblem,
  type StatusLineChange,
  ClaudeSettings,
  InstallRecords
} from "../../services/claude-code"
import { isJsonObject, type JsonObject } from "../../lib/jsonValue"
import { Paths } from "../../services/config"
import { currentLauncher } from "./launcher"

const brief = (value: unknown): string => {
  const text = isJsonObject(value) && typeof value.command === "string" ? `command ${JSON.stringify(value.command)}` : JSON.stringify(value) ?? String(value)
  return text.length > 80 ? `${text.slice(0, 77)}...` : text
}

const problemError = (file: string, problem: SettingsProblem) =>
  problem._tag === "StatusLineConflict"
    ? new SettingsError({
      file,
      message: `${file} already has a statusLine (${brief(problem.current)}); run omcm install --force to replace it (omcm uninstall puts it back)`
    })
    : new ConfigError({ file, message: `${file}: ${problem.path}: expected ${problem.expected}, got ${brief(problem.got)}; nothing was changed` })

const stampOf = (millis: number) => new Date(millis).toISOString().replace(/[:.]/g, "-")

const hookNames = (events: ReadonlyArray<string>) => events.join(", ")

const statusLineText = (change: StatusLineChange, command: string): string => {
  switch (change) {
    case "added":
      return `statusLine: added (${command})`
    case "updated":
      return `statusLine: updated to ${command}`
    case "replaced":
      return `statusLine: replaced yours with ${command} (omcm uninstall puts yours back)`
    case "unchanged":
      return "statusLine: already installed"
    case "removed":
      return "statusLine: removed"
    case "restored":
      return "statusLine: restored the one omcm install --force had replaced"
    case "changed-by-user":
      return "statusLine: left as it is (it is no longer the one omcm installed)"
  }
}

const changeLines = (changes: SettingsChanges, statusLineCommand: string): ReadonlyArray<string> => [
  ...Option.toArray(Option.map(changes.statusLine, (change) => statusLineText(change, statusLineCommand))),
  ...(changes.hooksAdded.length > 0 ? [`hooks: added ${hookNames(changes.hooksAdded)}`] : []),
  ...(changes.hooksUpdated.length > 0 ? [`hooks: updated ${hookNames(changes.hooksUpdated)} to this omcm`] : []),
  ...(changes.hooksPresent.length > 0 ? [`hooks: already installed ${hookNames(changes.hooksPresent)}`] : []),
  ...(changes.hooksRemoved.length > 0 ? [`hooks: removed ${hookNames(changes.hooksRemoved)}`] : []),
  ...(changes.hooksMissing.length > 0 ? [`hooks: already gone ${hookNames(changes.hooksMissing)}`] : [])
]

/** `omcm install`: omcm's statusLine (and with --hooks its hooks) in Claude Code's user settings. */
export const installProgram = (options: { readonly force: boolean; readonly hooks: boolean }) =>
  Effect.gen(function*() {
    const settingsFile = yield* ClaudeSettings
    const records = yield* InstallRecords
    const file = settingsFile.file
    const launcher = yield* currentLauncher
    const now = yield* Clock.currentTimeMillis
    const existing = yield* settingsFile.read
    const settings = Option.getOrElse(existing, (): JsonObject => ({}))
    const recorded = yield* records.get(file)
    const entry = Option.getOrElse(recorded, (): InstallEntry => ({
      settingsFile: file,
      installedAt: new Date(now).toISOString(),
      createdFile: Option.isNone(existing),
      createdHooksKey: false,
      hooks: []
    }))
    const statusLineCommand = statuslineCommand(launcher)
    const planned = yield* Either.match(
      planInstall({
        settings,
        entry,
        statusLine: { type: "command", command: statusLineCommand, padding: 0 },
        hooks: options.hooks ? OMCM_HOOKS.map((spec) => ({ spec, hook: commandHook(launcher, spec) })) : [],
        force: options.force
      }),
      { onLeft: (problem) => Effect.fail(problemError(file, problem)), onRight: Effect.succeed }
    )
    if (!planned.changed) {
      yield* Console.log(`omcm is already installed in ${file}; nothing changed`)
      return
    }
    // the file as it was before omcm first touched it, once per install record
    const backup = entry.backup === undefined && Option.isSome(existing) ? yield* settingsFile.backup(stampOf(now)) : entry.backup
    // the record first: should the settings write fail, uninstall only removes what it finds
    yield* records.put({ ...planned.entry, ...(backup === undefined ? {} : { backup }) })
    yield* settingsFile.write(planned.settings)
    if (backup !== entry.backup && backup !== undefined) yield* Console.log(`backed up ${file} to ${backup}`)
    for (const line of changeLines(planned.changes, statusLineCommand)) yield* Console.log(line)
    if (options.hooks && pluginEnabled(settings)) {
      yield* Console.log("note: the omcm plugin is enabled as well; its hooks and these would both run (disable one of them)")
    }
    yield* Console.log(`installed into ${file}; omcm uninstall takes it out again`)
  })

/** `omcm uninstall`: take out exactly what install put in, restoring a statusLine it replaced. */
export const uninstallProgram = Effect.gen(function*() {
  const settingsFile = yield* ClaudeSettings
  const records = yield* InstallRecords
  const file = settingsFile.file
  const recorded = yield* records.get(file)
  if (Option.isNone(recorded)) {
    yield* Console.log(`omcm is not installed in ${file}; nothing to do`)
    return
  }
  const entry = recorded.value
  const existing = yield* settingsFile.read
  if (Option.isNone(existing)) {
    yield* records.remove(file)
    yield* Console.log(`${file} no longer exists; nothing to do (install record dropped)`)
    return
  }
  const planned = planUninstall(existing.value, entry)
  if (planned.deleteFile) yield* settingsFile.remove
  else if (planned.changed) yield* settingsFile.write(planned.settings)
  yield* records.remove(file)
  for (const line of changeLines(planned.changes, "")) yield* Console.log(line)
  yield* Console.log(
    planned.deleteFile
      ? `removed ${file}, which omcm install had created`
      : planned.changed
      ? `uninstalled from ${file}${entry.backup === undefined ? "" : ` (the file before install: ${entry.backup})`}`
      : `nothing of omcm's was left in ${file}; nothing changed`
  )
})

export const InstallLive = Layer.mergeAll(ClaudeSettings.layerWithoutDependencies, InstallRecords.layerWithoutDependencies).pipe(Layer.provide(Paths.layer))

export const installCommand = Command.make(
  "install",
  {
    force: Options.boolean("force").pipe(
      Options.withDescription("replace a statusLine of yours (omcm uninstall puts it back)")
    ),
    hooks: Options.boolean("hooks").pipe(
      Options.withDescription("also add omcm's hooks to settings.json (for use without the plugin)")
    )
  },
  (options) => installProgram(options).pipe(Effect.provide(InstallLive))
).pipe(Command.withDescription("Add omcm's statusline (and with --hooks its hooks) to Claude Code's settings.json"))

export const uninstallCommand = Command.make("uninstall", {}, () => uninstallProgram.pipe(Effect.provide(InstallLive))).pipe(
  Command.withDescription("Take out of Claude Code's settings.json exactly what omcm install put in")
)
