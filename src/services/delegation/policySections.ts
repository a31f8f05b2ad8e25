import * as path from "node:path"
import type { AgentDefinition, ClaudePermissionMode } from "./agentDefinition"
import { type ClaudeRule, parseClaudeRule } from "./claudeRules"
import { mapClaudeTool, OPENCODE_TOOL_IDS, permissionOfToolId } from "./claudeTools"
import { type DecidedRule, isToolHidden, lastIndexWhere, wildcardMatch } from "./opencodeRules"
import type { PolicyInput } from "./policyTypes"
import { readOnlyBashRules } from "./readOnlyBash"
import { type TranslationContext, translateRule } from "./ruleTranslation"

/** The steps of opencodePolicy.ts, each adding its rules and summary lines to a section. */

export const rule = (permission: string, pattern: string, action: "allow" | "deny"): DecidedRule => ({ permission, pattern, action })

export interface Section {
  readonly rules: Array<DecidedRule>
  readonly summary: Array<string>
}

/** 2: the agent's `tools` list. Also returns the bash patterns it limits bash to (`Bash(git *)`). */
export const toolGate = (agent: AgentDefinition, section: Section): ReadonlyArray<string> => {
  if (agent.tools === null) return []
  const bashPatterns: Array<string> = []
  section.rules.push(rule("*", "*", "deny"), rule("doom_loop", "*", "allow"))
  const allowed = new Set<string>()
  for (const entry of agent.tools) {
    const parsed = parseClaudeRule(entry)
    const tool = parsed._tag === "Opaque" ? entry : parsed.tool
    const mapped = mapClaudeTool(tool)
    if (mapped._tag === "None") {
      section.summary.push(`tool ${entry}: no OpenCode equivalent`)
      continue
    }
    for (const permission of mapped._tag === "Mcp" ? [mapped.permission] : mapped.permissions) allowed.add(permission)
    if (parsed._tag === "Command") bashPatterns.push(parsed.match === "prefix" ? `${parsed.pattern} *` : parsed.pattern)
    else if (parsed._tag !== "Tool" && parsed._tag !== "Opaque") section.summary.push(`tool ${entry}: the whole ${tool} tool is allowed`)
  }
  for (const permission of allowed) section.rules.push(rule(permission, "*", "allow"))
  section.summary.push(`tools: ${[...allowed].join(", ") || "none"} (from ${agent.tools.join(", ") || "an empty list"})`)
  return bashPatterns
}

/** 3: the working directory and the additional directories. */
export const boundary = (input: PolicyInput, section: Section) => {
  const directory = path.resolve(input.directory)
  const extra = input.permissions.additionalDirectories.filter((d) => d !== directory)
  section.rules.push(rule("external_directory", "*", "deny"))
  for (const dir of extra) section.rules.push(rule("external_directory", dir, "allow"), rule("external_directory", `${dir}/*`, "allow"))
  const worktree = path.resolve(input.worktree)
  const inside = path.relative(worktree, directory)
  if (worktree !== path.parse(worktree).root && inside.length > 0 && !inside.startsWith("..")) {
    const open = [inside, ...extra.map((d) => path.relative(worktree, d)).filter((r) => r.length > 0 && !r.startsWith(".."))]
    for (const permission of ["read", "edit"]) {
      section.rules.push(rule(permission, "*", "deny"), rule(permission, "../*", "allow"))
      for (const dir of open) section.rules.push(rule(permission, dir, "allow"), rule(permission, `${dir}/*`, "allow"))
    }
    section.summary.push(`working directory: ${directory} (the rest of the repository ${worktree} is not readable or editable)`)
  } else section.summary.push(`working directory: ${directory}`)
  section.summary.push(extra.length > 0 ? `outside it, only: ${extra.join(", ")}` : "nothing outside it")
}

const allowRulesFor = (input: PolicyInput, context: (r: string) => TranslationContext, tools: ReadonlyArray<string>) =>
  input.permissions.rules
    .filter((r) => r.behavior === "allow" && r.rule._tag !== "Opaque" && tools.includes(r.rule.tool))
    .flatMap((r) => translateRule(r.rule, context(r.root)).patterns)

/** 4: the mode's limits. */
export const modeLimits = (
  input: PolicyInput,
  agent: AgentDefinition,
  mode: ClaudePermissionMode,
  readOnly: boolean,
  bashPatterns: ReadonlyArray<string>,
  gate: ReadonlyArray<DecidedRule>,
  context: (root: string) => TranslationContext,
  section: Section
) => {
  const bashOn = !isToolHidden("bash", gate) && !agent.disallowedTools.some((t) => t === "Bash" || t === "PowerShell")
  if (readOnly) {
    section.rules.push(rule("edit", "*", "deny"))
    if (bashOn) section.rules.push(...readOnlyBashRules())
    section.summary.push(`read-only (${mode === "plan" ? "plan mode" : "a read-only agent"}): edits denied${bashOn ? ", bash limited to read-only commands" : ""}`)
    return
  }
  if (bashOn && bashPatterns.length > 0) {
    section.rules.push(rule("bash", "*", "deny"), ...bashPatterns.map((p) => rule("bash", p, "allow")))
    section.summary.push(`bash limited to: ${bashPatterns.join(", ")}`)
  } else if (bashOn && mode === "dontAsk") {
    section.rules.push(...readOnlyBashRules())
    section.rules.push(...allowRulesFor(input, context, ["Bash", "PowerShell"]).map((p) => rule(p.permission, p.pattern, "allow")))
  }
  if (mode === "dontAsk") {
    section.rules.push(rule("edit", "*", "deny"), rule("webfetch", "*", "deny"), rule("websearch", "*", "deny"))
    const allowed = allowRulesFor(input, context, ["Edit", "Write", "MultiEdit", "NotebookEdit", "WebFetch", "WebSearch"])
    section.rules.push(...allowed.map((p) => rule(p.permission, p.pattern, "allow")))
    section.summary.push("dontAsk: only what the allow rules (and read-only commands) pre-approve")
  } else if (mode === "auto") {
    section.summary.push("auto mode: Claude Code's safety classifier does not run here; treated as default")
  }
}

/** 5: the agent's disallowed tools and the user's deny and ask rules, all as denials. */
export const denials = (input: PolicyInput, agent: AgentDefinition, context: (root: string) => TranslationContext, section: Section) => {
  const deny = (claude: ClaudeRule, root: string, label: string) => {
    const translation = translateRule(claude, context(root))
    section.rules.push(...translation.patterns.map((p) => rule(p.permission, p.pattern, "deny")))
    const mapped = translation.patterns.map((p) => `${p.permission} ${JSON.stringify(p.pattern)}`).join(", ")
    section.summary.push(`${label} ${claude.raw} -> ${mapped.length > 0 ? `deny ${mapped}` : "nothing"}${translation.note !== null ? ` (${translation.note})` : ""}`)
  }
  for (const entry of agent.disallowedTools) {
    const claude = parseClaudeRule(entry)
    if (claude._tag === "Tool" && mapClaudeTool(claude.tool)._tag === "None") continue
    deny(claude, input.directory, "disallowed tool")
  }
  for (const sourced of input.permissions.rules) {
    if (sourced.behavior === "allow") continue
    deny(sourced.rule, sourced.root, sourced.behavior === "ask" ? `ask (${sourced.source}, nobody can answer):` : `deny (${sourced.source}):`)
  }
}

/**
 * A permission whose rules all end in denial (a `* deny` followed only by denials) gets one more `* deny` at the end,
 * so that OpenCode, which looks only at the last rule of a permission to hide a tool, does not offer the tool.
 */
export const hideFullyDenied = (rules: ReadonlyArray<DecidedRule>): ReadonlyArray<DecidedRule> => {
  const extra: Array<DecidedRule> = []
  for (const permission of new Set(OPENCODE_TOOL_IDS.map(permissionOfToolId))) {
    const own = rules.filter((r) => wildcardMatch(permission, r.permission))
    const lastAll = lastIndexWhere(own, (r) => r.pattern === "*")
    if (lastAll < 0 || own[lastAll]!.action !== "deny" || own.at(-1)!.pattern === "*") continue
    if (own.slice(lastAll).every((r) => r.action === "deny")) extra.push(rule(permission, "*", "deny"))
  }
  return [...rules, ...extra]
}

/** Drop a rule that appears again later: the later copy decides every case the earlier one could. */
export const withoutEarlierCopies = (rules: ReadonlyArray<DecidedRule>): ReadonlyArray<DecidedRule> => {
  const key = (r: DecidedRule) => `${r.permission}\u0000${r.pattern}\u0000${r.action}`
  const last = new Map(rules.map((r, i) => [key(r), i]))
  return rules.filter((r, i) => last.get(key(r)) === i)
}
