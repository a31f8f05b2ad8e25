import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { OMCM_HOOKS } from "../../src/services/claude-code/omcmHooks"
import { claudeBin, offlineClaudeEnv, runClaude } from "../support/claudeHarness"
import { startFakeAnthropic } from "../support/fakeAnthropic"
import { expectOmcmRan, hookEvents } from "../support/hookEvents"
import { processesUnder } from "../support/processes"
import { makeTempHome, type TempHome } from "../support/tempHome"

const ROOT = path.resolve(__dirname, "../..")
const readJson = (file: string): Record<string, unknown> => JSON.parse(fs.readFileSync(path.join(ROOT, file), "utf8")) as Record<string, unknown>
const packageJson = readJson("package.json")

let home: TempHome
beforeEach(() => {
  home = makeTempHome("omcm-plugin-")
})
afterEach(() => home.cleanup())

describe("the plugin in the real Claude Code", () => {
  it("claude plugin validate passes offline and lists the six hooks", () => {
    const env = offlineClaudeEnv(home, "http://127.0.0.1:9")
    const text = spawnSync(claudeBin(), ["plugin", "validate", ROOT], { env, cwd: home.root, encoding: "utf8", timeout: 60_000 })
    expect(text.status).toBe(0)
    expect(text.stdout).toContain("Validation passed")

    const json = spawnSync(claudeBin(), ["plugin", "validate", "--json", ROOT], { env, cwd: home.root, encoding: "utf8", timeout: 60_000 })
    expect(json.status).toBe(0)
    const report = JSON.parse(json.stdout) as {
      success: boolean
      manifest: { errors: Array<unknown>; warnings: Array<unknown> }
      provides: { hooks: Array<{ event: string; matcher?: string; command: string }> }
    }
    expect(report.success).toBe(true)
    expect(report.manifest.errors).toEqual([])
    expect(report.manifest.warnings).toEqual([])
    expect(report.provides.hooks.map((h) => [h.event, h.matcher])).toEqual(OMCM_HOOKS.map((s) => [s.event, s.matcher]))
  })

  it("claude -p --plugin-dir loads omcm and fires its SessionStart hook", async () => {
    const fake = await startFakeAnthropic({})
    const cwd = path.join(home.root, "proj")
    fs.mkdirSync(cwd)
    try {
      const run = await runClaude({
        home,
        cwd,
        prompt: "hello",
        fakeBaseUrl: fake.baseUrl,
        pluginDir: ROOT,
        extraArgs: ["--include-hook-events", "--tools", "Agent"],
        timeoutMs: 30_000
      })

      expect(run.timedOut).toBe(false)
      const init = run.messages.find((m) => m.type === "system" && m.subtype === "init")
      expect(init?.plugins).toEqual(expect.arrayContaining([
        expect.objectContaining({ name: "omcm", source: "omcm@inline", version: packageJson.version, path: ROOT })
      ]))
      // without --plugin-dir and settings hooks, Claude Code reports no hook events at all (checked)
      const events = hookEvents(run.messages)
      expect(events.started).toContain("SessionStart")
      const sessionStart = events.responses.filter((r) => r.hook_event === "SessionStart")
      expect(sessionStart).toHaveLength(1)
      for (const response of events.responses) expectOmcmRan(response)
      expect(processesUnder(home.root)).toEqual([])
    } finally {
      await fake.close()
    }
  })

  it("a link to the package in $CLAUDE_CONFIG_DIR/skills/omcm loads it in every session, without a flag", async () => {
    const skills = path.join(home.paths.claudeConfigDir, "skills")
    fs.mkdirSync(skills, { recursive: true })
    fs.symlinkSync(ROOT, path.join(skills, "omcm"))
    const fake = await startFakeAnthropic({})
    const cwd = path.join(home.root, "proj")
    fs.mkdirSync(cwd)
    try {
      const run = await runClaude({ home, cwd, prompt: "hello", fakeBaseUrl: fake.baseUrl, extraArgs: ["--include-hook-events", "--tools", "Agent"] })

      expect(run.timedOut).toBe(false)
      const init = run.messages.find((m) => m.type === "system" && m.subtype === "init")
      expect(init?.plugins).toEqual(expect.arrayContaining([
        expect.objectContaining({ name: "omcm", source: "omcm@skills-dir", version: packageJson.version })
      ]))
      const events = hookEvents(run.messages)
      expect(events.started).toContain("SessionStart")
      for (const response of events.responses) expectOmcmRan(response)
    } finally {
      await fake.close()
    }
  })
})
