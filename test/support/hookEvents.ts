import { expect } from "vitest"
import type { StreamMessage } from "./claudeHarness"

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
