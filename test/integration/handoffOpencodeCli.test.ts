import * as fs from "node:fs"
import * as path from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { startSimulatedModel, type StartedSimulatedModel } from "../../src/simulated/openaiCompatible"
import { runOmcm, runOmcmAsync } from "../support/cli"
import { OPENCODE_BIN } from "../support/opencodeServer"
import { simulatedPoolConfig } from "../support/poolFixture"
import { makeTempHome, type TempHome } from "../support/tempHome"

// `omcm handoff --to opencode` and `--from opencode <session>` on a short-lived real OpenCode server of the CLI, and the
// SessionStart hook handing the pulled context to Claude Code once.

let home: TempHome
let model: StartedSimulatedModel
let project: string

beforeEach(async () => {
  home = makeTempHome("omcm-handoff-oc-")
  model = await startSimulatedModel({})
  home.writeConfig(simulatedPoolConfig(home, model))
  project = path.join(home.root, "my project")
  fs.mkdirSync(project, { recursive: true })
})
afterEach(async () => {
  await model.close()
  home.cleanup()
})

const chatRequests = () => model.requests.filter((r) => r.url.endsWith("/chat/completions"))

describe("omcm handoff with OpenCode", () => {
  it("--to opencode makes a session holding the handoff without a model call; --from reads it back; SessionStart injects it once", async () => {
    const pushed = await runOmcmAsync(["handoff", "--to", "opencode", "--task", "Implementing login functionality", "--json"], home.env, { cwd: project })
    expect(pushed.stderr).toBe("")
    expect(pushed.status).toBe(0)
    const out = JSON.parse(pushed.stdout)
    expect(out.markdown).toBe(path.join(project, ".omcm", "handoff", "context.md"))
    const { command, directory, sessionId } = out.opencode
    expect(sessionId).toMatch(/^ses_/)
    expect(directory).toBe(project)
    expect(command).toBe(`opencode '${project}' --session ${sessionId}`)
    expect(chatRequests()).toEqual([])

    const text = await runOmcmAsync(["handoff", "--from", "opencode", sessionId], home.env, { cwd: project })
    expect(text.stderr).toBe("")
    expect(text.status).toBe(0)
    const pulledFile = path.join(project, ".omcm", "handoff", "from-opencode.md")
    expect(text.stdout.trim()).toBe(
      `omcm: OpenCode session ${sessionId} read back into ${pulledFile} (and ${pulledFile.replace(/md$/, "json")}); ` +
        "0 open and 0 done TODO(s), 0 changed file(s). The next Claude Code session started here gets it once."
    )
    const pulled = JSON.parse(fs.readFileSync(pulledFile.replace(/md$/, "json"), "utf8"))
    expect(pulled.task.description).toBe("Implementing login functionality")
    expect(pulled.meta).toMatchObject({ from: "OpenCode", to: "Claude Code", sessionId, projectPath: project })
    expect(fs.readFileSync(pulledFile, "utf8")).toMatch(/^# Task Handoff Context\n\n> Switched from OpenCode to Claude Code\n/)

    const start = (id: string) =>
      runOmcm(["hook", "session-start"], { ...home.env, OMCM_NO_AUTOSTART: "1" }, JSON.stringify({
        session_id: id,
        cwd: project,
        hook_event_name: "SessionStart",
        source: "startup"
      }), project)
    const first = start("s-1")
    expect(first.status).toBe(0)
    const context = JSON.parse(first.stdout).hookSpecificOutput.additionalContext as string
    expect(context).toContain("[omcm] The work went on in OpenCode; its handoff back to you:\n\n# Task Handoff Context")
    expect(context).toContain("## Current Task\nImplementing login functionality")
    const second = JSON.parse(start("s-2").stdout).hookSpecificOutput.additionalContext as string
    expect(second).not.toContain("Task Handoff Context")
    expect(fs.existsSync(pulledFile)).toBe(false)
  }, 240_000)

  it("--open starts OpenCode's terminal UI on the pushed session, in the project, and returns when it exits", async () => {
    // the configured opencode: the real one for `serve`, a recorder of its arguments for anything else (the UI)
    const record = path.join(home.root, "opencode-argv.json")
    const fake = path.join(home.root, "opencode-wrapper")
    fs.writeFileSync(
      fake,
      `#!/bin/sh\nif [ "$1" = serve ]; then exec '${OPENCODE_BIN}' "$@"; fi\n` +
        `node -e 'require("fs").writeFileSync(process.argv[1], JSON.stringify({ argv: process.argv.slice(2), cwd: process.cwd() }))' '${record}' "$@"\n`,
      { mode: 0o755 }
    )
    const r = await runOmcmAsync(
      ["handoff", "--to", "opencode", "--open", "--task", "Implementing login functionality", "--json"],
      { ...home.env, OMCM_OPENCODE_BIN: fake },
      { cwd: project, timeoutMs: 120_000 }
    )
    expect(r.stderr).toBe("")
    expect(r.status).toBe(0)
    const { sessionId } = JSON.parse(r.stdout).opencode
    expect(sessionId).toMatch(/^ses_/)
    expect(JSON.parse(fs.readFileSync(record, "utf8"))).toEqual({ argv: [project, "--session", sessionId], cwd: project })
  }, 240_000)

  it("bad combinations are one line and exit 2", () => {
    const cases: ReadonlyArray<[ReadonlyArray<string>, string]> = [
      [["handoff", "--from", "opencode"], "omcm: <session>: --from opencode needs the OpenCode session id (ses_...)"],
      [["handoff", "--open"], "omcm: --open: only with --to opencode"],
      [["handoff", "--from", "opencode", "--to", "opencode", "ses_x"], "omcm: --from and --to: give one of them"]
    ]
    for (const [args, line] of cases) {
      const r = runOmcm(args, home.env, undefined, project)
      expect(r.stderr.trim()).toBe(line)
      expect(r.status).toBe(2)
    }
  })
})
