import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as fs from "node:fs"
import * as path from "node:path"
import { formatParseError } from "../../lib/schemaErrors"
import type { SkippedFile } from "./agentDefinition"

/**
 * The Claude Code settings files a session reads (verified with 2.1.330 and its debug log):
 *
 * - user: `<CLAUDE_CONFIG_DIR or ~/.claude>/settings.json`;
 * - project: `<cwd>/.claude/settings.json` (only the session directory: a parent's is not read);
 * - local: `<git root>/.claude/settings.local.json` and `<cwd>/.claude/settings.local.json`;
 * - managed: `/etc/claude-code/managed-settings.json`, then `/etc/claude-code/managed-settings.d/*.json`.
 *
 * Listed from the lowest precedence to the highest. Rule lists are merged over all of them; a single value
 * (`defaultMode`) comes from the highest that sets it.
 */

export type SettingsSource = "user" | "project" | "local" | "managed"

export interface SettingsLocation {
  readonly source: SettingsSource
  readonly file: string
  /** the project root of the file (`/path` rules and relative directories start there) */
  readonly root: string
}

export interface SettingsPlaces {
  readonly cwd: string
  readonly claudeConfigDir: string
  readonly gitRoot: Option.Option<string>
  /** default `/etc/claude-code` */
  readonly managedDir?: string | undefined
}

export const MANAGED_DIR = "/etc/claude-code"

/** Only the parts omcm reads; every other key is ignored. Rule lists are decoded entry by entry later. */
export const ClaudeSettingsFile = Schema.Struct({
  permissions: Schema.optional(
    Schema.Struct({
      allow: Schema.optional(Schema.Array(Schema.Unknown)),
      deny: Schema.optional(Schema.Array(Schema.Unknown)),
      ask: Schema.optional(Schema.Array(Schema.Unknown)),
      additionalDirectories: Schema.optional(Schema.Array(Schema.Unknown)),
      defaultMode: Schema.optional(Schema.Unknown)
    })
  ),
  enabledPlugins: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
})
export type ClaudeSettingsFile = typeof ClaudeSettingsFile.Type

export interface LoadedSettings extends SettingsLocation {
  readonly settings: ClaudeSettingsFile
}

/** The files, lowest precedence first; `dropIns` are the managed drop-in files found. */
export const settingsLocations = (places: SettingsPlaces, dropIns: ReadonlyArray<string>): ReadonlyArray<SettingsLocation> => {
  const cwd = path.resolve(places.cwd)
  const managedDir = places.managedDir ?? MANAGED_DIR
  const gitRoot = Option.map(places.gitRoot, (root) => path.resolve(root))
  const repoLocal = Option.filter(gitRoot, (root) => root !== cwd)
  return [
    { source: "user", file: path.join(places.claudeConfigDir, "settings.json"), root: cwd },
    { source: "project", file: path.join(cwd, ".claude", "settings.json"), root: cwd },
    ...Option.match(repoLocal, {
      onNone: () => [],
      onSome: (root): Array<SettingsLocation> => [{ source: "local", file: path.join(root, ".claude", "settings.local.json"), root }]
    }),
    { source: "local", file: path.join(cwd, ".claude", "settings.local.json"), root: cwd },
    { source: "managed", file: path.join(managedDir, "managed-settings.json"), root: cwd },
    ...dropIns.map((file): SettingsLocation => ({ source: "managed", file, root: cwd }))
  ]
}

const decode = Schema.decodeUnknownEither(ClaudeSettingsFile, { onExcessProperty: "ignore", errors: "first" })

/** A settings file's text, decoded; Left is the one-line reason it cannot be used. */
export const parseSettingsText = (file: string, text: string): Either.Either<ClaudeSettingsFile, string> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    return Either.left(`not valid JSON (${(error as Error).message})`)
  }
  return Either.mapLeft(decode(json), (error) => formatParseError(file, json, error))
}

const dropInsOf = (managedDir: string): ReadonlyArray<string> => {
  const dir = path.join(managedDir, "managed-settings.d")
  try {
    return fs.readdirSync(dir).filter((name) => name.endsWith(".json") && !name.startsWith(".")).sort().map((name) => path.join(dir, name))
  } catch {
    return []
  }
}

export interface SettingsRead {
  readonly files: ReadonlyArray<LoadedSettings>
  readonly skipped: ReadonlyArray<SkippedFile>
}

/** Read every settings file that exists; a file that cannot be read or decoded is skipped with its reason. */
export const readSettingsFiles = (places: SettingsPlaces): Effect.Effect<SettingsRead> =>
  Effect.sync(() => {
    const files: Array<LoadedSettings> = []
    const skipped: Array<SkippedFile> = []
    for (const location of settingsLocations(places, dropInsOf(places.managedDir ?? MANAGED_DIR))) {
      let text: string
      try {
        text = fs.readFileSync(location.file, "utf8")
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code
        if (code !== "ENOENT" && code !== "ENOTDIR") skipped.push({ file: location.file, reason: `cannot read it (${code ?? String(error)})` })
        continue
      }
      Either.match(parseSettingsText(location.file, text), {
        onLeft: (reason) => skipped.push({ file: location.file, reason }),
        onRight: (settings) => files.push({ ...location, settings })
      })
    }
    return { files, skipped }
  })
