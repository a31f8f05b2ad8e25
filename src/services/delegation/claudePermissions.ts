import * as Effect from "effect/Effect"
import * as path from "node:path"
import { type ClaudePermissionMode, parsePermissionMode, type SkippedFile } from "./agentDefinition"
import { type ClaudeRule, parseClaudeRule } from "./claudeRules"
import { type LoadedSettings, readSettingsFiles, type SettingsPlaces, type SettingsSource } from "./settingsFiles"

/**
 * The user's Claude Code permission rules, merged the way Claude Code merges them: `allow`, `ask`, `deny` and
 * `additionalDirectories` are the union over every settings file; `defaultMode` comes from the file of highest
 * precedence that sets one (managed > local > project > user). Claude Code evaluates deny first, then ask, then allow,
 * whatever file a rule is in; the order kept here is only for reading.
 */

export type RuleBehavior = "allow" | "ask" | "deny"

export interface SourcedRule {
  readonly behavior: RuleBehavior
  readonly rule: ClaudeRule
  readonly source: SettingsSource
  readonly file: string
  /** the file's project root: where a `/path` rule starts */
  readonly root: string
}

export interface ClaudePermissions {
  readonly rules: ReadonlyArray<SourcedRule>
  /** absolute, `~` expanded, relative ones resolved against their file's project root */
  readonly additionalDirectories: ReadonlyArray<string>
  readonly defaultMode: ClaudePermissionMode | null
  /** the settings files that were read */
  readonly files: ReadonlyArray<string>
  readonly skipped: ReadonlyArray<SkippedFile>
  /** entries that were not used (not strings, unknown modes) */
  readonly notes: ReadonlyArray<string>
}

export const NO_PERMISSIONS: ClaudePermissions = {
  rules: [],
  additionalDirectories: [],
  defaultMode: null,
  files: [],
  skipped: [],
  notes: []
}

const BEHAVIORS: ReadonlyArray<RuleBehavior> = ["deny", "ask", "allow"]

const expandDirectory = (entry: string, root: string, home: string): string =>
  entry === "~" ? home : entry.startsWith("~/") ? path.join(home, entry.slice(2)) : path.resolve(root, entry)

/** The merge of decoded settings files, lowest precedence first (pure). */
export const permissionsOf = (loaded: ReadonlyArray<LoadedSettings>, home: string): ClaudePermissions => {
  const rules: Array<SourcedRule> = []
  const directories: Array<string> = []
  const notes: Array<string> = []
  let defaultMode: ClaudePermissionMode | null = null
  for (const { file, root, settings, source } of loaded) {
    const permissions = settings.permissions
    if (permissions === undefined) continue
    for (const behavior of BEHAVIORS) {
      for (const entry of permissions[behavior] ?? []) {
        if (typeof entry === "string") rules.push({ behavior, rule: parseClaudeRule(entry), source, file, root })
        else notes.push(`${file}: permissions.${behavior} entry ${JSON.stringify(entry)} is not a string; ignored`)
      }
    }
    for (const entry of permissions.additionalDirectories ?? []) {
      if (typeof entry === "string" && entry.length > 0) {
        const directory = expandDirectory(entry, root, home)
        if (!directories.includes(directory)) directories.push(directory)
      } else notes.push(`${file}: permissions.additionalDirectories entry ${JSON.stringify(entry)} is not a path; ignored`)
    }
    if (permissions.defaultMode !== undefined) {
      const mode = parsePermissionMode(permissions.defaultMode)
      if (mode === null) notes.push(`${file}: permissions.defaultMode ${JSON.stringify(permissions.defaultMode)} is not a mode; ignored`)
      else defaultMode = mode
    }
  }
  return { rules, additionalDirectories: directories, defaultMode, files: loaded.map((l) => l.file), skipped: [], notes }
}

/** Read the settings files of a session and merge their permissions. Never fails: bad files are in `skipped`. */
export const readClaudePermissions = (places: SettingsPlaces & { readonly home: string }): Effect.Effect<ClaudePermissions> =>
  Effect.map(readSettingsFiles(places), ({ files, skipped }) => ({ ...permissionsOf(files, places.home), skipped }))
