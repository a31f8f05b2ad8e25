import type * as Option from "effect/Option"
import type { AgentDefinition, ClaudePermissionMode } from "./agentDefinition"
import type { ClaudePermissions } from "./claudePermissions"
import type { DecidedRule, PermissionRule } from "./opencodeRules"

/** What opencodePolicy.ts maps, and what it gives back. */

export interface PolicyInput {
  /** None: the call names no agent Claude Code knows; it is mapped as general-purpose */
  readonly agent: Option.Option<AgentDefinition>
  readonly permissions: ClaudePermissions
  /** the hook input's `permission_mode`; absent: the settings' `defaultMode`, else `default` */
  readonly permissionMode?: string | undefined
  /** the session directory (the hook's `cwd`) */
  readonly directory: string
  /** the git root of `directory`, or `/` (what OpenCode's read/edit patterns are relative to) */
  readonly worktree: string
  readonly home: string
  /** the user's own rules, applied last (an `ask` becomes `deny`) */
  readonly override?: ReadonlyArray<PermissionRule> | undefined
}

export interface OpencodePolicy {
  /** `POST /session` body `permission`: everything below is in it */
  readonly permission: ReadonlyArray<DecidedRule>
  /**
   * The same tool decisions as a message-body `tools` map, for a caller that cannot set a session ruleset. Never
   * send both: OpenCode 1.18.33's `SessionPrompt.prompt` REPLACES the session's ruleset with `{tool, "*",
   * allow|deny}` rules made of a non-empty `tools` map, losing every pattern rule and the directory boundary.
   */
  readonly tools: Readonly<Record<string, boolean>>
  /** message-body `system`: the role and where it runs */
  readonly system: string
  /** message-body `agent`: OpenCode's agent with every tool, which the ruleset narrows */
  readonly agent: "build"
  readonly mode: ClaudePermissionMode
  readonly readOnly: boolean
  /** one line per decision and per thing that could not be carried over, for the result header */
  readonly summary: ReadonlyArray<string>
}
