import { expect } from "vitest"
import type { StreamMessage } from "./claudeHarness"
import { OMCM_BIN } from "./cli"

/** Claude Code's hook events and omcm's name for each */
export const HOOK_EVENTS = {
  SessionStart: "session-start",
  UserPromptSubmit: "user-prompt-submit",
  PreToolUse: "pre-tool-use",
  PostToolUse: "post-tool-use",
  Stop: "stop",
  SessionEnd: "session-end"
} as const
export type HookEventName = keyof typeof HOOK_EVENTS

/** settings.json hooks of `events` pointing at the bundled CLI, as `omcm install --hooks` writes them */
export const omcmHookSettings = (events: ReadonlyArray<HookEventName>) => ({
  hooks: Object.fromEntries(events.map((name) => [
    name,
    [{
      ...(name.endsWith("ToolUse") ? { matcher: "Agent|Task" } : {}),
      hooks: [{ type: "command", command: `node ${OMCM_BIN} hook ${HOOK_EVENTS[name]}`, ...(name === "PreToolUse" ? { timeout: 300 } : {}) }]
    }]
  ]))
})

/** the hook events of a `--include-hook-events` stream-json run */
export const hookEvents = (messages: ReadonlyArray<StreamMessage>) => ({
  started: messages.filter((m) => m.type === "system" && m.subtype === "hook_started").map((m) => String(m.hook_event)),
  responses: messages.filter((m) => m.type === "system" && m.subtype === "hook_response")
})

/** the command reached omcm's bundle: node found the file and the shell found node (whatever `omcm hook` answered) */
export const expectOmcmRan = (response: StreamMessage) => {
  expect(response.exit_code).not.toBe(127)
  expect(String(response.stderr)).not.toMatch(/Cannot find module|command not found|ENOENT.*omcm\.js/)
}
