// `omcm setup` for scripts (--yes and flags): the real pinned OpenCode says which providers are connected (fake keys
// in the environment; no model is called); config.json and Claude Code's settings.json are checked afterwards.
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { OPENCODE_OFFLINE_FLAGS } from "../../src/services/pool/opencodeEnv"
import { runOmcmAsync } from "../support/cli"
import { makeTempHome, type TempHome } from "../support/tempHome"

const KEYS = { OPENAI_API_KEY: "sk-omcm-test-not-a-real-key", GOOGLE_GENERATIVE_AI_API_KEY: "omcm-test-not-a-real-key" }

describe("omcm setup --yes", () => {
  const homes: Array<TempHome> = []
  afterAll(() => homes.forEach((h) => h.cleanup()))
  const setUp = (prefix: string) => {
    const h = makeTempHome(prefix)
    homes.push(h)
    h.writeConfig({ pool: { basePort: 15500 + Math.floor(Math.random() * 40) * 20, minServers: 1 } })
    return { h, env: { ...h.env, ...OPENCODE_OFFLINE_FLAGS, ...KEYS } }
  }

  it("sets the tier models of the flags, installs the statusline and hooks, and ends with a passing doctor", async () => {
    const { h, env } = setUp("omcm-setup-")
    const r = await runOmcmAsync(["setup", "--yes", "--model-low", "openai/gpt-5.4-mini", "--model-high", "google/gemini-3.1-pro-preview"], env, { timeoutMs: 240_000 })
    expect(r.status, r.stdout + r.stderr).toBe(0)
    expect(r.stdout).toMatch(/connected: .*openai/)
    expect(r.stdout).toContain("LOW: openai/gpt-5.4-mini (set)")
    const config = JSON.parse(fs.readFileSync(h.paths.configFile, "utf8"))
    // the rest of the file is kept
    expect(config.pool.minServers).toBe(1)
    expect(config.models).toEqual({ LOW: { opencode: "openai/gpt-5.4-mini" }, HIGH: { opencode: "google/gemini-3.1-pro-preview" } })
    const settings = JSON.parse(fs.readFileSync(path.join(h.paths.claudeConfigDir, "settings.json"), "utf8"))
    expect(settings.statusLine.command).toMatch(/omcm\.js'? statusline$/)
    expect(Object.keys(settings.hooks)).toEqual(expect.arrayContaining(["PreToolUse", "PostToolUse", "SessionStart"]))
    expect(r.stdout).toMatch(/ok {4}models\.LOW {5}LOW → openai\/gpt-5\.4-mini/)
    expect(r.stdout).toMatch(/omcm doctor: \d+ ok, \d+ warn, 0 fail/)
  }, 300_000)

  it("a model OpenCode does not have: exit 2 naming it, nothing written; --no-hooks installs the statusline only", async () => {
    const { h, env } = setUp("omcm-setup-bad-")
    const before = fs.readFileSync(h.paths.configFile, "utf8")
    const bad = await runOmcmAsync(["setup", "--yes", "--model-medium", "openai/gpt-does-not-exist", "--no-doctor"], env, { timeoutMs: 240_000 })
    expect(bad.status).toBe(2)
    expect(bad.stderr).toContain("--model-medium openai/gpt-does-not-exist: openai/gpt-does-not-exist: dropped: not in OpenCode's catalog")
    expect(fs.readFileSync(h.paths.configFile, "utf8")).toBe(before)
    expect(fs.existsSync(path.join(h.paths.claudeConfigDir, "settings.json"))).toBe(false)

    const statuslineOnly = await runOmcmAsync(["setup", "--yes", "--no-hooks", "--no-doctor"], env, { timeoutMs: 240_000 })
    expect(statuslineOnly.status, statuslineOnly.stderr).toBe(0)
    const settings = JSON.parse(fs.readFileSync(path.join(h.paths.claudeConfigDir, "settings.json"), "utf8"))
    expect(settings.statusLine).toBeDefined()
    expect(settings.hooks).toBeUndefined()
  }, 300_000)
})
