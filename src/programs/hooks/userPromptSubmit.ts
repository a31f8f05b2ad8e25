import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { type UserPromptSubmitInput, addContext, type HookOutput } from "../../services/claude-code"
import { detectMode, Sessions } from "../../services/router"
import { Config } from "../../services/config"
import { ensureDaemon } from "./ensureDaemon"

const MODE_TEXT = {
  hulw: "hulw (hybrid ultrawork) is on: sub-agent calls are routed by tier. HIGH-tier agents stay on Claude; MEDIUM-tier agents run on OpenCode (OpenAI codex) and LOW-tier agents on OpenCode (Gemini Flash), and their results come back as the Agent tool's answer. Split independent work into parallel sub-agent calls.",
  ulw: "ulw (ultrawork) is on: sub-agent calls move from Claude to OpenCode (OpenAI, Gemini) as Claude usage rises (from 70%, all of them from 90%). Delegated results come back as the Agent tool's answer. Split independent work into parallel sub-agent calls.",
  autopilot: "autopilot is on: plan, execute and verify autonomously. Sub-agent calls stay on Claude unless fusion is on or Claude usage passes 90%, when they move to OpenCode."
} as const

/**
 * UserPromptSubmit: a hulw / ulw / autopilot keyword switches the mode of this session (and only this one); the
 * model is told through additionalContext. Prompts without a keyword leave the session's mode as it is.
 */
export const userPromptSubmit = (input: typeof UserPromptSubmitInput.Type) =>
  Effect.gen(function*() {
    // background sub-agent completions come back as a synthetic prompt: not the user's words
    if (input.prompt.trimStart().startsWith("<task-notification>")) return Option.none<HookOutput>()
    // a session that outlived an idle daemon gets one again
    yield* ensureDaemon("user-prompt-submit", input.cwd)
    const { config } = yield* Config
    const detected = detectMode(input.prompt, config.modes)
    if (detected === undefined) return Option.none<HookOutput>()
    const sessions = yield* Sessions
    yield* sessions.setMode(input.session_id, { mode: detected.mode, autopilot: detected.autopilot, task: detected.task }, input.cwd)
    const text = detected.autopilot && detected.mode !== "autopilot"
      ? `${MODE_TEXT.autopilot} With fusion: ${MODE_TEXT[detected.mode]}`
      : MODE_TEXT[detected.mode]
    return Option.some(addContext("UserPromptSubmit", `[omcm] ${text} Task: ${detected.task}`))
  })
