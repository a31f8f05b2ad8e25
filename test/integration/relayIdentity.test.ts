import { spawn } from "node:child_process"
import * as fs from "node:fs"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { processStartTicks } from "../../src/lib/processes"
import { OMCM_BIN } from "../support/cli"
import { makeTempHome, type TempHome } from "../support/tempHome"

/**
 * The relay hands a hook to the daemon named by daemon.json only when that pid is still the daemon: alive AND started
 * when daemon.json says (`startTicks`). A daemon that died leaves a pid another process may take; a call relayed to
 * it would wait for the pick-up timeout (1.5 s) before being answered in-process.
 */
let home: TempHome

beforeAll(() => {
  home = makeTempHome("omcm-relay-identity-")
  fs.mkdirSync(home.paths.relayDir, { recursive: true })
})
afterAll(() => home.cleanup())

const prompt = (session: string) =>
  JSON.stringify({ session_id: session, cwd: home.root, hook_event_name: "UserPromptSubmit", prompt: "ulw: tidy up" })

/** run a hook, noting every file event in the relay directory meanwhile */
const hookWatched = (session: string, env: NodeJS.ProcessEnv = {}) =>
  new Promise<{ status: number | null; stdout: string; ms: number; events: Array<string> }>((resolve) => {
    const events: Array<string> = []
    const watcher = fs.watch(home.paths.relayDir, (_, name) => events.push(String(name)))
    const started = Date.now()
    const child = spawn(process.execPath, [OMCM_BIN, "hook", "user-prompt-submit"], { env: { ...home.env, ...env } })
    let stdout = ""
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()))
    child.on("close", (status) => {
      const ms = Date.now() - started
      // directory events arrive a little after the fact
      setTimeout(() => {
        watcher.close()
        resolve({ status, stdout, ms, events })
      }, 200)
    })
    child.stdin.end(prompt(session))
  })

const writeDaemonState = (pid: number, startTicks: string | null) =>
  fs.writeFileSync(home.paths.daemonFile, JSON.stringify({ pid, startTicks, apiPort: 1, token: "t", startedAt: 0, projectDir: "/", servers: [] }))

describe("the relay checks the daemon's identity", () => {
  it("daemon.json naming a live process that started at another time: answered in-process at once, no call left for it", async () => {
    const ticks = processStartTicks(process.pid)
    expect(ticks).not.toBeNull()
    // this test process stands for the process that took the dead daemon's pid
    writeDaemonState(process.pid, String(Number(ticks) + 1))
    const bare = await hookWatched("B", { OMCM_NO_RELAY: "1" })
    const r = await hookWatched("I")
    expect(r.status).toBe(0)
    expect(JSON.parse(r.stdout).hookSpecificOutput.additionalContext).toContain("ulw")
    expect(r.events).toEqual([])
    // no pick-up timeout: about as long as a hook that never looks for a daemon
    expect(r.ms).toBeLessThan(bare.ms + 1_000)
  })

  it("control: the same pid with its real start time is taken for the daemon (the call is left, then withdrawn)", async () => {
    writeDaemonState(process.pid, processStartTicks(process.pid))
    const r = await hookWatched("C")
    expect(r.status).toBe(0)
    expect(JSON.parse(r.stdout).hookSpecificOutput.additionalContext).toContain("ulw")
    expect(r.events.some((name) => name.endsWith(".req"))).toBe(true)
    expect(r.ms).toBeGreaterThanOrEqual(1_500)
    expect(fs.readdirSync(home.paths.relayDir)).toEqual([])
  })
})
