import * as Option from "effect/Option"
import { type AgentDefinition, type ClaudePermissionMode, parsePermissionMode } from "./agentDefinition"
import { BUILTIN_AGENTS } from "./builtinAgents"
import { OPENCODE_TOOL_IDS } from "./claudeTools"
import { isToolHidden } from "./opencodeRules"
import { boundary, denials, hideFullyDenied, modeLimits, rule, type Section, toolGate, withoutEarlierCopies } from "./policySections"
import type { OpencodePolicy, PolicyInput } from "./policyTypes"
import type { TranslationContext } from "./ruleTranslation"

/**
 * What a delegated sub-agent may do on OpenCode, from what it may do in Claude Code: the same role, the same tools,
 * the same permissions (the user's deny rules included), the same working directory, and nobody to ask.
 *
 * The session ruleset is built in this order (OpenCode: the last matching rule wins, and the session's rules come
 * after the agent's own, see opencodeRules.ts):
 *
 * 1. `* * allow`: no permission falls through to OpenCode's default `ask` (or to the agent's `ask` rules:
 *    `doom_loop`, `external_directory`, `.env` reads), since a pending ask blocks the session for good;
 * 2. the agent's tools: with a `tools` list, `* * deny` then an allow per tool it names (and `doom_loop`);
 * 3. the working directory: `external_directory` denied but for the additional directories; when the session
 *    directory is below the git root, `read`/`edit` of the rest of the repository denied too (OpenCode counts the
 *    whole repository as inside the project, Claude Code only the session directory);
 * 4. the mode: read-only (plan mode, Explore, Plan) denies `edit` and limits bash to read-only commands; `dontAsk`
 *    allows only what Claude Code allows without asking; a `tools` entry like `Bash(git *)` limits bash to it;
 * 5. denials: the agent's `disallowedTools` and the user's `deny` rules, and the `ask` rules as denials (nobody is
 *    there to answer);
 * 6. the caller's override, `ask` turned into `deny`;
 * 7. `question * deny`: the question tool would wait for an answer forever.
 *
 * (OpenCode's own `customize-opencode` skill is denied with the limits of step 4; a permission left with nothing
 * but denials gets a last `* deny`, so that OpenCode does not offer its tool at all.)
 *
 * So no rule is `ask`, and the last matching rule of any permission and pattern is an allow or a deny.
 */

const GENERAL_PURPOSE = BUILTIN_AGENTS.find((a) => a.name === "general-purpose")!

/** The mode the sub-agent runs in: a bypassing or planning parent wins, else the agent's own, else the parent's. */
export const effectiveMode = (parent: ClaudePermissionMode, agent: Option.Option<AgentDefinition>): ClaudePermissionMode =>
  parent === "bypassPermissions" || parent === "plan"
    ? parent
    : Option.getOrElse(Option.flatMapNullable(agent, (a) => a.permissionMode), () => parent)

const systemText = (agent: AgentDefinition, known: boolean, input: PolicyInput, readOnly: boolean): string => {
  const extra = input.permissions.additionalDirectories
  return [
    agent.systemPrompt,
    "",
    "# Where you run",
    `You are the Claude Code sub-agent "${agent.name}"${known ? "" : " (general-purpose)"}, run on OpenCode for this task. Your role and limits are the ones above.`,
    `- Working directory: ${input.directory}${extra.length > 0 ? ` (also usable: ${extra.join(", ")})` : ""}. Paths outside are refused.`,
    "- Nobody can answer questions or approve anything during this run. When a tool call is refused, do not retry it: say in your final report what was refused and why you needed it.",
    ...(readOnly ? ["- This run is read-only: file edits are refused and bash runs only read-only commands."] : []),
    "- Your final message is your report to the caller."
  ].join("\n")
}

/** The whole mapping (pure). */
export const opencodePolicy = (input: PolicyInput): OpencodePolicy => {
  const known = Option.isSome(input.agent)
  const agent = Option.getOrElse(input.agent, () => GENERAL_PURPOSE)
  const parent = parsePermissionMode(input.permissionMode) ?? input.permissions.defaultMode ?? "default"
  const mode = effectiveMode(parent, input.agent)
  const readOnly = mode === "plan" || agent.readOnly
  const context = (root: string): TranslationContext => ({ cwd: input.directory, worktree: input.worktree, home: input.home, root })

  const head: Section = { rules: [rule("*", "*", "allow")], summary: [] }
  head.summary.push(known ? `agent ${agent.name} (${agent.source}${agent.file !== null ? `: ${agent.file}` : ""})` : "agent: none Claude Code knows; mapped as general-purpose")
  head.summary.push(`mode ${mode}${mode !== parent ? ` (the caller's is ${parent})` : ""}`)
  const bashPatterns = toolGate(agent, head)
  const limits: Section = { rules: [], summary: [] }
  boundary(input, limits)
  modeLimits(input, agent, mode, readOnly, bashPatterns, head.rules, context, limits)
  const denied: Section = { rules: [], summary: [] }
  denials(input, agent, context, denied)
  const override = (input.override ?? []).map((r) => rule(r.permission, r.pattern, r.action === "ask" ? "deny" : r.action))
  if (override.length > 0) denied.summary.push(`override: ${override.length} rule(s) of the caller applied last`)
  // OpenCode's own skill for editing its configuration: no Claude Code sub-agent has it
  const opencodeOnly = [rule("skill", "customize-opencode", "deny")]
  const permission = withoutEarlierCopies([
    ...hideFullyDenied([...head.rules, ...limits.rules, ...opencodeOnly, ...denied.rules, ...override]),
    rule("question", "*", "deny")
  ])
  const tools = Object.fromEntries(OPENCODE_TOOL_IDS.map((id) => [id, !isToolHidden(id, permission)]))
  const off = OPENCODE_TOOL_IDS.filter((id) => !tools[id])
  const notes = [
    ...input.permissions.notes,
    ...input.permissions.skipped.map((s) => `settings file skipped: ${s.file}: ${s.reason}`),
    ...(!readOnly && (mode === "default" || mode === "acceptEdits" || mode === "auto")
      ? ["commands and edits Claude Code would have asked about run without asking (only deny and ask rules stop them)"]
      : [])
  ]
  return {
    permission,
    tools,
    system: systemText(agent, known, input, readOnly),
    agent: "build",
    mode,
    readOnly,
    summary: [...head.summary, `tools off: ${off.join(", ") || "none"}`, ...limits.summary, ...denied.summary, ...notes]
  }
}
