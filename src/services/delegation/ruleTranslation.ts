import * as path from "node:path"
import type { ClaudeRule } from "./claudeRules"
import { mapClaudeTool } from "./claudeTools"

/**
 * One Claude Code rule as OpenCode `{permission, pattern}` pairs (the action is the caller's). What each OpenCode
 * tool offers as the pattern (read from OpenCode 1.18.33):
 *
 * - bash: each command of the command line (tree-sitter `command` nodes: the parts of pipelines, lists, `$(...)`),
 *   with its redirections; `cd`/`pushd`/`popd` are never asked. So `Bash(touch:*)` is `touch *`, which also
 *   matches a `touch` inside `a && touch b`, as Claude Code does for compound commands;
 * - read and edit (edit, write, apply_patch): the file path relative to the worktree (the git root, `/` outside
 *   a repository), so `../x` for files above it;
 * - webfetch: the URL; websearch: the query; task: the sub-agent name; skill: the skill name;
 * - glob and grep: their search pattern, not a path: Claude's `Read(path)` rules cannot reach them.
 */

export interface TranslationContext {
  /** the session directory: where `path` and `./path` rules start */
  readonly cwd: string
  /** what OpenCode's read/edit patterns are relative to */
  readonly worktree: string
  readonly home: string
  /** the rule's project root: where `/path` rules start */
  readonly root: string
}

export interface Pattern {
  readonly permission: string
  readonly pattern: string
}

export interface Translation {
  readonly patterns: ReadonlyArray<Pattern>
  /** what could not be carried over, for the summary */
  readonly note: string | null
}

const none = (note: string): Translation => ({ patterns: [], note })

/**
 * A gitignore-style glob (absolute) as OpenCode wildcards relative to the worktree. OpenCode's `*` also crosses
 * `/`, so `**` becomes `*`; a `**\/` that may stand for no directory at all gets a second pattern without it. The
 * result can match more than the gitignore pattern (a single `*` crossing directories): right for deny rules.
 */
export const globToOpencode = (absoluteGlob: string, worktree: string): ReadonlyArray<string> => {
  const relative = path.relative(worktree, absoluteGlob).replaceAll("\\", "/")
  let variants = [relative.length === 0 ? "*" : relative]
  const expand = (from: string, to: ReadonlyArray<string>) => {
    variants = variants.flatMap((v) => (v.includes(from) ? to.map((t) => v.replace(from, t)) : [v]))
  }
  for (let i = 0; i < 4; i++) {
    expand("/**/", ["/*/", "/"])
    if (variants.some((v) => v.startsWith("**/"))) variants = variants.flatMap((v) => (v.startsWith("**/") ? [v.slice(3), `*/${v.slice(3)}`] : [v]))
  }
  return [...new Set(variants.map((v) => v.replace(/\*\*+/g, "*")))]
}

/** The absolute globs of a Claude path rule (gitignore: a pattern with no inner `/` matches at any depth). */
const absoluteGlobs = (rule: Extract<ClaudeRule, { _tag: "Path" }>, context: TranslationContext): ReadonlyArray<string> => {
  const base = rule.anchor === "absolute" ? "/" : rule.anchor === "home" ? context.home : rule.anchor === "project" ? context.root : context.cwd
  const trimmed = rule.pattern.replace(/\/+$/, "")
  const directoryOnly = rule.pattern.endsWith("/") && trimmed.length > 0
  const target = trimmed.length === 0 ? "**" : directoryOnly ? `${trimmed}/**` : trimmed
  const anyDepth = rule.anchor === "cwd" && trimmed.length > 0 && !trimmed.includes("/")
  const globs = [path.join(base, target)]
  if (anyDepth) globs.push(path.join(base, "**", target))
  // a directory pattern also covers what is inside it (gitignore), and `dir/**` the directory itself
  if (!target.endsWith("**") && !/[*?[]/.test(target.split("/").at(-1)!)) globs.push(path.join(base, target, "**"))
  return globs
}

const pathRule = (rule: Extract<ClaudeRule, { _tag: "Path" }>, context: TranslationContext): Translation => {
  const permission = rule.tool === "Read" ? "read" : ["Edit", "Write", "MultiEdit", "NotebookEdit"].includes(rule.tool) ? "edit" : null
  if (permission === null) return none(`${rule.raw}: OpenCode's ${rule.tool.toLowerCase()} is checked against its search pattern, not a path`)
  const patterns = absoluteGlobs(rule, context).flatMap((glob) => globToOpencode(glob, context.worktree))
  return {
    patterns: [...new Set(patterns)].map((pattern) => ({ permission, pattern })),
    note: rule.tool === "Read" ? `${rule.raw}: applied to read (and list), not to grep/glob/bash` : null
  }
}

const domainPatterns = (domain: string): ReadonlyArray<string> =>
  ["http", "https"].flatMap((scheme) => [`${scheme}://${domain}`, `${scheme}://${domain}/*`, `${scheme}://${domain}:*`, `${scheme}://${domain}?*`])

/** The OpenCode patterns of one Claude rule. */
export const translateRule = (rule: ClaudeRule, context: TranslationContext): Translation => {
  switch (rule._tag) {
    case "Opaque":
      return none(`${rule.raw}: ${rule.note}`)
    case "Tool": {
      const mapped = mapClaudeTool(rule.tool)
      if (mapped._tag === "None") return none(`${rule.raw}: OpenCode has no such tool`)
      if (mapped._tag === "Mcp") {
        return { patterns: [{ permission: mapped.permission, pattern: "*" }], note: `${rule.raw}: OpenCode MCP tool ${mapped.permission}` }
      }
      return { patterns: mapped.permissions.map((permission) => ({ permission, pattern: "*" })), note: null }
    }
    case "Command": {
      const pattern = rule.match === "prefix" ? `${rule.pattern} *` : rule.pattern
      const note = pattern.includes("?") ? `${rule.raw}: "?" is a one-character wildcard in OpenCode` : null
      return { patterns: [{ permission: "bash", pattern }], note }
    }
    case "Path":
      return pathRule(rule, context)
    case "Domain":
      return { patterns: domainPatterns(rule.domain).map((pattern) => ({ permission: "webfetch", pattern })), note: null }
    case "Specifier": {
      if (rule.tool === "Agent" || rule.tool === "Task") {
        return {
          patterns: [{ permission: "task", pattern: rule.specifier }],
          note: `${rule.raw}: OpenCode's own sub-agents have other names (general, explore)`
        }
      }
      if (rule.tool === "Skill") return { patterns: [{ permission: "skill", pattern: rule.specifier }], note: null }
      return none(`${rule.raw}: the specifier of ${rule.tool} has no OpenCode equivalent`)
    }
  }
}
