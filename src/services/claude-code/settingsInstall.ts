import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { isJsonObject, type JsonObject, jsonEqual, omitKey } from "../../lib/jsonValue"
import type { InstallEntry, RecordedHook } from "./installRecord"
import type { CommandHook, OmcmHookSpec } from "./omcmHooks"

/**
 * What `omcm install` and `omcm uninstall` do to Claude Code's settings.json, as pure functions of the file's
 * object and the install record. Every key omcm does not own is carried over untouched (same value, same place).
 */

export interface WantedHook {
  readonly spec: OmcmHookSpec
  readonly hook: CommandHook
}

export interface InstallRequest {
  readonly settings: JsonObject
  /** the record of earlier installs into this file, or a fresh one */
  readonly entry: InstallEntry
  readonly statusLine: JsonObject
  /** empty unless `--hooks` */
  readonly hooks: ReadonlyArray<WantedHook>
  readonly force: boolean
}

/** Why a settings file cannot be changed as asked */
export type SettingsProblem =
  | { readonly _tag: "StatusLineConflict"; readonly current: unknown }
  | { readonly _tag: "Malformed"; readonly path: string; readonly expected: string; readonly got: unknown }

export type StatusLineChange = "added" | "updated" | "replaced" | "unchanged" | "removed" | "restored" | "changed-by-user"

export interface SettingsChanges {
  readonly statusLine: Option.Option<StatusLineChange>
  /** event names, in omcm's order */
  readonly hooksAdded: ReadonlyArray<string>
  readonly hooksUpdated: ReadonlyArray<string>
  readonly hooksPresent: ReadonlyArray<string>
  readonly hooksRemoved: ReadonlyArray<string>
  readonly hooksMissing: ReadonlyArray<string>
}

export interface Planned {
  readonly settings: JsonObject
  readonly entry: InstallEntry
  readonly changes: SettingsChanges
  /** whether `settings` differs from the file's object */
  readonly changed: boolean
}

export const noChanges: SettingsChanges = {
  statusLine: Option.none(),
  hooksAdded: [],
  hooksUpdated: [],
  hooksPresent: [],
  hooksRemoved: [],
  hooksMissing: []
}

const malformed = (path: string, expected: string, got: unknown): SettingsProblem => ({ _tag: "Malformed", path, expected, got })

/** `hooks` of a settings object; undefined when absent */
const hooksOf = (settings: JsonObject): Either.Either<JsonObject | undefined, SettingsProblem> => {
  const hooks = settings.hooks
  if (hooks === undefined) return Either.right(undefined)
  return isJsonObject(hooks) ? Either.right(hooks) : Either.left(malformed("hooks", "an object", hooks))
}

const groupsOf = (hooks: JsonObject | undefined, event: string): Either.Either<ReadonlyArray<unknown> | undefined, SettingsProblem> => {
  const groups = hooks?.[event]
  if (groups === undefined) return Either.right(undefined)
  return Array.isArray(groups) ? Either.right(groups) : Either.left(malformed(`hooks.${event}`, "an array", groups))
}

const hasCommand = (group: unknown, command: string): boolean =>
  isJsonObject(group) && Array.isArray(group.hooks) && group.hooks.some((h) => isJsonObject(h) && h.command === command)

/** Remove one hook with `command` from `groups`, preferring a group with `matcher`; a group left empty goes too. */
const withoutHook = (groups: ReadonlyArray<unknown>, matcher: string | undefined, command: string): Option.Option<ReadonlyArray<unknown>> => {
  const exact = groups.findIndex((g) => hasCommand(g, command) && isJsonObject(g) && g.matcher === matcher)
  const index = exact >= 0 ? exact : groups.findIndex((g) => hasCommand(g, command))
  const group = groups[index]
  if (index < 0 || !isJsonObject(group) || !Array.isArray(group.hooks)) return Option.none()
  const inner: ReadonlyArray<unknown> = group.hooks
  const at = inner.findIndex((h) => isJsonObject(h) && h.command === command)
  const rest = inner.filter((_, i) => i !== at)
  return Option.some(rest.length === 0 ? groups.filter((_, i) => i !== index) : groups.map((g, i) => (i === index ? { ...group, hooks: rest } : g)))
}

const setKey = (object: JsonObject, key: string, value: unknown): JsonObject => ({ ...object, [key]: value })

const planStatusLine = (request: InstallRequest): Either.Either<{ settings: JsonObject; entry: InstallEntry; change: StatusLineChange }, SettingsProblem> => {
  const { entry, settings, statusLine: wanted } = request
  const present = Object.hasOwn(settings, "statusLine")
  const current = settings.statusLine
  if (present && jsonEqual(current, wanted)) return Either.right({ settings, entry, change: "unchanged" })
  const installed = (previous: Option.Option<unknown>) => ({ ...entry, statusLine: { installed: wanted, previous } })
  // ours from an earlier install, with another path to omcm: point it at this one, keep what it replaced
  if (present && entry.statusLine !== undefined && jsonEqual(current, entry.statusLine.installed)) {
    return Either.right({ settings: setKey(settings, "statusLine", wanted), entry: installed(entry.statusLine.previous), change: "updated" })
  }
  if (!present) return Either.right({ settings: setKey(settings, "statusLine", wanted), entry: installed(Option.none()), change: "added" })
  if (!request.force) return Either.left({ _tag: "StatusLineConflict", current })
  return Either.right({ settings: setKey(settings, "statusLine", wanted), entry: installed(Option.some(current)), change: "replaced" })
}

interface HookStep {
  readonly settings: JsonObject
  readonly entry: InstallEntry
  readonly added: ReadonlyArray<string>
  readonly updated: ReadonlyArray<string>
  readonly present: ReadonlyArray<string>
}

const addHook = (step: HookStep, wanted: WantedHook): Either.Either<HookStep, SettingsProblem> =>
  Either.gen(function*() {
    const { event, matcher } = wanted.spec
    const command = wanted.hook.command
    const hooks = yield* hooksOf(step.settings)
    const groups = yield* groupsOf(hooks, event)
    if (groups?.some((g) => hasCommand(g, command)) === true) return { ...step, present: [...step.present, event] }

    // an earlier install's hook for this event with another path to omcm: replace it rather than run both
    let rest: ReadonlyArray<unknown> | undefined = groups
    let inherited = false
    const stale: Array<RecordedHook> = []
    for (const old of step.entry.hooks.filter((h) => h.event === event && h.command !== command)) {
      const without = rest === undefined ? Option.none() : withoutHook(rest, old.matcher, old.command)
      if (Option.isSome(without)) {
        rest = without.value
        inherited = inherited || old.createdEvent
        stale.push(old)
      }
    }
    const group = { ...(matcher === undefined ? {} : { matcher }), hooks: [wanted.hook] }
    const recorded: RecordedHook = { event, ...(matcher === undefined ? {} : { matcher }), command, createdEvent: groups === undefined || inherited }
    return {
      settings: setKey(step.settings, "hooks", setKey(hooks ?? {}, event, [...(rest ?? []), group])),
      entry: {
        ...step.entry,
        createdHooksKey: step.entry.createdHooksKey || hooks === undefined,
        hooks: [...step.entry.hooks.filter((h) => !stale.includes(h)), recorded]
      },
      added: stale.length === 0 ? [...step.added, event] : step.added,
      updated: stale.length === 0 ? step.updated : [...step.updated, event],
      present: step.present
    }
  })

/** Add omcm's statusLine (and hooks) to a settings object; Left when the user's own statusLine is in the way. */
export const planInstall = (request: InstallRequest): Either.Either<Planned, SettingsProblem> =>
  Either.gen(function*() {
    const status = yield* planStatusLine(request)
    let step: HookStep = { settings: status.settings, entry: status.entry, added: [], updated: [], present: [] }
    for (const wanted of request.hooks) step = yield* addHook(step, wanted)
    return {
      settings: step.settings,
      entry: step.entry,
      changes: {
        ...noChanges,
        statusLine: Option.some(status.change),
        hooksAdded: step.added,
        hooksUpdated: step.updated,
        hooksPresent: step.present
      },
      changed: status.change !== "unchanged" || step.added.length > 0 || step.updated.length > 0
    }
  })

export interface PlannedUninstall {
  readonly settings: JsonObject
  readonly changes: SettingsChanges
  readonly changed: boolean
  /** install created the file and nothing else is left in it */
  readonly deleteFile: boolean
}

const removeRecordedHooks = (settings: JsonObject, entry: InstallEntry): { settings: JsonObject; removed: Array<string>; missing: Array<string> } => {
  const removed: Array<string> = []
  const missing: Array<string> = []
  let hooks = isJsonObject(settings.hooks) ? settings.hooks : undefined
  for (const recorded of entry.hooks) {
    const groups = hooks?.[recorded.event]
    const without = hooks === undefined || !Array.isArray(groups) ? Option.none() : withoutHook(groups, recorded.matcher, recorded.command)
    if (hooks === undefined || Option.isNone(without)) {
      missing.push(recorded.event)
      continue
    }
    removed.push(recorded.event)
    hooks = without.value.length === 0 && recorded.createdEvent
      ? omitKey(hooks, recorded.event)
      : setKey(hooks, recorded.event, without.value)
  }
  if (hooks === undefined || removed.length === 0) return { settings, removed, missing }
  const emptied = Object.keys(hooks).length === 0 && entry.createdHooksKey
  return { settings: emptied ? omitKey(settings, "hooks") : setKey(settings, "hooks", hooks), removed, missing }
}

/** Take back exactly what the record says install added; a statusLine the user changed since is left alone. */
export const planUninstall = (settings: JsonObject, entry: InstallEntry): PlannedUninstall => {
  let next = settings
  let statusLine: Option.Option<StatusLineChange> = Option.none()
  if (entry.statusLine !== undefined) {
    const ours = Object.hasOwn(settings, "statusLine") && jsonEqual(settings.statusLine, entry.statusLine.installed)
    if (!ours) statusLine = Option.some("changed-by-user")
    else if (Option.isSome(entry.statusLine.previous)) {
      next = setKey(next, "statusLine", entry.statusLine.previous.value)
      statusLine = Option.some("restored")
    } else {
      next = omitKey(next, "statusLine")
      statusLine = Option.some("removed")
    }
  }
  const hooks = removeRecordedHooks(next, entry)
  const changed = hooks.removed.length > 0 || Option.exists(statusLine, (s) => s === "restored" || s === "removed")
  return {
    settings: hooks.settings,
    changes: { ...noChanges, statusLine, hooksRemoved: hooks.removed, hooksMissing: hooks.missing },
    changed,
    deleteFile: changed && entry.createdFile && Object.keys(hooks.settings).length === 0
  }
}
