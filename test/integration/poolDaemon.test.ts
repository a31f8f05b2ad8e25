import * as fs from "node:fs"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { startSimulatedModel } from "../../src/simulated/openaiCompatible"
import { OMCM_BIN, runOmcm, runOmcmAsync } from "../support/cli"
import { isAlive, opencodePidsUnder, simulatedPoolConfig } from "../support/poolFixture"
import { makeTempHome } from "../support/tempHome"
import { waitFor } from "../support/waitFor"

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** the pool watchdogs (`node -e ...`) of the pools of process `owner` */
const watchdogsOf = (owner: number) =>
  fs.readdirSync("/proc").filter((e) => /^\d+$/.test(e)).map(Number).filter((pid) => {
    try {
      const args = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")
      return args.includes("OMCM_POOL_ID") && args.includes(String(owner)) && args.some((a) => a.startsWith(`${owner}-`))
    } catch {
      return false
    }
  })

const setup = async () => {
  const h = makeTempHome("omcm-daemon-")
  const model = await startSimulatedModel({})
  cleanups.push(async () => {
    await runOmcmAsync(["pool", "stop"], h.env)
    for (const pid of opencodePidsUnder(h.root)) process.kill(pid, "SIGKILL")
    await model.close()
    h.cleanup()
  })
  h.writeConfig(simulatedPoolConfig(h, model))
  const cwd = path.join(h.root, "project")
  fs.mkdirSync(cwd, { recursive: true })
  return { h, model, cwd }
}

const waitUntil = (check: () => boolean, ms: number) => waitFor(check, { timeoutMs: ms, intervalMs: 200 })

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
    expect(opencodePidsUnder(h.root)).toEqual([])
    expect(fs.existsSync(h.paths.daemonFile)).toBe(false)
    expect(runOmcm(["pool", "status"], h.env).stdout).toContain("not running")
  }, 240_000)

  it("a SessionStart hook starts the daemon; later hooks are answered by it; it stops with its servers once idle", async () => {
    const { cwd, h, model } = await setup()
    const idleSeconds = 6
    h.writeConfig({ ...simulatedPoolConfig(h, model), hooks: { daemonIdleMinutes: idleSeconds / 60 } })
    const { OMCM_NO_AUTOSTART: _, ...rest } = h.env
    const env = { ...rest, OMCM_RELAY_TRACE: "1" }
    const hook = (event: string, input: object) => runOmcm(["hook", event], env, JSON.stringify({ session_id: "S", cwd, ...input }))
    const sessionStart = () => JSON.parse(hook("session-start", { hook_event_name: "SessionStart", source: "startup" }).stdout)

    expect(sessionStart().hookSpecificOutput.additionalContext).toContain("OpenCode pool starting in the background")
    expect(await waitUntil(() => fs.existsSync(h.paths.daemonFile), 60_000)).toBe(true)
    const status = JSON.parse(runOmcm(["pool", "status", "--json"], h.env).stdout)
    expect(status).toMatchObject({ running: true, activeServers: 1 })
    expect(runOmcm(["pool", "status"], h.env).stdout).toContain(`stops after ${idleSeconds / 60} min without a request`)
    // a second session finds it up and starts no other
    expect(sessionStart().hookSpecificOutput.additionalContext).toContain("OpenCode pool up (1 server)")

    // the hooks reach the daemon: its pool ran the delegation, and the calls keep it alive past its idle time
    hook("user-prompt-submit", { hook_event_name: "UserPromptSubmit", prompt: "hulw: tidy up" })
    const startedAt = Date.now()
    // not a blocking call: the simulated model answers from this process
    const delegated = await runOmcmAsync(["hook", "pre-tool-use"], env, {
      input: JSON.stringify({
        session_id: "S",
        cwd,
        hook_event_name: "PreToolUse",
        tool_name: "Agent",
        tool_input: { description: "d", prompt: "list the files", subagent_type: "executor" }
      })
    })
    expect(JSON.parse(delegated.stdout).hookSpecificOutput.permissionDecisionReason).toContain("list the files")
    expect(delegated.stderr).toBe(`omcm relay: answered by the pool daemon (pid ${status.pid})\n`)
    expect(JSON.parse(runOmcm(["pool", "status", "--json"], h.env).stdout).totalRequests).toBe(1)

    // a hook process that dies (Claude Code's timeout, Ctrl-C) takes its delegation with it
    const inFlight = () => JSON.parse(runOmcm(["pool", "status", "--json"], h.env).stdout).inFlight as number
    const { spawn } = await import("node:child_process")
    const slow = spawn(process.execPath, [OMCM_BIN, "hook", "pre-tool-use"], { env, stdio: ["pipe", "ignore", "ignore"] })
    slow.stdin.end(JSON.stringify({
      session_id: "S",
      cwd,
      hook_event_name: "PreToolUse",
      tool_name: "Agent",
      tool_input: { description: "d", prompt: "SLEEP=60000 take your time", subagent_type: "executor" }
    }))
    expect(await waitUntil(() => inFlight() === 1, 20_000)).toBe(true)
    slow.kill("SIGKILL")
    expect(await waitUntil(() => inFlight() === 0, 10_000)).toBe(true)
    expect(fs.readdirSync(h.paths.relayDir)).toEqual([])

    while (Date.now() - startedAt < (idleSeconds + 3) * 1000) {
      hook("pre-tool-use", { hook_event_name: "PreToolUse", tool_name: "Agent", tool_input: { description: "d", prompt: "p", subagent_type: "architect" } })
      await new Promise((r) => setTimeout(r, 1_500))
    }
    expect(isAlive(status.pid)).toBe(true)

    // then nothing: it stops, servers and state file included
    expect(await waitUntil(() => !isAlive(status.pid), (idleSeconds + 15) * 1000)).toBe(true)
    expect(await waitUntil(() => opencodePidsUnder(h.root).length === 0, 5_000)).toBe(true)
    expect(fs.existsSync(h.paths.daemonFile)).toBe(false)
    expect(fs.readFileSync(path.join(h.paths.logDir, "daemon.log"), "utf8")).toContain("no request for 0.1 minute(s); stopping")

    // the session goes on: its next prompt starts a daemon again
    hook("user-prompt-submit", { hook_event_name: "UserPromptSubmit", prompt: "and now the tests" })
    expect(await waitUntil(() => fs.existsSync(h.paths.daemonFile), 60_000)).toBe(true)
    const again = JSON.parse(runOmcm(["pool", "status", "--json"], h.env).stdout)
    expect(again.pid).not.toBe(status.pid)

    // stopped on purpose, it stays stopped: no hook starts it until `omcm pool start`
    const stopped = await runOmcmAsync(["pool", "stop"], h.env)
    expect(stopped.stdout).toContain("hooks will not start it again until: omcm pool start")
    expect(sessionStart().hookSpecificOutput.additionalContext).toContain("OpenCode pool down")
    await new Promise((r) => setTimeout(r, 2_000))
    expect(fs.existsSync(h.paths.daemonFile)).toBe(false)
    expect((await runOmcmAsync(["pool", "start", "--detach", "--min", "0"], h.env, { cwd })).status).toBe(0)
    expect(fs.existsSync(h.paths.autostartPausedFile)).toBe(false)
  }, 240_000)

  it("a daemon that cannot start (no OpenCode) is launched once, not by every prompt after it", async () => {
    const { cwd, h } = await setup()
    const { OMCM_NO_AUTOSTART: _, ...rest } = h.env
    const env = { ...rest, OMCM_OPENCODE_BIN: path.join(h.root, "no-such-opencode") }
    const input = (prompt: string) => JSON.stringify({ session_id: "S", cwd, hook_event_name: "UserPromptSubmit", prompt })
    const start = JSON.stringify({ session_id: "S", cwd, hook_event_name: "SessionStart", source: "startup" })
    expect(JSON.parse(runOmcm(["hook", "session-start"], env, start).stdout).hookSpecificOutput.additionalContext).toContain("starting in the background")
    const log = path.join(h.paths.logDir, "daemon.log")
    expect(await waitUntil(() => fs.existsSync(log) && fs.readFileSync(log, "utf8").includes("opencode binary not found"), 30_000)).toBe(true)
    const pid = Number(fs.readFileSync(h.paths.daemonLaunchFile, "utf8"))
    expect(await waitUntil(() => !isAlive(pid), 10_000)).toBe(true)
    // a minute later, it is still not tried again
    const minuteAgo = new Date(Date.now() - 60_000)
    fs.utimesSync(h.paths.daemonLaunchFile, minuteAgo, minuteAgo)
    runOmcm(["hook", "user-prompt-submit"], env, input("hulw: go"))
    expect(JSON.parse(runOmcm(["hook", "session-start"], env, start).stdout).hookSpecificOutput.additionalContext).toContain("OpenCode pool down")
    await new Promise((r) => setTimeout(r, 1_500))
    expect(fs.readFileSync(log, "utf8").match(/opencode binary not found/g)).toHaveLength(1)
  }, 90_000)

  it("no daemon is started with hooks.autoStartDaemon false, or OMCM_NO_AUTOSTART=1", async () => {
    const { cwd, h, model } = await setup()
    const input = JSON.stringify({ session_id: "S", cwd, hook_event_name: "SessionStart", source: "startup" })
    const context = (env: NodeJS.ProcessEnv) => JSON.parse(runOmcm(["hook", "session-start"], env, input).stdout).hookSpecificOutput.additionalContext
    expect(context(h.env)).toContain("OpenCode pool down")
    h.writeConfig({ ...simulatedPoolConfig(h, model), hooks: { autoStartDaemon: false } })
    const { OMCM_NO_AUTOSTART: _, ...env } = h.env
    expect(context(env)).toContain("OpenCode pool down")
    await new Promise((r) => setTimeout(r, 2_000))
    expect(fs.existsSync(h.paths.daemonFile)).toBe(false)
    expect(fs.existsSync(path.join(h.paths.logDir, "daemon.log"))).toBe(false)
  }, 60_000)

  it("a daemon killed with SIGKILL: its watchdog stops its servers within a health interval, and pool status says so", async () => {
    const { cwd, h, model } = await setup()
    const healthIntervalSeconds = 4
    h.writeConfig(simulatedPoolConfig(h, model, { healthIntervalSeconds }))
    expect((await runOmcmAsync(["pool", "start", "--detach", "--min", "2"], h.env, { cwd })).status).toBe(0)
    const status = JSON.parse(runOmcm(["pool", "status", "--json"], h.env).stdout)
    const orphans: Array<number> = status.servers.map((s: { pid: number }) => s.pid)
    expect(orphans).toHaveLength(2)
    expect(watchdogsOf(status.pid)).toHaveLength(1)
    process.kill(status.pid, "SIGKILL")
    const killedAt = Date.now()
    expect(await waitUntil(() => orphans.every((pid) => !isAlive(pid)), 3 * healthIntervalSeconds * 1000)).toBe(true)
    // one health interval, with a margin for a loaded machine's scheduling
    expect(Date.now() - killedAt).toBeLessThan((healthIntervalSeconds + 2) * 1000)
    expect(opencodePidsUnder(h.root)).toEqual([])
    expect(await waitUntil(() => watchdogsOf(status.pid).length === 0, 5_000)).toBe(true)
    const after = runOmcm(["pool", "status"], h.env).stdout
    expect(after).toContain("not running")
    expect(after).toContain(`leftovers: `)
    expect(after).toContain(`the pool of pid ${status.pid} died; its watchdog stopped 2 opencode server(s) it left running`)
  }, 240_000)

  it("a daemon and its watchdog killed with SIGKILL: the next omcm command stops the servers left behind", async () => {
    const { cwd, h } = await setup()
    expect((await runOmcmAsync(["pool", "start", "--detach", "--min", "2"], h.env, { cwd })).status).toBe(0)
    const status = JSON.parse(runOmcm(["pool", "status", "--json"], h.env).stdout)
    const orphans: Array<number> = status.servers.map((s: { pid: number }) => s.pid)
    for (const pid of watchdogsOf(status.pid)) process.kill(pid, "SIGKILL")
    process.kill(status.pid, "SIGKILL")
    expect(await waitUntil(() => !isAlive(status.pid), 5_000)).toBe(true)
    expect(orphans.every(isAlive)).toBe(true)
    const report = runOmcm(["pool", "status"], h.env).stdout
    expect(report).toContain("not running")
    expect(report).toContain(`the pool of pid ${status.pid} died; omcm stopped 2 opencode server(s) it left running`)
    expect(await waitUntil(() => orphans.every((pid) => !isAlive(pid)), 5_000)).toBe(true)

    // `pool start` and `pool stop` clean up too
    const restart = await runOmcmAsync(["pool", "start", "--detach", "--min", "1"], h.env, { cwd })
    expect(restart.status).toBe(0)
    const next = JSON.parse(runOmcm(["pool", "status", "--json"], h.env).stdout)
    for (const pid of watchdogsOf(next.pid)) process.kill(pid, "SIGKILL")
    process.kill(next.pid, "SIGKILL")
    expect(await waitUntil(() => !isAlive(next.pid), 5_000)).toBe(true)
    const stop = await runOmcmAsync(["pool", "stop"], h.env)
    expect(stop.stdout).toContain("stopped 1 server(s) left by a dead one")
    expect(await waitUntil(() => opencodePidsUnder(h.root).length === 0, 5_000)).toBe(true)
  }, 240_000)

  it("config.json edited while the daemon runs: the worker limit applies at once, pool settings wait for a restart, and both are said", async () => {
    const { cwd, h, model } = await setup()
    const base = simulatedPoolConfig(h, model)
    h.writeConfig({ ...base, routing: { maxOpencodeWorkers: 4 } })
    expect((await runOmcmAsync(["pool", "start", "--detach", "--min", "1"], h.env, { cwd })).status).toBe(0)
    const maxWorkers = () => JSON.parse(runOmcm(["pool", "status", "--json"], h.env).stdout).maxWorkers
    expect(maxWorkers()).toBe(4)

    h.writeConfig({ ...base, routing: { maxOpencodeWorkers: 1 }, pool: { ...base.pool, healthIntervalSeconds: 45 } })
    expect(await waitUntil(() => maxWorkers() === 1, 30_000)).toBe(true)
    const report = runOmcm(["pool", "status"], h.env).stdout
    expect(report).toContain("workers: at most 1 delegation(s) at once")
    expect(report).toContain("restart needed: pool.healthIntervalSeconds changed in config.json")
    const log = () => fs.readFileSync(path.join(h.paths.logDir, "daemon.log"), "utf8")
    expect(log()).toContain("routing.maxOpencodeWorkers 4 -> 1 (applied)")
    expect(log()).toContain("pool.healthIntervalSeconds apply only after a restart")

    // an edit that does not decode keeps the settings in use, and says why
    fs.writeFileSync(h.paths.configFile, "{ not json")
    expect(await waitUntil(() => log().includes("keeping the settings in use"), 30_000)).toBe(true)
    expect(log()).toContain("config.json: ")
    // and the next good edit applies
    h.writeConfig({ ...base, routing: { maxOpencodeWorkers: 2 } })
    expect(await waitUntil(() => maxWorkers() === 2, 30_000)).toBe(true)
    expect(runOmcm(["pool", "status"], h.env).stdout).not.toContain("restart needed")
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
    expect(opencodePidsUnder(h.root)).toEqual([])
    expect(runOmcm(["pool", "status"], h.env).stdout).toContain("not running")
  }, 120_000)

  it("omcm run without a daemon uses an in-process pool and leaves no server behind", async () => {
    const { cwd, h } = await setup()
    const r = await runOmcmAsync(["run", "list the files", "--model", "openai/gpt-5.2-codex"], h.env, { cwd })
    expect(r.status).toBe(0)
    expect(r.stdout).toContain("Simulated reply (gpt-5.2-codex): list the files")
    expect(r.stdout).toMatch(/── OpenCode openai\/gpt-5\.2-codex · .* tokens .* · in-process pool/)
    expect(opencodePidsUnder(h.root)).toEqual([])
    const bad = runOmcm(["run", "x", "--model", "gpt"], h.env)
    expect(bad.status).toBe(2)
    expect(bad.stderr.trim()).toBe(`omcm: --model: expected provider/model, got "gpt"`)
  }, 180_000)
})
