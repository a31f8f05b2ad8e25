import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { OMCM_BIN, runOmcm } from "../support/cli"
import { makeTempHome, type TempHome } from "../support/tempHome"

// ulw's automatic handoff through the real hook and statusline programs (dist/omcm.js, no daemon): Claude Code's
// statusline reports the rate limits, UserPromptSubmit switches the session to ulw, and the Stop hook writes the
// handoff once a crossing of routing.heavyThreshold (90 by default; recoverThreshold 85).

const FIXTURE = path.resolve(__dirname, "../fixtures/transcripts/login-session.jsonl")
const NOTICE = "continue in OpenCode: omcm handoff --to opencode --open"

let home: TempHome

beforeEach(() => {
  home = makeTempHome("omcm-auto-handoff-")
})
afterEach(() => home.cleanup())

/** a project with the session's transcript, as Claude Code keeps it */
const makeProject = (name: string) => {
  const project = path.join(home.root, name)
  fs.mkdirSync(project, { recursive: true })
  const transcript = path.join(home.env.CLAUDE_CONFIG_DIR!, "projects", project.replace(/[^a-zA-Z0-9]/g, "-"), "session.jsonl")
  fs.mkdirSync(path.dirname(transcript), { recursive: true })
  fs.writeFileSync(transcript, fs.readFileSync(FIXTURE, "utf8").replaceAll("/opt/my-project", project))
  return { project, transcript, markdown: path.join(project, ".omcm", "handoff", "context.md") }
}

const hook = (event: string, input: Record<string, unknown>, cwd: string) => {
  const r = runOmcm(["hook", event], home.env, JSON.stringify(input), cwd)
  expect(r.status).toBe(0)
  return r
}

const prompt = (sessionId: string, project: string, text: string) =>
  hook("user-prompt-submit", { session_id: sessionId, cwd: project, hook_event_name: "UserPromptSubmit", prompt: text, permission_mode: "default" }, project)

/** Claude Code's Stop input (2.1.330) */
const stop = (sessionId: string, project: string, transcript: string) =>
  hook("stop", {
    session_id: sessionId,
    transcript_path: transcript,
    cwd: project,
    permission_mode: "default",
    hook_event_name: "Stop",
    stop_hook_active: false,
    last_assistant_message: "Done for now.",
    background_tasks: [],
    session_crons: []
  }, project)

/** the statusline as Claude Code runs it: its rate limits are stored for every hook, and one line comes back */
const statusline = (sessionId: string, project: string, fiveHour: number) => {
  const r = runOmcm(["statusline"], home.env, JSON.stringify({
    session_id: sessionId,
    workspace: { current_dir: project },
    rate_limits: { five_hour: { used_percentage: fiveHour, resets_at: Math.floor(Date.now() / 1000) + 3600 }, seven_day: { used_percentage: 20 } }
  }), project)
  expect(r.status).toBe(0)
  return r.stdout
}

const hookLog = () => {
  const file = path.join(home.env.OMCM_HOME!, "logs", "hooks.log")
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : ""
}

describe("the Stop hook's automatic handoff in ulw", () => {
  it("is written once a crossing of heavyThreshold, and the statusline says where it is and how to continue", () => {
    const { markdown, project, transcript } = makeProject("ulw-project")
    prompt("s-ulw", project, "ulw finish the login")
    expect(statusline("s-ulw", project, 89)).not.toContain(NOTICE)
    stop("s-ulw", project, transcript)
    expect(fs.existsSync(markdown)).toBe(false)

    expect(statusline("s-ulw", project, 93)).not.toContain(NOTICE)
    const first = stop("s-ulw", project, transcript)
    expect(first.stdout).toBe("")
    const written = fs.readFileSync(markdown, "utf8")
    expect(written).toMatch(/^# Task Handoff Context\n/)
    expect(written).toContain("## Current Task\nImplement the login functionality in src/auth")
    expect(written).toContain("| Mode | ulw |")
    expect(written).toContain("| Usage | 5-hour: 93%, Weekly: 20% |")
    expect(written).toContain("_(transcript")
    expect(written).toContain("(deterministic)")
    const json = JSON.parse(fs.readFileSync(markdown.replace(/md$/, "json"), "utf8"))
    expect(json.meta).toMatchObject({ sessionId: "s-ulw", mode: "ulw", transcript })
    expect(json.meta.sources.notes).toContain("written by the Stop hook, which asks no model")

    const line = statusline("s-ulw", project, 94)
    expect(line.trim().split("\n")).toHaveLength(1)
    expect(line).toContain(`handoff at 93%: .omcm/handoff/context.md · ${NOTICE}`)
    // another session of the project has written nothing
    expect(statusline("s-other", project, 94)).not.toContain(NOTICE)

    // more turns in the same crossing: not rewritten
    stop("s-ulw", project, transcript)
    stop("s-ulw", project, transcript)
    expect(fs.readFileSync(markdown, "utf8")).toBe(written)

    // usage falls below recoverThreshold (a new 5-hour window): the notice goes; the next crossing writes again
    statusline("s-ulw", project, 10)
    stop("s-ulw", project, transcript)
    expect(statusline("s-ulw", project, 10)).not.toContain(NOTICE)
    expect(fs.readFileSync(markdown, "utf8")).toBe(written)
    statusline("s-ulw", project, 96)
    stop("s-ulw", project, transcript)
    const again = fs.readFileSync(markdown, "utf8")
    expect(again).not.toBe(written)
    expect(again).toContain("| Usage | 5-hour: 96%, Weekly: 20% |")
    expect(statusline("s-ulw", project, 96)).toContain(`handoff at 96%: .omcm/handoff/context.md · ${NOTICE}`)
    expect(hookLog()).toBe("")
  })

  it("is not written outside ulw, and a failure is one line of hooks.log that lets the turn end as usual", () => {
    const other = makeProject("hulw-project")
    prompt("s-hulw", other.project, "hulw finish the login")
    statusline("s-hulw", other.project, 97)
    stop("s-hulw", other.project, other.transcript)
    const off = makeProject("off-project")
    stop("s-off", off.project, off.transcript)
    expect(fs.existsSync(other.markdown)).toBe(false)
    expect(fs.existsSync(off.markdown)).toBe(false)
    expect(statusline("s-hulw", other.project, 97)).not.toContain(NOTICE)

    const broken = makeProject("broken-project")
    prompt("s-broken", broken.project, "ulw finish the login")
    const missing = path.join(broken.project, "gone.jsonl")
    const r = stop("s-broken", broken.project, missing)
    expect(r.stdout).toBe("")
    expect(fs.existsSync(broken.markdown)).toBe(false)
    const lines = hookLog().trim().split("\n")
    expect(lines).toHaveLength(1)
    expect(JSON.parse(lines[0]!)).toMatchObject({ event: "stop", sessionId: "s-broken", error: `automatic handoff: transcript: ${missing} does not exist` })
    // the session was still kept fresh, and nothing was recorded for the statusline
    expect(statusline("s-broken", broken.project, 97)).toContain("mode ulw")
    expect(statusline("s-broken", broken.project, 97)).not.toContain(NOTICE)
  })

  it("lets the turn end as usual when the handoff payload cannot be loaded, with one line in hooks.log", () => {
    // a copy of dist/ without the handoff payload, inside the checkout so that node_modules resolves
    const dist = path.join(path.dirname(OMCM_BIN), "..", "test-artifacts", `dist-no-handoff-${process.pid}`)
    fs.rmSync(dist, { recursive: true, force: true })
    fs.cpSync(path.dirname(OMCM_BIN), dist, { recursive: true })
    try {
      for (const name of fs.readdirSync(dist)) if (/^omcm-handoff-[0-9a-f]+\.js$/.test(name)) fs.rmSync(path.join(dist, name))
      const { markdown, project, transcript } = makeProject("no-payload")
      const run = (args: ReadonlyArray<string>, input: Record<string, unknown>) => {
        const r = spawnSync(process.execPath, [path.join(dist, "omcm.js"), ...args], { env: home.env, input: JSON.stringify(input), cwd: project, encoding: "utf8" })
        expect(r.status, r.stderr).toBe(0)
        return r
      }
      run(["hook", "user-prompt-submit"], { session_id: "s-np", cwd: project, hook_event_name: "UserPromptSubmit", prompt: "ulw finish the login", permission_mode: "default" })
      statusline("s-np", project, 95)
      const r = run(["hook", "stop"], { session_id: "s-np", transcript_path: transcript, cwd: project, hook_event_name: "Stop", stop_hook_active: false })
      expect(r.stdout).toBe("")
      expect(fs.existsSync(markdown)).toBe(false)
      const lines = hookLog().trim().split("\n")
      expect(lines).toHaveLength(1)
      expect(JSON.parse(lines[0]!)).toMatchObject({ event: "stop", sessionId: "s-np" })
      expect(JSON.parse(lines[0]!).error).toMatch(/^automatic handoff: handoff payload: .*omcm-handoff-[0-9a-f]+\.js/)
      // nothing recorded: the next Stop tries again
      expect(statusline("s-np", project, 95)).not.toContain(NOTICE)
    } finally {
      fs.rmSync(dist, { recursive: true, force: true })
    }
  })
})
