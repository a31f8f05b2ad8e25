import * as fs from "node:fs"
import * as path from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { runClaude } from "../support/claudeHarness"
import { runOmcm } from "../support/cli"
import { startFakeAnthropic } from "../support/fakeAnthropic"
import { expectOmcmRan, hookEvents } from "../support/hookEvents"
import { processesUnder } from "../support/processes"
import { makeTempHome, type TempHome } from "../support/tempHome"

let home: TempHome
let settingsFile: string
beforeEach(() => {
  home = makeTempHome("omcm-install-")
  settingsFile = path.join(home.paths.claudeConfigDir, "settings.json")
})
afterEach(() => home.cleanup())

const writeSettings = (content: unknown) => {
  fs.mkdirSync(path.dirname(settingsFile), { recursive: true })
  fs.writeFileSync(settingsFile, typeof content === "string" ? content : `${JSON.stringify(content, null, 2)}\n`)
}
const readSettings = (): Record<string, unknown> => JSON.parse(fs.readFileSync(settingsFile, "utf8")) as Record<string, unknown>
const omcm = (...args: Array<string>) => runOmcm(args, home.env)

describe("settings written by omcm install, run by the real Claude Code", () => {
  const claude = async () => {
    const fake = await startFakeAnthropic({})
    const cwd = path.join(home.root, "proj")
    fs.mkdirSync(cwd, { recursive: true })
    try {
      const run = await runClaude({
        home,
        cwd,
        prompt: "hello",
        fakeBaseUrl: fake.baseUrl,
        extraArgs: ["--include-hook-events", "--tools", "Agent"],
        timeoutMs: 30_000
      })
      expect(run.timedOut).toBe(false)
      expect(processesUnder(home.root)).toEqual([])
      return hookEvents(run.messages)
    } finally {
      await fake.close()
    }
  }

  it("claude -p fires omcm's hooks from $CLAUDE_CONFIG_DIR/settings.json, next to omcm's statusLine", async () => {
    writeSettings({ model: "sonnet" })
    expect(omcm("install", "--hooks").status).toBe(0)
    const installed = fs.readFileSync(settingsFile, "utf8")

    const events = await claude()

    // without hooks Claude Code reports no hook events at all (checked): these are omcm's
    expect(events.started).toContain("SessionStart")
    expect(events.started).toContain("UserPromptSubmit")
    expect(events.responses.map((r) => r.hook_event)).toContain("SessionStart")
    for (const response of events.responses) expectOmcmRan(response)
    // Claude Code leaves the file alone, so uninstall still finds what it added
    expect(fs.readFileSync(settingsFile, "utf8")).toBe(installed)
    expect(omcm("uninstall").status).toBe(0)
    expect(readSettings()).toEqual({ model: "sonnet" })
  })

  it("(control) one key Claude Code rejects makes it drop the whole file, so the run above also vouches for the statusLine", async () => {
    writeSettings({
      statusLine: { type: "not-a-type" },
      hooks: { SessionStart: [{ hooks: [{ type: "command", command: "echo control" }] }] }
    })

    const events = await claude()

    expect(events.started).toEqual([])
  })
})
