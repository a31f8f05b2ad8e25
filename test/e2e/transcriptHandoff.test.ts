import * as fs from "node:fs"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { runClaude } from "../support/claudeHarness"
import { startFakeAnthropic } from "../support/fakeAnthropic"
import { runOmcm } from "../support/cli"
import { makeTempHome } from "../support/tempHome"

// The real Claude Code writes its transcript (the fake Anthropic model scripts TodoWrite, Read and Edit calls and
// says what it decided); `omcm handoff` then builds the handoff from that transcript alone.

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

describe("a handoff from a transcript the real Claude Code wrote", () => {
  it("task from the prompt, TODOs of the last TodoWrite, the edited file, the decision and the finding", async () => {
    const home = makeTempHome("omcm-transcript-")
    cleanups.push(home.cleanup)
    const cwd = path.join(home.root, "proj")
    fs.mkdirSync(path.join(cwd, "src"), { recursive: true })
    const login = path.join(cwd, "src", "login.ts")
    fs.writeFileSync(login, "export const login = () => \"stub\"\n")
    fs.writeFileSync(path.join(cwd, "README.md"), "# proj\n")
    const todos = (first: string, second: string) => ({
      todos: [
        { content: "Read the login module", status: first, activeForm: "Reading the login module" },
        { content: "Add password validation", status: second, activeForm: "Adding password validation" }
      ]
    })
    const fake = await startFakeAnthropic({
      script: {
        turns: [
          { text: "Starting with a plan.", uses: [{ name: "TodoWrite", input: todos("in_progress", "pending") }] },
          { uses: [{ name: "Read", input: { file_path: login } }, { name: "Read", input: { file_path: path.join(cwd, "README.md") } }] },
          {
            text: "It turns out the login handler is a stub. I'll use bcrypt for the password hashes.",
            uses: [{ name: "Edit", input: { file_path: login, old_string: "\"stub\"", new_string: "\"bcrypt\"" } }]
          },
          { uses: [{ name: "TodoWrite", input: todos("completed", "in_progress") }] }
        ],
        finalText: "Done for now."
      }
    })
    cleanups.push(fake.close)

    const run = await runClaude({
      home,
      cwd,
      fakeBaseUrl: fake.baseUrl,
      prompt: "PROBE-MAIN implement the login with password validation",
      extraArgs: ["--permission-mode", "acceptEdits"],
      timeoutMs: 90_000
    })
    expect(run.timedOut).toBe(false)
    expect(run.exitCode).toBe(0)
    expect(fs.readFileSync(login, "utf8")).toContain("bcrypt")

    // the rule-based notes: what this test checks is the transcript reader (the LOW-tier summary: handoffSummary.test.ts)
    const r = runOmcm(["handoff", "--json", "--no-summary"], home.env, undefined, cwd)
    expect(r.stderr).toBe("")
    expect(r.status).toBe(0)
    const { context } = JSON.parse(r.stdout)
    const folder = path.join(home.env.CLAUDE_CONFIG_DIR!, "projects", fs.realpathSync(cwd).replace(/[^a-zA-Z0-9]/g, "-"))
    expect(path.dirname(context.meta.transcript)).toBe(folder)
    expect(context.task.description).toBe("PROBE-MAIN implement the login with password validation")
    expect(context.todos).toEqual({ pending: [], inProgress: ["Add password validation"], completed: ["Read the login module"] })
    expect(context.files.modified).toEqual(["src/login.ts"])
    expect(context.files.referenced).toEqual(["README.md"])
    expect(context.decisions.recent.map((d: { text: string }) => d.text)).toEqual(["I'll use bcrypt for the password hashes."])
    expect(context.decisions.learnings.map((d: { text: string }) => d.text)).toEqual(["It turns out the login handler is a stub."])
    expect(context.meta.sources.todos).toMatch(/\(TodoWrite, line \d+\)$/)
  }, 150_000)
})
