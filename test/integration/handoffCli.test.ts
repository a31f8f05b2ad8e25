import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { runOmcm } from "../support/cli"
import { makeTempHome, type TempHome } from "../support/tempHome"

let home: TempHome
let repo: string

/** git with no user or system configuration of the machine */
const git = (...args: Array<string>) =>
  execFileSync("git", args, {
    cwd: repo,
    env: { ...home.env, GIT_CONFIG_NOSYSTEM: "1", GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@t", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@t" },
    encoding: "utf8"
  })

const write = (file: string, content: string) => {
  fs.mkdirSync(path.dirname(path.join(repo, file)), { recursive: true })
  fs.writeFileSync(path.join(repo, file), content)
}

beforeEach(() => {
  home = makeTempHome("omcm-handoff-")
  repo = path.join(home.root, "my project")
  fs.mkdirSync(repo, { recursive: true })
  git("init", "-q")
  write("src/auth.ts", "export {}\n")
  write("README.md", "# project\n")
  git("add", ".")
  git("commit", "-qm", "init")
})
afterEach(() => home.cleanup())

const omcm = (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv = home.env) => runOmcm(args, env, undefined, repo)

describe("omcm handoff", () => {
  it("writes context.md and context.json with the task and the modified files; handoff show prints the Markdown", () => {
    write("src/auth.ts", "export const login = () => {}\n")
    write("src/login form.tsx", "export {}\n")
    write("notes/todo list.md", "- more\n")
    fs.rmSync(path.join(repo, "README.md"))

    const r = omcm(["handoff", "--task", "Finish the login flow", "--goal", "users can sign in"], { ...home.env, OMCM_CLAUDE_USAGE: "91" })
    expect(r.stderr).toBe("")
    expect(r.status).toBe(0)
    const dir = path.join(repo, ".omcm", "handoff")
    expect(r.stdout.trim()).toBe(
      `omcm: handoff written to ${path.join(dir, "context.md")} (and ${path.join(dir, "context.json")}); 4 modified file(s), mode unknown`
    )
    expect(fs.readdirSync(dir).sort()).toEqual(["context.json", "context.md"])

    const json = JSON.parse(fs.readFileSync(path.join(dir, "context.json"), "utf8"))
    expect(json.task).toEqual({ description: "Finish the login flow", goal: "users can sign in", constraints: [] })
    expect([...json.files.modified].sort()).toEqual(["README.md", "notes/todo list.md", "src/auth.ts", "src/login form.tsx"])
    expect(json.meta).toMatchObject({ projectPath: repo, git: "ok", claudeUsage: { fiveHourUsage: 91, weeklyUsage: null }, mode: null })

    const show = omcm(["handoff", "show"])
    expect(show.stderr).toBe("")
    expect(show.status).toBe(0)
    expect(show.stdout).toBe(fs.readFileSync(path.join(dir, "context.md"), "utf8"))
    expect(show.stdout).toContain("## Current Task\nFinish the login flow\n\n**Goal:** users can sign in")
    expect(show.stdout).toContain("- src/auth.ts\n")
    expect(show.stdout).toContain("- src/login form.tsx (untracked)\n")
    expect(show.stdout).toContain("- notes/todo list.md (untracked)\n")
    expect(show.stdout).toContain("- README.md (deleted)\n")
    expect(show.stdout).toContain("| Usage | 5-hour: 91%, Weekly: unknown |")
    // the handoff's own files are not the project's work
    expect(show.stdout).not.toContain(".omcm/")
  })

  it("takes the session id, start and mode of the Claude Code session open in the directory", () => {
    const hook = (event: string, input: unknown) => runOmcm(["hook", event], home.env, JSON.stringify(input), repo)
    hook("session-start", { session_id: "sess-42", cwd: repo, hook_event_name: "SessionStart", source: "startup" })
    hook("user-prompt-submit", { session_id: "sess-42", cwd: repo, hook_event_name: "UserPromptSubmit", prompt: "hulw: split the auth module" })
    write("src/auth.ts", "changed\n")

    const r = omcm(["handoff", "--json"])
    expect(r.status).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out.markdown).toBe(path.join(repo, ".omcm", "handoff", "context.md"))
    expect(out.context.meta).toMatchObject({ sessionId: "sess-42", mode: "hulw" })
    expect(out.context.meta.startTime).toMatch(/^\d{4}-\d\d-\d\dT/)
    // no --task: the task the session's prompt gave
    expect(out.context.task.description).toBe("split the auth module")
    const show = omcm(["handoff", "show"]).stdout
    expect(show).toContain("| Session ID | `sess-42` |")
    expect(show).toContain("| Mode | hulw |")
  })

  it("reads the project's newest Claude Code transcript under CLAUDE_CONFIG_DIR: prompts, TODOs, files, decisions", () => {
    const folder = path.join(home.env.CLAUDE_CONFIG_DIR!, "projects", repo.replace(/[^a-zA-Z0-9]/g, "-"))
    fs.mkdirSync(folder, { recursive: true })
    const fixture = fs.readFileSync(path.resolve(__dirname, "../fixtures/transcripts/login-session.jsonl"), "utf8")
    fs.writeFileSync(path.join(folder, "older.jsonl"), "{\"type\":\"user\",\"message\":{\"content\":\"an older session\"}}\n")
    const newest = path.join(folder, "newest.jsonl")
    fs.writeFileSync(newest, fixture.replaceAll("/opt/my-project", repo))
    fs.utimesSync(path.join(folder, "older.jsonl"), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000))
    write("src/auth.ts", "changed\n")

    const r = omcm(["handoff", "--json", "--no-summary"])
    expect(r.stderr).toBe("")
    expect(r.status).toBe(0)
    const { context } = JSON.parse(r.stdout)
    expect(context.task.description).toMatch(/^Implement the login functionality in src\/auth/)
    expect(context.todos.inProgress).toEqual(["Implement session management"])
    expect(context.files.modified).toEqual(["src/auth.ts", "src/auth/login.ts", "src/auth/signup.ts", "src/middleware/auth.ts"])
    expect(context.files.referenced).toEqual(["package.json"])
    expect(context.decisions.recent[0]).toEqual({ text: "I'll use JWT tokens for authentication, signed with HS256.", source: `transcript ${newest} line 12 (deterministic)` })
    expect(context.meta.transcript).toBe(newest)

    const given = omcm(["handoff", "--json", "--no-summary", "--task", "Only this", "--transcript", path.join(folder, "older.jsonl")])
    expect(JSON.parse(given.stdout).context.task.description).toBe("Only this")
    const missing = omcm(["handoff", "--transcript", "nope.jsonl"])
    expect(missing.status).not.toBe(0)
    expect(missing.stderr.trim()).toBe(`omcm: transcript: ${path.join(repo, "nope.jsonl")} does not exist`)
  })

  it("without a TodoWrite in the transcript, the TODOs come from Claude Code's todo file of the session", () => {
    const folder = path.join(home.env.CLAUDE_CONFIG_DIR!, "projects", repo.replace(/[^a-zA-Z0-9]/g, "-"))
    fs.mkdirSync(folder, { recursive: true })
    const sid = "9d1c9a2e-5b7d-4c1e-9a8f-0d2b6e4c7a22"
    fs.writeFileSync(path.join(folder, `${sid}.jsonl`), `${JSON.stringify({ type: "user", sessionId: sid, message: { role: "user", content: "Fix the tests" } })}\n`)
    const todoDir = path.join(home.env.CLAUDE_CONFIG_DIR!, "todos")
    fs.mkdirSync(todoDir, { recursive: true })
    const todoFile = path.join(todoDir, `${sid}-agent-${sid}.json`)
    fs.writeFileSync(todoFile, JSON.stringify([
      { content: "Run the suite", status: "completed", activeForm: "Running the suite", id: "1" },
      { content: "Fix the flaky test", status: "in_progress", activeForm: "Fixing", id: "2" }
    ]))
    const { context } = JSON.parse(omcm(["handoff", "--json", "--no-summary"]).stdout)
    expect(context.task.description).toBe("Fix the tests")
    expect(context.todos).toEqual({ pending: [], inProgress: ["Fix the flaky test"], completed: ["Run the suite"] })
    expect(context.meta.sources.todos).toBe(`Claude Code todo file ${todoFile}`)
  })

  it("handoff show without a handoff is one clear line", () => {
    const r = omcm(["handoff", "show"])
    expect(r.status).toBe(1)
    expect(r.stdout).toBe("")
    expect(r.stderr).toBe(`omcm: no handoff in ${repo} (write one with: omcm handoff --task "...")\n`)
  })

  it("an empty --task is rejected with exit 2", () => {
    const r = omcm(["handoff", "--task", "  "])
    expect(r.status).toBe(2)
    expect(r.stderr.trim()).toBe("omcm: --task: expected a non-empty task")
  })
})

describe("omcm balancer stats", () => {
  it("prints the configured strategy and providers, agent-mapping.json over the defaults", () => {
    home.writeConfig({ balancingStrategy: "latency", providers: { openai: { weight: 5, enabled: false }, xai: { models: ["grok-5"] } } }, "agent-mapping.json")
    const r = omcm(["balancer", "stats", "--json"])
    expect(r.stderr).toBe("")
    expect(r.status).toBe(0)
    const stats = JSON.parse(r.stdout)
    expect(stats.strategy).toBe("latency")
    expect(stats.providers.map((p: { name: string; weight: number; priority: number; enabled: boolean }) => [p.name, p.weight, p.priority, p.enabled])).toEqual([
      ["claude", 3, 1, true],
      ["openai", 5, 2, false],
      ["gemini", 2, 2, true],
      ["xai", 1, 2, true]
    ])
    const text = omcm(["balancer", "stats"]).stdout
    expect(text).toMatch(/^strategy: latency \(from .*agent-mapping\.json\)\n/)
    expect(text).toMatch(/\nopenai +5 +2 +no +gpt-5\.2, gpt-5\.2-codex +agent-mapping\.json\n/)
  })
})
