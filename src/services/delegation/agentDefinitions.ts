import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as path from "node:path"
import type { AgentDefinition, AgentSource, SkippedFile } from "./agentDefinition"
import { parseAgentFile, parsePluginAgentFile } from "./agentFile"
import { BUILTIN_AGENTS } from "./builtinAgents"
import { readText, scanMarkdownFiles } from "./markdownFiles"
import { enabledPluginIds, readInstalledPlugins } from "./plugins"
import { findGitRoot, projectDirsUpward } from "./projectDirs"
import { MANAGED_DIR, readSettingsFiles } from "./settingsFiles"

/**
 * Where Claude Code 2.1.330 finds the definition of a `subagent_type` (read from its binary, checked with the real
 * CLI), lowest precedence first; a later definition of the same name replaces an earlier one:
 *
 * 1. built-in types (builtinAgents.ts);
 * 2. agents of enabled plugins, named `plugin:name` (plugins.ts);
 * 3. user agents: `<CLAUDE_CONFIG_DIR or ~/.claude>/agents/**\/*.md`;
 * 4. project agents: `<dir>/.claude/agents/**\/*.md` of each `permissions.additionalDirectories` entry, then of
 *    each directory from the git root (or the filesystem root) down to the session directory: the nearest wins;
 * 5. managed agents: `/etc/claude-code/.claude/agents/**\/*.md`.
 *
 * Names match exactly first (`explore` and the built-in `Explore` are two types). When nothing matches exactly,
 * Claude Code compares names lower-cased without spaces, dashes and underscores (`general_purpose` finds
 * `general-purpose`), and refuses when that finds more than one.
 */

export interface AgentSearch {
  /** the session directory (the hook's `cwd`) */
  readonly cwd: string
  readonly claudeConfigDir: string
  readonly home: string
  /** default `/etc/claude-code` */
  readonly managedDir?: string | undefined
  /** the session's additional working directories (their `.claude/agents` are project agents too) */
  readonly additionalDirectories?: ReadonlyArray<string> | undefined
}

export interface AgentCatalog {
  /** the definitions in force, one per name */
  readonly agents: ReadonlyArray<AgentDefinition>
  readonly skipped: ReadonlyArray<SkippedFile>
}

export interface AgentLookup {
  readonly definition: Option.Option<AgentDefinition>
  readonly skipped: ReadonlyArray<SkippedFile>
  /** how the name was matched when not exactly, or why nothing was found */
  readonly note: Option.Option<string>
}

/** Claude Code's name normalization for a second try: NFKC, lower case, no whitespace, dashes or underscores. */
export const normalizeAgentName = (name: string): string => name.normalize("NFKC").toLowerCase().replace(/[\p{White_Space}\p{Pd}_]+/gu, "")

/** The definition of a name among the definitions in force (pure). */
export const resolveAgent = (
  agents: ReadonlyArray<AgentDefinition>,
  subagentType: string
): { readonly definition: Option.Option<AgentDefinition>; readonly note: Option.Option<string> } => {
  const exact = agents.find((agent) => agent.name === subagentType)
  if (exact !== undefined) return { definition: Option.some(exact), note: Option.none() }
  const wanted = normalizeAgentName(subagentType)
  const close = agents.filter((agent) => normalizeAgentName(agent.name) === wanted)
  if (close.length === 1) {
    return { definition: Option.some(close[0]!), note: Option.some(`"${subagentType}" matched "${close[0]!.name}" by its normalized name`) }
  }
  return {
    definition: Option.none(),
    note: Option.some(
      close.length > 1
        ? `"${subagentType}" is ambiguous (${close.map((a) => a.name).join(", ")}); Claude Code refuses such a call`
        : `no agent type "${subagentType}"`
    )
  }
}

interface Found {
  readonly agents: Array<AgentDefinition>
  readonly skipped: Array<SkippedFile>
}

const fromDirectory = (dir: string, source: Exclude<AgentSource, "plugin" | "built-in">): Effect.Effect<Found> =>
  Effect.gen(function*() {
    const scan = yield* scanMarkdownFiles(dir)
    const found: Found = { agents: [], skipped: [...scan.skipped] }
    for (const { file } of scan.files) {
      const text = yield* Effect.either(readText(file))
      Either.match(Either.flatMap(text, (t) => parseAgentFile(file, t, source)), {
        onLeft: (reason) => found.skipped.push({ file, reason }),
        onRight: (agent) => found.agents.push(agent)
      })
    }
    return found
  })

const fromPluginPath = (plugin: { readonly name: string; readonly root: string }, entry: string): Effect.Effect<Found> =>
  Effect.gen(function*() {
    const single = entry.endsWith(".md")
    const scan = single ? { files: [{ file: entry, namespace: [] }], skipped: [] } : yield* scanMarkdownFiles(entry)
    const found: Found = { agents: [], skipped: [...scan.skipped] }
    for (const { file, namespace } of scan.files) {
      const text = yield* Effect.either(readText(file))
      const parsed = Either.flatMap(text, (t) => parsePluginAgentFile({ file, text: t, plugin: plugin.name, namespace, pluginRoot: plugin.root }))
      Either.match(parsed, {
        onLeft: (reason) => {
          if (!(single && reason.startsWith("cannot read it (ENOENT"))) found.skipped.push({ file, reason })
        },
        onRight: (agent) => found.agents.push(agent)
      })
    }
    return found
  })

/** Every agent definition of a session, with Claude Code's precedence applied. Never fails. */
export const loadAgentCatalog = (search: AgentSearch): Effect.Effect<AgentCatalog> =>
  Effect.gen(function*() {
    const cwd = path.resolve(search.cwd)
    const gitRoot = yield* findGitRoot(cwd)
    const settings = yield* readSettingsFiles({ cwd, claudeConfigDir: search.claudeConfigDir, gitRoot, managedDir: search.managedDir })
    const plugins = yield* readInstalledPlugins(
      search.claudeConfigDir,
      enabledPluginIds(settings.files),
      [cwd, ...Option.toArray(gitRoot)]
    )
    const layers: Array<Found> = [{ agents: [...BUILTIN_AGENTS], skipped: [...settings.skipped, ...plugins.skipped] }]
    for (const plugin of plugins.plugins) {
      for (const entry of plugin.agentPaths) layers.push(yield* fromPluginPath(plugin, entry))
    }
    layers.push(yield* fromDirectory(path.join(search.claudeConfigDir, "agents"), "user"))
    for (const dir of search.additionalDirectories ?? []) layers.push(yield* fromDirectory(path.join(dir, ".claude", "agents"), "project"))
    for (const dir of [...projectDirsUpward(cwd, gitRoot, search.home)].reverse()) {
      layers.push(yield* fromDirectory(path.join(dir, ".claude", "agents"), "project"))
    }
    layers.push(yield* fromDirectory(path.join(search.managedDir ?? MANAGED_DIR, ".claude", "agents"), "managed"))
    const byName = new Map<string, AgentDefinition>()
    for (const layer of layers) for (const agent of layer.agents) byName.set(agent.name, agent)
    return { agents: [...byName.values()], skipped: layers.flatMap((layer) => layer.skipped) }
  })

/**
 * The definition Claude Code would run for an `Agent` call's `subagent_type` (absent: `general-purpose`). None when
 * Claude Code would not find one; unusable files are in `skipped`, never a failure.
 */
export const findAgentDefinition = (subagentType: string | undefined, search: AgentSearch): Effect.Effect<AgentLookup> =>
  Effect.map(loadAgentCatalog(search), ({ agents, skipped }) => ({
    ...resolveAgent(agents, subagentType === undefined || subagentType.length === 0 ? "general-purpose" : subagentType),
    skipped
  }))
