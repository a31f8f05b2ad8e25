import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as fs from "node:fs"
import * as path from "node:path"
import type { SkippedFile } from "./agentDefinition"
import type { LoadedSettings } from "./settingsFiles"

/**
 * Installed Claude Code plugins, as 2.1.330 records them (checked with `claude plugin marketplace add <dir>` and
 * `claude plugin install demo@localmkt` in a temporary CLAUDE_CONFIG_DIR):
 *
 * - `<config>/plugins/installed_plugins.json`: `{version: 2, plugins: {"demo@localmkt": [{scope: "user",
 *   installPath: "<config>/plugins/cache/localmkt/demo/0.1.0", version, installedAt, lastUpdated}]}}`; project and
 *   local installs carry `projectPath`;
 * - `<config>/plugins/known_marketplaces.json`: the marketplaces and where they are;
 * - settings `enabledPlugins: {"demo@localmkt": true}` (user, project, local or managed settings; a later file wins);
 * - a plugin's manifest is `<root>/.claude-plugin/plugin.json`; its agents are `<root>/agents/**\/*.md` plus the
 *   manifest's `agents` entries (directories or `.md` files, relative to the root).
 *
 * For a marketplace of source `directory`, Claude Code reads the plugin from the marketplace folder rather than the
 * cache copy (`claude plugin list` says "Read from: <marketplace>/plugins/demo"); both hold the same files at install
 * time, this reads `installPath`. Plugins given with `--plugin-dir` exist only in their session and are not seen.
 */

const InstallRecord = Schema.Struct({
  scope: Schema.optional(Schema.String),
  installPath: Schema.String,
  projectPath: Schema.optional(Schema.String)
})
export const InstalledPluginsFile = Schema.Struct({
  plugins: Schema.Record({ key: Schema.String, value: Schema.Union(Schema.Array(InstallRecord), InstallRecord) })
})

const Manifest = Schema.Struct({
  name: Schema.optional(Schema.String),
  agents: Schema.optional(Schema.Union(Schema.String, Schema.Array(Schema.String)))
})

export interface InstalledPlugin {
  /** `name@marketplace` */
  readonly id: string
  /** the manifest name: the `plugin` of `plugin:agent` */
  readonly name: string
  readonly root: string
  /** directories and single `.md` files holding its agents */
  readonly agentPaths: ReadonlyArray<string>
}

/** Plugin ids enabled by the merged settings (a later file overrides an earlier one). */
export const enabledPluginIds = (settings: ReadonlyArray<LoadedSettings>): ReadonlyArray<string> => {
  const state = new Map<string, boolean>()
  for (const { settings: s } of settings) {
    for (const [id, value] of Object.entries(s.enabledPlugins ?? {})) {
      if (value === true) state.set(id, true)
      else if (value === false) state.set(id, false)
    }
  }
  return [...state].filter(([, on]) => on).map(([id]) => id)
}

const readJson = (file: string): Either.Either<unknown, string> => {
  try {
    return Either.right(JSON.parse(fs.readFileSync(file, "utf8")) as unknown)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    return Either.left(code === "ENOENT" ? "missing" : code !== undefined ? `cannot read it (${code})` : `not valid JSON (${(error as Error).message})`)
  }
}

const decodeInstalled = Schema.decodeUnknownEither(InstalledPluginsFile, { onExcessProperty: "ignore" })
const decodeManifest = Schema.decodeUnknownEither(Manifest, { onExcessProperty: "ignore" })

export interface PluginScan {
  readonly plugins: ReadonlyArray<InstalledPlugin>
  readonly skipped: ReadonlyArray<SkippedFile>
}

/**
 * The enabled plugins installed for this session: user and managed installs, and project or local installs whose
 * `projectPath` is one of `projectRoots`.
 */
export const readInstalledPlugins = (
  claudeConfigDir: string,
  enabled: ReadonlyArray<string>,
  projectRoots: ReadonlyArray<string>
): Effect.Effect<PluginScan> =>
  Effect.sync(() => {
    const skipped: Array<SkippedFile> = []
    if (enabled.length === 0) return { plugins: [], skipped }
    const file = path.join(claudeConfigDir, "plugins", "installed_plugins.json")
    const installed = Either.flatMap(readJson(file), (json) =>
      Either.mapLeft(decodeInstalled(json), () => "not the installed-plugins format (plugins: {id: [{installPath}]})"))
    if (Either.isLeft(installed)) {
      if (installed.left !== "missing") skipped.push({ file, reason: installed.left })
      return { plugins: [], skipped }
    }
    const roots = new Set(projectRoots.map((root) => path.resolve(root)))
    const plugins: Array<InstalledPlugin> = []
    for (const id of enabled) {
      const value = installed.right.plugins[id]
      if (value === undefined) continue
      const records = Array.isArray(value) ? value : [value]
      const record = records.find((r) =>
        r.scope === "project" || r.scope === "local" ? r.projectPath !== undefined && roots.has(path.resolve(r.projectPath)) : true
      )
      if (record === undefined) continue
      const root = record.installPath
      const manifestFile = path.join(root, ".claude-plugin", "plugin.json")
      const manifest = Either.flatMap(readJson(manifestFile), (json) =>
        Either.mapLeft(decodeManifest(json), () => "its name or agents field is not a string"))
      if (Either.isLeft(manifest) && manifest.left !== "missing") skipped.push({ file: manifestFile, reason: manifest.left })
      const fields = Either.getOrElse(manifest, () => ({ name: undefined, agents: undefined }))
      const extra = fields.agents === undefined ? [] : typeof fields.agents === "string" ? [fields.agents] : fields.agents
      plugins.push({
        id,
        name: fields.name ?? id.split("@")[0]!,
        root,
        agentPaths: [path.join(root, "agents"), ...extra.map((entry) => path.resolve(root, entry))]
      })
    }
    return { plugins, skipped }
  })
