import * as fs from "node:fs"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { startSimulatedModel } from "../src/simulated/openaiCompatible"
import { runOmcm, runOmcmAsync } from "./support/cli"
import { isAlive, opencodePids, simulatedPoolConfig } from "./support/poolFixture"
import { makeTempHome, type TempHome } from "./support/tempHome"

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** opencode processes started for this temp home (their XDG data dir is under it) */
const serversOf = (h: TempHome) =>
  opencodePids().filter((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/environ`, "utf8").includes(h.root)
    } catch {
      return false
    }
  })

const setup = async () => {
  const h = makeTempHome("omcm-daemon-")
  const model = await startSimulatedModel({})
  cleanups.push(async () => {
    await runOmcmAsync(["pool", "stop"], h.env)
    for (const pid of serversOf(h)) process.kill(pid, "SIGKILL")
    await model.close()
    h.cleanup()
  })
  h.writeConfig(simulatedPoolConfig(h, model))
  const cwd = path.join(h.root, "project")
  fs.mkdirSync(cwd, { recursive: true })
  return { h, model, cwd }
}

const waitUntil = async (check: () => boolean, ms: number) => {
  const deadline = Date.now() + ms
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200))
  return check()
}

describe("omcm pool daemon", () => {
  it("starts detached, reports status, refuses to start twice, serves omcm run, and stops everything", async () => {
    const { cwd, h } = await setup()
    const start = await runOmcmAsync(["pool", "start", "--detach", "--min", "1"], h.env, { cwd })
    expect(start.stderr).toBe("")
    expect(start.status).toBe(0)
    expect(start.stdout).toMatch(/started in the background \(pid \d+\), 1 server/)

    const state = fs.statSync(h.paths.daemonFile)
    expect(state.mode & 0o777).toBe(0o600)
    const status = JSON.parse(runOmcm(["pool", "status", "--json"], h.env).stdout)
    expect(status).toMatchObject({ running: true, activeServers: 1, idleServers: 1 })
    const daemonPid: number = status.pid
    const serverPid: number = status.servers[0].pid

    const again = await runOmcmAsync(["pool", "start", "--detach"], h.env, { cwd })
    expect(again.status).toBe(1)
    expect(again.stderr.trim().split("\n")).toHaveLength(1)
    expect(again.stderr).toContain(`a pool daemon is already running (pid ${daemonPid}`)
    const foreground = await runOmcmAsync(["pool", "start"], h.env, { cwd })
    expect(foreground.status).toBe(1)
    expect(foreground.stderr).toContain("already running")

    const run = await runOmcmAsync(["run", "hulw: summarize the repo", "--agent", "writer", "--json"], h.env, { cwd })
    expect(run.status).toBe(0)
    const out = JSON.parse(run.stdout)
    expect(out).toMatchObject({ via: "daemon", decision: { target: "opencode", provider: "google" } })
    expect(out.result.stdout).toContain("summarize the repo")
    expect(JSON.parse(runOmcm(["pool", "status", "--json"], h.env).stdout).totalRequests).toBe(1)
    const stats = JSON.parse(runOmcm(["stats", "--json"], h.env).stdout)
    expect(stats.savings.calls).toBe(1)

    const stop = await runOmcmAsync(["pool", "stop"], h.env)
    expect(stop.status).toBe(0)
    expect(isAlive(daemonPid)).toBe(false)
    expect(await waitUntil(() => !isAlive(serverPid), 5_000)).toBe(true)
    expect(serversOf(h)).toEqual([])
    expect(fs.existsSync(h.paths.daemonFile)).toBe(false)
    expect(runOmcm(["pool", "status"], h.env).stdout).toContain("not running")
  }, 240_000)

  it("after the daemon is killed with SIGKILL, the next start kills the servers it left behind", async () => {
    const { cwd, h } = await setup()
    expect((await runOmcmAsync(["pool", "start", "--detach", "--min", "2"], h.env, { cwd })).status).toBe(0)
    const status = JSON.parse(runOmcm(["pool", "status", "--json"], h.env).stdout)
    const orphans: Array<number> = status.servers.map((s: { pid: number }) => s.pid)
    expect(orphans).toHaveLength(2)
    process.kill(status.pid, "SIGKILL")
    expect(await waitUntil(() => !isAlive(status.pid), 5_000)).toBe(true)
    expect(orphans.every(isAlive)).toBe(true)
    expect(runOmcm(["pool", "status"], h.env).stdout).toContain("not running")

    const restart = await runOmcmAsync(["pool", "start", "--detach", "--min", "1"], h.env, { cwd })
    expect(restart.status).toBe(0)
    expect(await waitUntil(() => orphans.every((pid) => !isAlive(pid)), 5_000)).toBe(true)
    expect(serversOf(h)).toHaveLength(1)

    // `pool stop` with no live daemon also cleans up what a dead one left
    const next = JSON.parse(runOmcm(["pool", "status", "--json"], h.env).stdout)
    process.kill(next.pid, "SIGKILL")
    expect(await waitUntil(() => !isAlive(next.pid), 5_000)).toBe(true)
    const stop = await runOmcmAsync(["pool", "stop"], h.env)
    expect(stop.stdout).toContain("stopped 1 server(s) left by a dead one")
    expect(await waitUntil(() => serversOf(h).length === 0, 5_000)).toBe(true)
  }, 240_000)

  it("a missing opencode binary is one clear line, and nothing is left running", async () => {
    const { cwd, h } = await setup()
    const env = { ...h.env, OMCM_OPENCODE_BIN: path.join(h.root, "no-such-opencode") }
    const r = await runOmcmAsync(["pool", "start"], env, { cwd })
    expect(r.status).toBe(1)
    expect(r.stderr.trim().split("\n")).toHaveLength(1)
    expect(r.stderr).toContain("opencode binary not found")
    const detached = await runOmcmAsync(["pool", "start", "--detach"], env, { cwd })
    expect(detached.status).toBe(1)
    expect(detached.stderr).toContain("opencode binary not found")
    expect(serversOf(h)).toEqual([])
    expect(runOmcm(["pool", "status"], h.env).stdout).toContain("not running")
  }, 120_000)

  it("omcm run without a daemon uses an in-process pool and leaves no server behind", async () => {
    const { cwd, h } = await setup()
    const r = await runOmcmAsync(["run", "list the files", "--model", "openai/gpt-5.2-codex"], h.env, { cwd })
    expect(r.status).toBe(0)
    expect(r.stdout).toContain("Simulated reply (gpt-5.2-codex): list the files")
    expect(r.stdout).toMatch(/── OpenCode openai\/gpt-5\.2-codex · .* tokens .* · in-process pool/)
    expect(serversOf(h)).toEqual([])
    const bad = runOmcm(["run", "x", "--model", "gpt"], h.env)
    expect(bad.status).toBe(2)
    expect(bad.stderr.trim()).toBe(`omcm: --model: expected provider/model, got "gpt"`)
  }, 180_000)
})
