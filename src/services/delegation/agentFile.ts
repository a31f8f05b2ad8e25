import * as Either from "effect/Either"
import * as path from "node:path"
import { type AgentDefinition, type AgentSource, parsePermissionMode } from "./agentDefinition"
import { parseFrontmatter } from "./frontmatter"

/**
 * One agent Markdown file read the way Claude Code 2.1.330 reads it (its `aPn` and, for plugins, `E5n`):
 *
 * - the type is the frontmatter `name`, not the file name (a file without `name` is silently not an agent); `name`
 *   must not start with `-`, exceed 256 characters or contain `:` (kept for plugin namespaces); `description` is
 *   required (a literal `\n` in it becomes a newline);
 * - a plugin agent is `<plugin>:<sub/dirs:>name`, its `name` falls back to the file name and its description to
 *   `when_to_use` or "Agent from <plugin> plugin"; `permissionMode` is ignored for plugin agents;
 * - `tools` and `disallowedTools` are a YAML list or one string, split at commas and spaces outside parentheses;
 *   `*` anywhere means every tool; `tools` absent means every tool, `tools:` with no value means none;
 * - `model` is trimmed, `inherit` in any case is `inherit`; the body (trimmed) is the system prompt.
 */

const MAX_NAME = 256

/** Claude Code's tool-list splitter: commas and spaces split, except inside parentheses (`Bash(npm run:*)`). */
export const splitToolEntries = (entries: ReadonlyArray<string>): Array<string> => {
  const out: Array<string> = []
  for (const entry of entries) {
    let current = ""
    let inParens = false
    const flush = () => {
      if (current.trim().length > 0) out.push(current.trim())
      current = ""
    }
    for (const char of entry) {
      if (char === "(") inParens = true
      else if (char === ")") inParens = false
      if ((char === "," || char === " ") && !inParens) flush()
      else if (current.length > 0 || char.trim().length > 0) current += char
    }
    flush()
  }
  return out
}

/** `tools`-style field: undefined when absent (or `*`: every tool), else the names (possibly none). */
export const toolList = (value: unknown): ReadonlyArray<string> | undefined => {
  if (value === undefined) return undefined
  if (value === null || value === "" || value === false || value === 0) return []
  const raw = typeof value === "string" ? [value] : Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []
  const names = splitToolEntries(raw)
  return names.includes("*") ? undefined : names
}

const modelOf = (value: unknown): string | null => {
  if (typeof value !== "string" || value.trim().length === 0) return null
  const model = value.trim()
  return model.toLowerCase() === "inherit" ? "inherit" : model
}

const nameProblem = (name: string): string | null =>
  name.startsWith("-")
    ? 'its "name" starts with "-"'
    : name.length > MAX_NAME
    ? `its "name" is longer than ${MAX_NAME} characters`
    : name.normalize("NFKC").includes(":")
    ? 'its "name" contains ":" (kept for plugin namespaces)'
    : null

/** What a file is: an agent, or not one (with the reason, for the caller's log). */
export type AgentFileResult = Either.Either<AgentDefinition, string>

/** A user, project or managed agent file. */
export const parseAgentFile = (file: string, text: string, source: Exclude<AgentSource, "plugin" | "built-in">): AgentFileResult =>
  Either.flatMap(parseFrontmatter(text), ({ body, fields }) => {
    const name = fields.name
    if (typeof name !== "string" || name.length === 0) return Either.left('no "name" in its frontmatter: not an agent')
    const problem = nameProblem(name)
    if (problem !== null) return Either.left(problem)
    if (typeof fields.description !== "string" || fields.description.length === 0) {
      return Either.left('no "description" in its frontmatter')
    }
    return Either.right({
      name,
      source,
      file,
      description: fields.description.replaceAll("\\n", "\n"),
      systemPrompt: body.trim(),
      tools: toolList(fields.tools) ?? null,
      disallowedTools: toolList(fields.disallowedTools) ?? [],
      model: modelOf(fields.model),
      permissionMode: parsePermissionMode(fields.permissionMode),
      readOnly: false
    })
  })

export interface PluginAgentFile {
  readonly file: string
  readonly text: string
  /** the plugin's name (its manifest `name`) */
  readonly plugin: string
  /** sub-directories between the plugin's agents directory and the file */
  readonly namespace: ReadonlyArray<string>
  /** the plugin's root, for `${CLAUDE_PLUGIN_ROOT}` in the body */
  readonly pluginRoot: string
}

const stringField = (value: unknown): string | undefined => (typeof value === "string" && value.length > 0 ? value : undefined)

/** An agent file of a plugin. */
export const parsePluginAgentFile = (input: PluginAgentFile): AgentFileResult =>
  Either.map(parseFrontmatter(input.text), ({ body, fields }) => {
    const own = fields.name === null || fields.name === undefined ? undefined : String(fields.name)
    const base = own !== undefined && own.length > 0 && own.length <= MAX_NAME ? own : path.basename(input.file).replace(/\.md$/, "")
    const name = [input.plugin, ...input.namespace, base].join(":")
    const description = stringField(fields.description) ?? stringField(fields.when_to_use) ?? stringField(fields["when-to-use"])
    return {
      name,
      source: "plugin" as const,
      file: input.file,
      description: description ?? `Agent from ${input.plugin} plugin`,
      systemPrompt: body.trim().replaceAll("${CLAUDE_PLUGIN_ROOT}", input.pluginRoot),
      tools: toolList(fields.tools) ?? null,
      disallowedTools: toolList(fields.disallowedTools) ?? [],
      model: modelOf(fields.model),
      permissionMode: null,
      readOnly: false
    }
  })
