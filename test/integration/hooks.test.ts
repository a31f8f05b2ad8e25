import * as fs from "node:fs"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { startSimulatedModel } from "../../src/simulated/openaiCompatible"
import { runOmcm, runOmcmAsync } from "../support/cli"
import { simulatedPoolConfig } from "../support/poolFixture"
import { makeTempHome, type TempHome } from "../support/tempHome"

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const home = () => {
  const h = makeTempHome("omcm-hooks-")
  cleanups.push(h.cleanup)
  return h
}

const hook = (h: TempHome, event: string, input: unknown, env: NodeJS.ProcessEnv = {}) =>
  runOmcm(["hook", event], { ...h.env, ...env }, typeof input === "string" ? input : JSON.stringify(input))

const agentCall = (session: string, subagent_type: string, prompt = "do the work", extra: Record<string, unknown> = {}) => ({
  session_id: session,
  cwd: process.cwd(),
  hook_event_name: "PreToolUse",
  tool_name: "Agent",
  tool_input: { description: "work", prompt, subagent_type, ...extra },
  tool_use_id: `toolu_${session}`
})

const stats = (h: TempHome) => JSON.parse(runOmcm(["stats", "--json"], h.env).stdout)

describe("omcm hook: never breaks the session", () => {
  it.each([
    ["empty input", ""],
    ["malformed JSON", "{\"session_id\": "],
    ["a JSON array", "[1,2,3]"],
    ["the wrong shape", JSON.stringify({ session_id: 3, hook_event_name: "PreToolUse" })],
    ["huge input", `{"session_id":"s","x":"${"a".repeat(9 * 1024 * 1024)}"}`]
  ])("%s: exit 0, no decision on stdout, the reason logged", (_, input) => {
    const h = home()
    for (const event of ["pre-tool-use", "user-prompt-submit", "session-start", "post-tool-use", "stop", "session-end"]) {
      const r = hook(h, event, input)
      expect(r.status).toBe(0)
      expect(r.stdout).toBe("")
    }
    expect(fs.readFileSync(path.join(h.paths.logDir, "hooks.log"), "utf8").trim().split("\n").length).toBeGreaterThanOrEqual(6)
  })

  it("a broken config.json lets every call through and says why in the log", () => {
    const h = home()
    h.writeConfig({ routing: { maxOpencodeWorkers: 99 } })
    const r = hook(h, "pre-tool-use", agentCall("s1", "oh-my-claudecode:executor"))
    expect(r).toMatchObject({ status: 0, stdout: "" })
    expect(fs.readFileSync(path.join(h.paths.logDir, "hooks.log"), "utf8")).toContain("routing.maxOpencodeWorkers")
  })

  it("an unknown event and omcm's own claude children (OMCM_DELEGATED=1) do nothing", () => {
    const h = home()
    expect(hook(h, "no-such-event", agentCall("s", "executor"))).toMatchObject({ status: 0, stdout: "" })
    const r = hook(h, "user-prompt-submit", { session_id: "s", hook_event_name: "UserPromptSubmit", prompt: "hulw: go" }, { OMCM_DELEGATED: "1" })
    expect(r).toMatchObject({ status: 0, stdout: "", stderr: "" })
    // nothing was stored for that session: it is still off
    const resumed = hook(h, "session-start", { session_id: "s", hook_event_name: "SessionStart", source: "resume" })
    expect(JSON.parse(resumed.stdout).hookSpecificOutput.additionalContext).toContain("mode off")
  })

  it("other tools pass untouched", () => {
    const h = home()
    const r = hook(h, "pre-tool-use", { ...agentCall("s", "executor"), tool_name: "Bash", tool_input: { command: "ls" } })
    expect(r).toMatchObject({ status: 0, stdout: "" })
  })
})

describe("omcm hook: modes per session", () => {
  it("UserPromptSubmit stores each session's own mode and tells the model", () => {
    const h = home()
    const a = hook(h, "user-prompt-submit", { session_id: "A", hook_event_name: "UserPromptSubmit", prompt: "hulw: refactor the parser" })
    const b = hook(h, "user-prompt-submit", { session_id: "B", hook_event_name: "UserPromptSubmit", prompt: "fix the flaky test with ultrawork" })
    expect(JSON.parse(a.stdout).hookSpecificOutput).toMatchObject({ hookEventName: "UserPromptSubmit" })
    expect(JSON.parse(a.stdout).hookSpecificOutput.additionalContext).toContain("hulw")
    expect(JSON.parse(b.stdout).hookSpecificOutput.additionalContext).toContain("ulw")
    // a later prompt without a keyword keeps the mode; a background-task notification is not a prompt
    expect(hook(h, "user-prompt-submit", { session_id: "A", hook_event_name: "UserPromptSubmit", prompt: "now the tests" }).stdout).toBe("")
    expect(hook(h, "user-prompt-submit", { session_id: "B", hook_event_name: "UserPromptSubmit", prompt: "<task-notification> hulw done" }).stdout).toBe("")
    const resume = (id: string) =>
      JSON.parse(hook(h, "session-start", { session_id: id, hook_event_name: "SessionStart", source: "resume" }).stdout).hookSpecificOutput.additionalContext
    expect(resume("A")).toContain("mode hulw")
    expect(resume("B")).toContain("mode ulw")
    expect(resume("C")).toContain("mode off")
    // a new conversation starts without a mode
    hook(h, "session-start", { session_id: "A", hook_event_name: "SessionStart", source: "startup" })
    expect(resume("A")).toContain("mode off")
  })

  it("SessionStart gives one line with usage, mode and pool state", () => {
    const h = home()
    const r = hook(h, "session-start", { session_id: "S", hook_event_name: "SessionStart", source: "startup" }, { OMCM_CLAUDE_USAGE: "42" })
    const text: string = JSON.parse(r.stdout).hookSpecificOutput.additionalContext
    expect(text.split("\n")).toHaveLength(1)
    expect(text).toContain("Claude usage 42%")
    expect(text).toContain("OpenCode pool down")
  })
})

describe("omcm hook: routing and recording", () => {
  it("a Claude-target call passes untouched and the decision is recorded", () => {
    const h = home()
    hook(h, "user-prompt-submit", { session_id: "S", hook_event_name: "UserPromptSubmit", prompt: "hulw: design it" })
    const r = hook(h, "pre-tool-use", agentCall("S", "oh-my-claudecode:architect"))
    expect(r).toMatchObject({ status: 0, stdout: "" })
    const s = stats(h)
    expect(s.agents.find((a: { name: string }) => a.name === "architect")).toMatchObject({ routed: 1 })
  })

  it("PostToolUse records the Claude sub-agent's tokens; a background launch is skipped", () => {
    const h = home()
    const post = (response: unknown) =>
      hook(h, "post-tool-use", {
        session_id: "S",
        hook_event_name: "PostToolUse",
        tool_name: "Agent",
        tool_input: { description: "d", prompt: "p", subagent_type: "general-purpose" },
        tool_response: response,
        duration_ms: 996
      })
    expect(post({ status: "async_launched", agentId: "a1" }).status).toBe(0)
    expect(post({
      status: "completed",
      agentType: "general-purpose",
      resolvedModel: "claude-opus-5-5",
      totalDurationMs: 992,
      totalTokens: 1500,
      usage: { input_tokens: 1200, output_tokens: 300, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 }
    }).status).toBe(0)
    const s = stats(h)
    const anthropic = s.providers.find((p: { name: string }) => p.name === "anthropic")
    expect(anthropic).toMatchObject({ calls: 1, tokens: 1500 })
    expect(s.savings.claudeTokens).toBe(1500)
  })

  it("a delegated result (here a background call) longer than hooks.resultInlineChars is saved in the project's .omcm/results/ and the reason points to it", async () => {
    const h = home()
    const model = await startSimulatedModel({ reply: `LONG-RESULT ${"lorem ipsum ".repeat(600)} END-OF-RESULT` })
    cleanups.push(model.close)
    h.writeConfig({ ...simulatedPoolConfig(h, model), hooks: { resultInlineChars: 2000 } })
    await runOmcmAsync(["hook", "user-prompt-submit"], h.env, { input: JSON.stringify({ session_id: "L", hook_event_name: "UserPromptSubmit", prompt: "hulw: write it" }) })
    const project = path.join(h.root, "project")
    fs.mkdirSync(project, { recursive: true })
    const r = await runOmcmAsync(["hook", "pre-tool-use"], h.env, {
      input: JSON.stringify({ ...agentCall("L", "oh-my-claudecode:writer", "write the long docs", { run_in_background: true }), cwd: project })
    })
    expect(r.status).toBe(0)
    const out = JSON.parse(r.stdout).hookSpecificOutput
    expect(out).toMatchObject({ hookEventName: "PreToolUse", permissionDecision: "deny" })
    const reason: string = out.permissionDecisionReason
    expect(reason.length).toBeLessThanOrEqual(2000)
    expect(reason).toContain("completed by OpenCode (google/gemini-3-flash)")
    expect(reason).toContain("LONG-RESULT")
    const file = /The full result is in (\S+\.md)/.exec(reason)?.[1]
    expect(file).toBeDefined()
    expect(file!.startsWith(".omcm/results/")).toBe(true)
    expect(fs.readFileSync(path.join(project, file!), "utf8")).toContain("END-OF-RESULT")
    // nothing of .omcm/ is committed by accident
    expect(fs.readFileSync(path.join(project, ".omcm", ".gitignore"), "utf8")).toBe("*\n")
    const s = stats(h)
    expect(s.savings.calls).toBe(1)
    expect(s.savings.tokens).toBeGreaterThan(0)
  }, 180_000)
})
