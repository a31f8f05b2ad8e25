export { ClaudeSettings, makeClaudeSettings } from "./ClaudeSettings"
export { InstallRecords } from "./InstallRecords"
export { describeFailure, recordFailure } from "./hookFailures"
export {
  AgentToolInput,
  AgentToolResponse,
  isAgentTool,
  PostToolUseInput,
  PreToolUseInput,
  SessionEndInput,
  SessionStartInput,
  StopInput,
  UserPromptSubmitInput
} from "./hookInput"
export { addContext, CONTEXT_LIMIT, denyWith, type HookOutput } from "./hookOutput"
export { type InstallEntry } from "./installRecord"
export { commandHook, hookCommand, OMCM_HOOKS, type OmcmLauncher, pluginEnabled, statuslineCommand } from "./omcmHooks"
export {
  planInstall,
  planUninstall,
  type SettingsChanges,
  type SettingsProblem,
  type StatusLineChange
} from "./settingsInstall"
