import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { runOmcm, runOmcmAsync } from "../support/cli"
import { makeTempHome, type TempHome } from "../support/tempHome"

/** The hook relay: with a pool daemon up (here with no OpenCode server), hooks are answered by the daemon. */
let home: TempHome
let daemonPid: number

beforeAll(async () => {
  home = makeTempHome("omcm-relay-")
  const started = await runOmcmAsync(["pool", "start", "--detach", "--min", "0"], home.env)
  expect(started.status).toBe(0)
  daemonPid = JSON.parse(fs.readFileSync(home.paths.daemonFile, "utf8")).pid
}, 120_000)

afterAll(async () => {
  await runOmcmAsync(["pool", "stop"], home.env)
  home.cleanup()
})

const hook = (event: string, input: unknown, env: NodeJS.ProcessEnv = {}) =>
  runOmcm(["hook", event], { ...home.env, ...env }, typeof input === "string" ? input : JSON.stringify(input))

const prompt = (session: string, text: string) => ({ session_id: session, cwd: home.root, hook_event_name: "UserPromptSubmit", prompt: text })
const agent = (session: string, subagent_type: string) => ({
  session_id: session,
  cwd: home.root,
  hook_event_name: "PreToolUse",
  tool_name: "Agent",
  tool_input: { description: "d", prompt: "p", subagent_type }
})
const routedOf = (name: string) =>
  JSON.parse(runOmcm(["stats", "--json"], home.env).stdout).agents.find((a: { name: string }) => a.name === name)?.routed ?? 0

describe("hook relay to the pool daemon", () => {
  it("answers like the in-process hook, and the daemon does the work", () => {
    const relayed = hook("user-prompt-submit", prompt("R1", "hulw: port the parser"), { OMCM_RELAY_TRACE: "1" })
    expect(relayed.stderr).toBe(`omcm relay: answered by the pool daemon (pid ${daemonPid})\n`)
    const local = hook("user-prompt-submit", prompt("R2", "hulw: port the parser"), { OMCM_NO_RELAY: "1" })
    expect(relayed.status).toBe(0)
    expect(relayed.stdout).toBe(local.stdout)
    expect(JSON.parse(relayed.stdout).hookSpecificOutput.additionalContext).toContain("hulw")
    // the mode the daemon stored is the session's mode for the in-process path too
    const resumed = hook("session-start", { session_id: "R1", hook_event_name: "SessionStart", source: "resume" }, { OMCM_NO_RELAY: "1" })
    expect(JSON.parse(resumed.stdout).hookSpecificOutput.additionalContext).toContain("mode hulw")
    // a Claude-target call: nothing on stdout, the decision recorded once
    const before = routedOf("architect")
    expect(hook("pre-tool-use", agent("R1", "oh-my-claudecode:architect"), { OMCM_RELAY_TRACE: "1" })).toMatchObject({
      status: 0,
      stdout: "",
      stderr: `omcm relay: answered by the pool daemon (pid ${daemonPid})\n`
    })
    expect(routedOf("architect")).toBe(before + 1)
  })

  it("the statusline is drawn by the daemon too, the same line as in-process", () => {
    const input = JSON.stringify({
      session_id: "R1",
      rate_limits: { five_hour: { used_percentage: 42, resets_at: Math.floor(Date.now() / 1000) + 3600 }, seven_day: { used_percentage: 10 } }
    })
    const relayed = runOmcm(["statusline"], { ...home.env, OMCM_RELAY_TRACE: "1" }, input)
    const local = runOmcm(["statusline"], { ...home.env, OMCM_NO_RELAY: "1" }, input)
    expect(relayed.stderr).toBe(`omcm relay: answered by the pool daemon (pid ${daemonPid})\n`)
    expect(relayed.stdout).toBe(local.stdout)
    expect(relayed.stdout).toMatch(/^omcm │ Claude 42% \(5h 42% resets \d+m · wk 10%\) │ mode hulw │ /)
    // a bad input still draws a line
    expect(runOmcm(["statusline"], home.env, "{ not json").stdout).toMatch(/^omcm │ /)
  })

  it("the Stop hook's automatic handoff (ulw, usage past heavyThreshold) is written by the daemon, and its statusline shows it", () => {
    const project = path.join(home.root, "relay-project")
    fs.mkdirSync(project, { recursive: true })
    const transcript = path.join(home.root, "relay-session.jsonl")
    const fixture = fs.readFileSync(path.resolve(__dirname, "../fixtures/transcripts/login-session.jsonl"), "utf8")
    fs.writeFileSync(transcript, fixture.replaceAll("/opt/my-project", project))
    const env = { OMCM_CLAUDE_USAGE: "95", OMCM_RELAY_TRACE: "1" }
    const answered = `omcm relay: answered by the pool daemon (pid ${daemonPid})\n`
    expect(hook("user-prompt-submit", { ...prompt("AH", "ulw: finish the login"), cwd: project }, env).stderr).toBe(answered)
    const stop = hook("stop", { session_id: "AH", transcript_path: transcript, cwd: project, hook_event_name: "Stop", stop_hook_active: false }, env)
    expect(stop).toMatchObject({ status: 0, stdout: "", stderr: answered })
    const markdown = fs.readFileSync(path.join(project, ".omcm", "handoff", "context.md"), "utf8")
    expect(markdown).toContain("## Current Task\nImplement the login functionality in src/auth")
    expect(markdown).toContain("| Usage | 5-hour: 95%, Weekly: unknown |")
    const line = runOmcm(["statusline"], { ...home.env, ...env }, JSON.stringify({ session_id: "AH", workspace: { current_dir: project } }))
    expect(line.stderr).toBe(answered)
    expect(line.stdout).toContain("handoff at 95%: .omcm/handoff/context.md · continue in OpenCode: omcm handoff --to opencode --open")
  })

  it("fails open on bad input, logging why", () => {
    const r = hook("pre-tool-use", "not json")
    expect(r).toMatchObject({ status: 0, stdout: "" })
    expect(fs.readFileSync(`${home.paths.logDir}/hooks.log`, "utf8")).toContain("hook input is not valid JSON")
  })

  it("a call no daemon takes (daemon.json names a live process that is not one) is withdrawn and answered in-process", () => {
    const other = makeTempHome("omcm-relay-untaken-")
    try {
      fs.mkdirSync(other.paths.relayDir, { recursive: true })
      // a live pid (this test process) that never looks at the relay directory
      fs.writeFileSync(other.paths.daemonFile, JSON.stringify({ pid: process.pid, startTicks: null, apiPort: 1, token: "t", startedAt: 0, projectDir: "/", servers: [] }))
      const started = Date.now()
      const r = runOmcm(["hook", "user-prompt-submit"], other.env, JSON.stringify(prompt("F", "ulw: tidy up")))
      expect(r.status).toBe(0)
      expect(JSON.parse(r.stdout).hookSpecificOutput.additionalContext).toContain("ulw")
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_500)
      // nothing left behind for a daemon to find later
      expect(fs.readdirSync(other.paths.relayDir)).toEqual([])
    } finally {
      other.cleanup()
    }
  })

  it("the daemon answers calls from several hooks at once, each with its own answer, and leaves no file behind", async () => {
    const calls = Array.from({ length: 8 }, (_, i) =>
      runOmcmAsync(["hook", "user-prompt-submit"], home.env, { input: JSON.stringify(prompt(`P${i}`, i % 2 === 0 ? "hulw: a" : "ulw: b")) }))
    const results = await Promise.all(calls)
    results.forEach((r, i) => {
      expect(r.status).toBe(0)
      expect(JSON.parse(r.stdout).hookSpecificOutput.additionalContext).toContain(i % 2 === 0 ? "hulw" : "ulw")
    })
    expect(fs.readdirSync(home.paths.relayDir)).toEqual([])
  })

  it("a stale daemon.json (dead process) means the in-process hook", () => {
    const other = makeTempHome("omcm-relay-stale-")
    try {
      fs.mkdirSync(other.paths.stateDir, { recursive: true })
      fs.writeFileSync(other.paths.daemonFile, JSON.stringify({ pid: 2 ** 22 + 17, startTicks: null, apiPort: 1, token: "t", startedAt: 0, projectDir: "/", servers: [] }))
      const r = runOmcm(["hook", "user-prompt-submit"], other.env, JSON.stringify(prompt("S", "hulw: go")))
      expect(JSON.parse(r.stdout).hookSpecificOutput.additionalContext).toContain("hulw")
    } finally {
      other.cleanup()
    }
    expect(daemonPid).toBeGreaterThan(0)
  })
})
