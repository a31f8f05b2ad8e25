import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { runOmcm, runOmcmAsync } from "../support/cli"
import { makeTempHome, type TempHome } from "../support/tempHome"

/**
 * The shared database through the real CLI: a corrupt file is moved aside by whichever command meets it first, the
 * call still works, and the statusline and `omcm pool status` say what happened; a database deleted under the running
 * pool daemon keeps receiving what the daemon records, in the new file.
 */
let home: TempHome | undefined
afterEach(() => {
  home?.cleanup()
  home = undefined
})

const prompt = (h: TempHome, session: string, text: string) =>
  JSON.stringify({ session_id: session, cwd: h.root, hook_event_name: "UserPromptSubmit", prompt: text })
const agent = (h: TempHome, session: string) =>
  JSON.stringify({
    session_id: session,
    cwd: h.root,
    hook_event_name: "PreToolUse",
    tool_name: "Agent",
    tool_input: { description: "d", prompt: "p", subagent_type: "oh-my-claudecode:architect" }
  })
const routedArchitect = (h: TempHome): number =>
  JSON.parse(runOmcm(["stats", "--json"], h.env).stdout).agents.find((a: { name: string }) => a.name === "architect")?.routed ?? 0

describe("the database through the CLI", () => {
  it("a corrupt omcm.db: the hook still answers, the file is moved aside, the statusline and pool status say so", () => {
    const h = (home = makeTempHome("omcm-store-cli-"))
    fs.mkdirSync(h.paths.stateDir, { recursive: true })
    fs.writeFileSync(h.paths.dbFile, crypto.randomBytes(32 * 1024))

    const r = runOmcm(["hook", "user-prompt-submit"], h.env, prompt(h, "C1", "ulw: tidy up"))
    expect(r.status).toBe(0)
    expect(JSON.parse(r.stdout).hookSpecificOutput.additionalContext).toContain("ulw")

    const aside = fs.readdirSync(h.paths.stateDir).filter((f) => f.startsWith("omcm.db.corrupt-"))
    expect(aside).toHaveLength(1)
    const log = fs.readFileSync(path.join(h.paths.logDir, "store.log"), "utf8").trim().split("\n")
    expect(log).toHaveLength(1)
    expect(JSON.parse(log[0]!)).toMatchObject({ event: "corrupt", movedTo: path.join(h.paths.stateDir, aside[0]!) })

    // the mode the hook stored is in the new database
    const line = runOmcm(["statusline"], h.env, JSON.stringify({ session_id: "C1" })).stdout
    expect(line).toMatch(/^omcm │ .* │ mode ulw │ .* │ ⚠ omcm\.db was corrupt: moved aside at \d\d:\d\d \(see logs\/store\.log\)\n$/)

    const status = runOmcm(["pool", "status"], h.env)
    expect(status.stdout).toContain("pool daemon: not running")
    expect(status.stdout).toContain(`the database was corrupt (file is not a database); it was moved aside to ${path.join(h.paths.stateDir, aside[0]!)}`)
    expect(JSON.parse(runOmcm(["pool", "status", "--json"], h.env).stdout).storeRecovery).toMatchObject({
      movedTo: path.join(h.paths.stateDir, aside[0]!),
      error: "file is not a database"
    })
  })

  it("a sound database: no notice on the statusline", () => {
    const h = (home = makeTempHome("omcm-store-cli-"))
    expect(runOmcm(["hook", "user-prompt-submit"], h.env, prompt(h, "S1", "ulw: go")).status).toBe(0)
    expect(runOmcm(["statusline"], h.env, JSON.stringify({ session_id: "S1" })).stdout).not.toContain("⚠")
    expect(runOmcm(["pool", "status", "--json"], h.env).stdout).toBe(`${JSON.stringify({ running: false, storeRecovery: null, leftovers: [] })}\n`)
  })

  it("omcm.db deleted under the running pool daemon: what the daemon records afterwards lands in the new file", async () => {
    const h = (home = makeTempHome("omcm-store-daemon-"))
    const started = await runOmcmAsync(["pool", "start", "--detach", "--min", "0"], h.env)
    expect(started.status).toBe(0)
    try {
      const relayed = (session: string) => runOmcm(["hook", "pre-tool-use"], { ...h.env, OMCM_RELAY_TRACE: "1" }, agent(h, session))
      expect(relayed("D1").stderr).toContain("answered by the pool daemon")
      expect(relayed("D2").stderr).toContain("answered by the pool daemon")
      expect(routedArchitect(h)).toBe(2)

      for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(`${h.paths.dbFile}${suffix}`, { force: true })
      for (const session of ["D3", "D4", "D5"]) expect(relayed(session).stderr).toContain("answered by the pool daemon")
      // read by another process, from the file at the path
      expect(routedArchitect(h)).toBe(3)
      const log = fs.readFileSync(path.join(h.paths.logDir, "store.log"), "utf8")
      expect(log).toContain(`"event":"deleted"`)
    } finally {
      await runOmcmAsync(["pool", "stop"], h.env)
    }
  }, 180_000)
})
