import { isJsonObject, type JsonObject } from "../../lib/jsonValue"
import { shellQuote } from "../../lib/shellQuote"

/** The Claude Code hook events omcm handles, and the `omcm hook <arg>` that handles each. */
export interface OmcmHookSpec {
  readonly event: "SessionStart" | "UserPromptSubmit" | "PreToolUse" | "PostToolUse" | "Stop" | "SessionEnd"
  readonly arg: string
  readonly matcher?: string
  /** seconds; Claude Code's default (60) is used when absent */
  readonly timeout?: number
}

/** `Agent` is the tool's name today; `Task` is its older name, which some versions and hooks still use. */
export const SUBAGENT_MATCHER = "Agent|Task"

/**
 * PreToolUse may delegate the whole sub-agent call to OpenCode and wait for it: its timeout must stay comfortably
 * above the delegation timeout (default 240 s).
 */
export const PRE_TOOL_USE_TIMEOUT_SECONDS = 300

export const OMCM_HOOKS: ReadonlyArray<OmcmHookSpec> = [
  { event: "SessionStart", arg: "session-start" },
  { event: "UserPromptSubmit", arg: "user-prompt-submit" },
  { event: "PreToolUse", arg: "pre-tool-use", matcher: SUBAGENT_MATCHER, timeout: PRE_TOOL_USE_TIMEOUT_SECONDS },
  { event: "PostToolUse", arg: "post-tool-use", matcher: SUBAGENT_MATCHER },
  { event: "Stop", arg: "stop" },
  { event: "SessionEnd", arg: "session-end" }
]

/** How a command reaches the bundled CLI: the plugin's hooks.json, or absolute paths in the user's settings. */
export type OmcmLauncher =
  | { readonly _tag: "Plugin" }
  | { readonly _tag: "Absolute"; readonly node: string; readonly script: string }

const prefix = (launcher: OmcmLauncher): string =>
  launcher._tag === "Plugin"
    ? `node "\${CLAUDE_PLUGIN_ROOT}/dist/omcm.js"`
    : `${shellQuote(launcher.node)} ${shellQuote(launcher.script)}`

export const hookCommand = (launcher: OmcmLauncher, spec: OmcmHookSpec): string => `${prefix(launcher)} hook ${spec.arg}`

export const statuslineCommand = (launcher: OmcmLauncher): string => `${prefix(launcher)} statusline`

/** One command hook as Claude Code's settings and hooks.json spell it */
export interface CommandHook {
  readonly type: "command"
  readonly command: string
  readonly timeout?: number
}

export const commandHook = (launcher: OmcmLauncher, spec: OmcmHookSpec): CommandHook => ({
  type: "command",
  command: hookCommand(launcher, spec),
  ...(spec.timeout === undefined ? {} : { timeout: spec.timeout })
})

/** The `hooks` object of hooks.json / settings.json that wires every omcm hook, one matcher group per event. */
export const hooksSection = (launcher: OmcmLauncher) =>
  Object.fromEntries(OMCM_HOOKS.map((spec) => [
    spec.event,
    [{ ...(spec.matcher === undefined ? {} : { matcher: spec.matcher }), hooks: [commandHook(launcher, spec)] }]
  ]))

/** the omcm plugin is enabled in these settings */
export const pluginEnabled = (settings: JsonObject): boolean =>
  isJsonObject(settings.enabledPlugins) && Object.entries(settings.enabledPlugins).some(([id, on]) => id.startsWith("omcm@") && on === true)
