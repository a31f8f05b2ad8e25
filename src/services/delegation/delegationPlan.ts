import * as Effect from "effect/Effect"
import * as path from "node:path"
import { type AgentLookup, findAgentDefinition } from "./agentDefinitions"
import { type ClaudePermissions, readClaudePermissions } from "./claudePermissions"
import type { PermissionRule } from "./opencodeRules"
import { opencodePolicy } from "./opencodePolicy"
import type { OpencodePolicy } from "./policyTypes"
import { findGitRoot, opencodeWorktree } from "./projectDirs"

/** What one `Agent` call needs to be mapped: the hook input's fields and where Claude Code keeps its files. */
export interface DelegationRequest {
  /** the hook input's `cwd` */
  readonly cwd: string
  /** the hook input's `permission_mode` */
  readonly permissionMode?: string | undefined
  /** the Agent tool input's `subagent_type` */
  readonly subagentType?: string | undefined
  /** `CLAUDE_CONFIG_DIR`, else `~/.claude` (config's `Paths.claudeConfigDir`) */
  readonly claudeConfigDir: string
  readonly home: string
  /** default `/etc/claude-code` */
  readonly managedDir?: string | undefined
  readonly override?: ReadonlyArray<PermissionRule> | undefined
}

export interface DelegationPlan {
  readonly policy: OpencodePolicy
  readonly lookup: AgentLookup
  readonly permissions: ClaudePermissions
  /** the git root of `cwd`, or `/`: what OpenCode's read/edit patterns are relative to */
  readonly worktree: string
}

/** Read the agent definition and the permission rules of a call, and map them. Never fails. */
export const planDelegation = (request: DelegationRequest): Effect.Effect<DelegationPlan> =>
  Effect.gen(function*() {
    const cwd = path.resolve(request.cwd)
    const gitRoot = yield* findGitRoot(cwd)
    const permissions = yield* readClaudePermissions({
      cwd,
      claudeConfigDir: request.claudeConfigDir,
      gitRoot,
      managedDir: request.managedDir,
      home: request.home
    })
    const lookup = yield* findAgentDefinition(request.subagentType, {
      cwd,
      claudeConfigDir: request.claudeConfigDir,
      home: request.home,
      managedDir: request.managedDir,
      additionalDirectories: permissions.additionalDirectories
    })
    const worktree = opencodeWorktree(gitRoot)
    const policy = opencodePolicy({
      agent: lookup.definition,
      permissions,
      permissionMode: request.permissionMode,
      directory: cwd,
      worktree,
      home: request.home,
      override: request.override
    })
    return { policy, lookup, permissions, worktree }
  })
