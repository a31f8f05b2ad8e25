import * as Schema from "effect/Schema"

/**
 * Claude Code's permission modes (2.1.330: `acceptEdits`, `auto`, `bypassPermissions`, `default`, `dontAsk`,
 * `plan`; `manual` is read as `default`).
 */
export const ClaudePermissionMode = Schema.Literal("acceptEdits", "auto", "bypassPermissions", "default", "dontAsk", "plan")
export type ClaudePermissionMode = typeof ClaudePermissionMode.Type

/** A permission mode as Claude Code reads one from a file or the hook input; anything else is None. */
export const parsePermissionMode = (value: unknown): ClaudePermissionMode | null => {
  const mode = value === "manual" ? "default" : value
  return Schema.is(ClaudePermissionMode)(mode) ? mode : null
}

/** Where a definition came from: `managed` is `/etc/claude-code/.claude/agents` (policy). */
export type AgentSource = "project" | "user" | "plugin" | "built-in" | "managed"

/** One Claude Code sub-agent type, as Claude Code would run it. */
export interface AgentDefinition {
  /** the `subagent_type` it answers to: the frontmatter `name` (plugins: `plugin:[dir:]name`) */
  readonly name: string
  readonly source: AgentSource
  /** the Markdown file; null for built-in types */
  readonly file: string | null
  readonly description: string
  /** the Markdown body: the sub-agent's system prompt (its role) */
  readonly systemPrompt: string
  /** Claude tool names it may use; null: every tool. Entries may carry a specifier: `Bash(git *)` */
  readonly tools: ReadonlyArray<string> | null
  readonly disallowedTools: ReadonlyArray<string>
  /** `inherit`, an alias (`sonnet`, `opus`, `haiku`) or a model id; null: not set (inherit) */
  readonly model: string | null
  /** the frontmatter `permissionMode` (ignored by Claude Code for plugin agents) */
  readonly permissionMode: ClaudePermissionMode | null
  /** built-in Explore and Plan: their role is read-only and they have no edit tools */
  readonly readOnly: boolean
}

/** A file that could hold an agent but was not used, and why (for a log line). */
export interface SkippedFile {
  readonly file: string
  readonly reason: string
}
