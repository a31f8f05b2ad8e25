// `omcm doctor` run as a user would (the built CLI) against a good set-up, a missing one and broken ones; the real
// pinned OpenCode answers which providers are connected (fake keys in the environment; no model is called).
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { OPENCODE_OFFLINE_FLAGS } from "../../src/services/pool/opencodeEnv"
import { runOmcm, runOmcmAsync } from "../support/cli"
import { makeTempHome, type TempHome } from "../support/tempHome"

const KEYS = { OPENAI_API_KEY: "sk-omcm-test-not-a-real-key", GOOGLE_GENERATIVE_AI_API_KEY: "omcm-test-not-a-real-key" }

interface Check {
  readonly id: string
  readonly status: "ok" | "warn" | "fail"
  readonly detail: string
  readonly fix: string | null
}

const doctor = async (env: NodeJS.ProcessEnv, cwd: string) => {
  const r = await runOmcmAsync(["doctor", "--json"], env, { cwd, timeoutMs: 240_000 })
  const out = JSON.parse(r.stdout) as { readonly ok: boolean; readonly checks: ReadonlyArray<Check> }
  const byId = (id: string) => out.checks.find((c) => c.id === id)!
  return { status: r.status, stderr: r.stderr, out, byId }
}

const setUp = (prefix: string) => {
  const h = makeTempHome(prefix)
  // ports of their own, away from other pools on this machine
  h.writeConfig({ pool: { basePort: 15300 + Math.floor(Math.random() * 40) * 20, minServers: 1 } })
  const project = path.join(h.root, "project")
  fs.mkdirSync(project, { recursive: true })
  return { h, project, env: { ...h.env, ...OPENCODE_OFFLINE_FLAGS, ...KEYS } }
}

describe("omcm doctor", () => {
  const homes: Array<TempHome> = []
  afterAll(() => homes.forEach((h) => h.cleanup()))

  it("a good set-up: every check passes or only warns, exit 0, each tier names a model", async () => {
    const { h, project, env } = setUp("omcm-doctor-good-")
    homes.push(h)
    expect(runOmcm(["install", "--hooks"], env).status).toBe(0)
    fs.mkdirSync(h.paths.stateDir, { recursive: true, mode: 0o700 })
    fs.writeFileSync(h.paths.usageCacheFile, JSON.stringify({ updatedAt: Date.now(), fiveHour: { percent: 10, resetsAt: null }, sevenDay: null }), { mode: 0o600 })
    const d = await doctor(env, project)
    expect(d.out.checks.filter((c) => c.status === "fail"), d.stderr).toEqual([])
    expect(d.status).toBe(0)
    expect(d.out.ok).toBe(true)
    expect(d.byId("opencode").detail).toContain("OpenCode 1.18.33")
    expect(d.byId("providers").detail).toMatch(/connected: .*google.*openai|connected: .*openai/)
    for (const tier of ["HIGH", "MEDIUM", "LOW"]) expect(d.byId(`models.${tier}`).detail).toMatch(new RegExp(`^${tier} → \\w+/`))
    expect(d.byId("hooks")).toMatchObject({ status: "ok" })
    expect(d.byId("statusline")).toMatchObject({ status: "ok" })
    expect(d.byId("usage")).toMatchObject({ status: "ok" })
    expect(d.byId("modes")).toMatchObject({ status: "ok" })
    expect(d.byId("prices")).toMatchObject({ status: "ok", detail: "from OpenCode's catalog, read now; Claude's from its anthropic entry" })
    // the plain form: one line per check, and the summary
    const plain = runOmcm(["doctor"], { ...env, OMCM_OPENCODE_BIN: "/nonexistent/opencode" }, undefined, project)
    expect(plain.stdout).toMatch(/^ok {4}node {11}Node \d+/m)
    expect(plain.stdout).toMatch(/omcm doctor: \d+ ok, \d+ warn, \d+ fail/)
  }, 300_000)

  it("with the pool daemon running: the daemon's servers and ports, and the catalog asked of the daemon", async () => {
    const { h, project, env } = setUp("omcm-doctor-daemon-")
    homes.push(h)
    const start = await runOmcmAsync(["pool", "start", "--detach", "--min", "1", "--max", "1"], env, { cwd: project })
    try {
      expect(start.status, start.stderr).toBe(0)
      const port = /port\(s\) (\d+)/.exec(start.stdout)?.[1]
      expect(port).toBeDefined()
      const d = await doctor(env, project)
      expect(d.byId("daemon")).toMatchObject({ status: "ok" })
      expect(d.byId("daemon").detail).toMatch(new RegExp(`^the pool daemon runs \\(pid \\d+, API 127\\.0\\.0\\.1:\\d+\\); servers: ${port} (idle|busy)$`))
      expect(d.byId("providers").detail).toContain("(asked the pool daemon)")
    } finally {
      await runOmcmAsync(["pool", "stop"], env)
    }
  }, 300_000)

  it("nothing set up (no OpenCode, an empty OMCM_HOME): exit 1, naming where OpenCode was looked for", async () => {
    const { h, project, env } = setUp("omcm-doctor-missing-")
    homes.push(h)
    const d = await doctor({ ...env, OMCM_OPENCODE_BIN: "/nonexistent/opencode" }, project)
    expect(d.status).toBe(1)
    expect(d.out.ok).toBe(false)
    expect(d.byId("opencode")).toMatchObject({ status: "fail" })
    expect(d.byId("opencode").detail).toContain("/nonexistent/opencode")
    expect(d.byId("opencode").fix).toContain("npm install -g opencode-ai@1.18.33")
    expect(d.byId("providers").detail).toContain("OpenCode cannot be run")
    expect(d.byId("hooks")).toMatchObject({ status: "warn", fix: "omcm install --hooks" })
    expect(d.byId("database").detail).toContain("not created yet")
    expect(d.byId("prices")).toMatchObject({ status: "warn", detail: "no OpenCode catalog saved: costs come from omcm's built-in table" })

    // a catalog saved ten days ago and no OpenCode to read a new one: stale prices, named
    fs.mkdirSync(h.paths.stateDir, { recursive: true, mode: 0o700 })
    const tenDaysAgo = new Date(Date.now() - 10 * 86_400_000).toISOString()
    fs.writeFileSync(h.paths.modelsFile, JSON.stringify({ version: 1, fetchedAt: tenDaysAgo, source: "test", opencodeVersion: "1.18.33", connected: [], providers: [] }), { mode: 0o600 })
    const stale = await doctor({ ...env, OMCM_OPENCODE_BIN: "/nonexistent/opencode" }, project)
    expect(stale.byId("prices")).toMatchObject({ status: "warn", fix: "omcm models (a running pool daemon re-reads the catalog every hour)" })
    expect(stale.byId("prices").detail).toContain(`saved ${tenDaysAgo.slice(0, 16).replace("T", " ")} UTC, 10d ago: older than 7 days`)
  }, 120_000)

  it("broken set-ups: a corrupt database, open modes, hooks of another omcm and a model id that does not exist are each named", async () => {
    const { h, project, env } = setUp("omcm-doctor-broken-")
    homes.push(h)
    h.writeConfig({
      pool: { basePort: 15300 + Math.floor(Math.random() * 40) * 20, minServers: 1 },
      models: { MEDIUM: { opencode: "openai/gpt-does-not-exist" } }
    })
    fs.mkdirSync(h.paths.stateDir, { recursive: true, mode: 0o700 })
    fs.writeFileSync(h.paths.dbFile, "this is not a database, and it is long enough to have a header".repeat(100), { mode: 0o600 })
    fs.writeFileSync(h.paths.usageCacheFile, "{}", { mode: 0o644 })
    fs.chmodSync(h.paths.usageCacheFile, 0o644)
    fs.mkdirSync(h.paths.claudeConfigDir, { recursive: true })
    const elsewhere = "/somewhere/else/omcm/dist/omcm.js"
    fs.writeFileSync(path.join(h.paths.claudeConfigDir, "settings.json"), JSON.stringify({
      hooks: { PreToolUse: [{ matcher: "Agent|Task", hooks: [{ type: "command", command: `node ${elsewhere} hook pre-tool-use` }] }] }
    }))
    const d = await doctor(env, project)
    expect(d.status).toBe(1)
    expect(d.byId("database")).toMatchObject({ status: "fail" })
    expect(d.byId("database").detail).toContain(`${h.paths.dbFile} is corrupt: file is not a database`)
    // doctor only looks: the corrupt file is still there
    expect(fs.readFileSync(h.paths.dbFile, "utf8")).toMatch(/^this is not a database/)
    expect(d.byId("modes")).toMatchObject({ status: "fail", fix: `chmod -R go-rwx ${h.paths.stateDir}` })
    expect(d.byId("modes").detail).toContain(`${h.paths.usageCacheFile} is 0644 (want 0600)`)
    expect(d.byId("hooks")).toMatchObject({ status: "fail", fix: "omcm install --hooks" })
    expect(d.byId("hooks").detail).toContain(`the PreToolUse hook runs "node ${elsewhere} hook pre-tool-use", not this omcm`)
    expect(d.byId("models.MEDIUM")).toMatchObject({ status: "fail" })
    expect(d.byId("models.MEDIUM").detail).toContain("openai/gpt-does-not-exist: dropped: not in OpenCode's catalog")
    expect(d.byId("models.LOW").status).toBe("ok")
  }, 300_000)
})
