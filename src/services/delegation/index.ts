export {
  type AgentDefinition,
  type AgentSource,
  ClaudePermissionMode,
  parsePermissionMode,
  type SkippedFile
} from "./agentDefinition"
export {
  type AgentCatalog,
  type AgentLookup,
  type AgentSearch,
  findAgentDefinition,
  loadAgentCatalog,
  normalizeAgentName,
  resolveAgent
} from "./agentDefinitions"
export { parseAgentFile, parsePluginAgentFile, toolList } from "./agentFile"
export { BUILTIN_AGENTS } from "./builtinAgents"
export {
  type ClaudePermissions,
  NO_PERMISSIONS,
  permissionsOf,
  readClaudePermissions,
  type RuleBehavior,
  type SourcedRule
} from "./claudePermissions"
export { type ClaudeRule, parseClaudeRule, type PathAnchor } from "./claudeRules"
export { mapClaudeTool, OPENCODE_TOOL_IDS, type OpencodeToolId, type ToolMapping } from "./claudeTools"
export { type DelegationPlan, type DelegationRequest, planDelegation } from "./delegationPlan"
export { parseFrontmatter } from "./frontmatter"
export { effectiveMode, opencodePolicy } from "./opencodePolicy"
export type { OpencodePolicy, PolicyInput } from "./policyTypes"
export {
  type DecidedRule,
  evaluatePermission,
  isToolHidden,
  type PermissionAction,
  PermissionRule,
  PermissionRuleset,
  wildcardMatch
} from "./opencodeRules"
export { type InstalledPlugin, readInstalledPlugins } from "./plugins"
export { findGitRoot, opencodeWorktree } from "./projectDirs"
export { translateRule, type Translation } from "./ruleTranslation"
export { ClaudeSettingsFile, type LoadedSettings, readSettingsFiles, type SettingsPlaces, type SettingsSource } from "./settingsFiles"
