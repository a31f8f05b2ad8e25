import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { OMCM_BIN } from "../support/cli"
import { makeTempHome, type TempHome } from "../support/tempHome"

/**
 * `~/.omcm` holds tokens (daemon.json), prompts (relay calls, results) and usage figures: only its owner may read it.
 * Every command that writes there, run with the usual umask 022, leaves directories 0700 and files 0600; so does the
 * project's `.omcm/` (handoffs, long results), which also carries a `.gitignore` of `*`.
 */
let home: TempHome
let project: string
/** a copy of dist/ where the loader cannot keep its V8 code cache: it keeps it under OMCM_HOME instead */
let dist: string

/** `omcm <args>` as a user with umask 022 runs it */
const omcm = (args: ReadonlyArray<string>, input = "", env: NodeJS.ProcessEnv = {}) => {
  const r = spawnSync("/bin/sh", ["-c", `umask 022 && exec "$0" "$@"`, process.execPath, path.join(dist, "omcm.js"), ...args], {
    // the copy finds better-sqlite3 (kept out of the bundle) in the repository's node_modules
    env: { ...home.env, NODE_PATH: path.resolve(__dirname, "../../node_modules"), ...env },
    input,
    cwd: project,
    encoding: "utf8",
    timeout: 120_000
  })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** every path under `root` whose mode is not 0700 (directories) or 0600 (files), with its mode */
const tooOpen = (root: string): ReadonlyArray<string> => {
  const found: Array<string> = []
  const visit = (p: string) => {
    const st = fs.lstatSync(p)
    const mode = st.mode & 0o777
    if (st.isDirectory()) {
      if (mode !== 0o700) found.push(`${path.relative(root, p) || "."}/ ${mode.toString(8)}`)
      for (const name of fs.readdirSync(p)) visit(path.join(p, name))
    } else if (mode !== 0o600) {
      found.push(`${path.relative(root, p)} ${mode.toString(8)}`)
    }
  }
  visit(root)
  return found
}

/** every file under `root`, relative */
const allFiles = (root: string): ReadonlyArray<string> =>
  fs.readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.relative(root, path.join(e.parentPath, e.name)))

beforeAll(() => {
  home = makeTempHome("omcm-modes-")
  project = path.join(home.root, "project")
  fs.mkdirSync(project)
  spawnSync("git", ["init", "-q"], { cwd: project })
  fs.writeFileSync(path.join(project, "a.ts"), "export {}\n")
  dist = path.join(home.root, "dist")
  fs.cpSync(path.dirname(OMCM_BIN), dist, { recursive: true, filter: (src) => !src.includes(`${path.sep}.cache`) })
  // a file where the cache directory would go (a read-only dist/ would do, but not for root)
  fs.writeFileSync(path.join(dist, ".cache"), "")
})

afterAll(() => home.cleanup())

describe("files omcm creates are private", () => {
  it("hooks, the statusline, stats, handoff, install, pool stop: ~/.omcm 0700, everything in it 0600", () => {
    const prompt = { session_id: "M1", cwd: project, hook_event_name: "UserPromptSubmit", prompt: "ulw: tidy up" }
    expect(omcm(["hook", "user-prompt-submit"], JSON.stringify(prompt)).status).toBe(0)
    const agent = {
      session_id: "M1",
      cwd: project,
      hook_event_name: "PreToolUse",
      tool_name: "Agent",
      tool_input: { description: "d", prompt: "p", subagent_type: "oh-my-claudecode:architect" }
    }
    expect(omcm(["hook", "pre-tool-use"], JSON.stringify(agent)).status).toBe(0)
    // a failing hook writes logs/hooks.log
    expect(omcm(["hook", "pre-tool-use"], "not json").status).toBe(0)
    const rateLimits = { session_id: "M1", rate_limits: { five_hour: { used_percentage: 42 }, seven_day: { used_percentage: 10 } } }
    expect(omcm(["statusline"], JSON.stringify(rateLimits)).stdout).toMatch(/^omcm │ Claude 42%/)
    expect(omcm(["stats", "--json"]).status).toBe(0)
    expect(omcm(["handoff", "--task", "finish it"]).status).toBe(0)
    expect(omcm(["install", "--hooks"]).status).toBe(0)
    expect(omcm(["pool", "stop"]).status).toBe(0)

    const state = home.paths.stateDir
    const files = allFiles(state)
    for (const expected of ["omcm.db", "usage-cache.json", "install-record.json", "autostart-paused", "logs/hooks.log"]) {
      expect(files).toContain(expected)
    }
    expect(files.some((f) => f.startsWith("cache/") && f.endsWith(".v8cache"))).toBe(true)
    expect(tooOpen(state)).toEqual([])

    const projectState = path.join(project, ".omcm")
    expect(fs.readFileSync(path.join(projectState, ".gitignore"), "utf8")).toBe("*\n")
    expect([...allFiles(projectState)].sort()).toEqual([".gitignore", "handoff/context.json", "handoff/context.md"])
    expect(tooOpen(projectState)).toEqual([])
  })

  it("the pool daemon and relayed hooks: daemon.json, relay/, pools/, logs/daemon.log, the database's WAL files", async () => {
    const started = omcm(["pool", "start", "--detach", "--min", "0"])
    expect(started.status).toBe(0)
    try {
      const prompt = { session_id: "M2", cwd: project, hook_event_name: "UserPromptSubmit", prompt: "hulw: go" }
      const relayed = omcm(["hook", "user-prompt-submit"], JSON.stringify(prompt), { OMCM_RELAY_TRACE: "1" })
      expect(relayed.stderr).toContain("answered by the pool daemon")
      const state = home.paths.stateDir
      const files = allFiles(state)
      for (const expected of ["daemon.json", "logs/daemon.log", "omcm.db-wal", "omcm.db-shm"]) expect(files).toContain(expected)
      expect(fs.existsSync(home.paths.relayDir)).toBe(true)
      expect(tooOpen(state)).toEqual([])
    } finally {
      await new Promise<void>((resolve) => {
        const stop = spawn(process.execPath, [path.join(dist, "omcm.js"), "pool", "stop"], {
          env: { ...home.env, NODE_PATH: path.resolve(__dirname, "../../node_modules") },
          stdio: "ignore"
        })
        stop.on("close", () => resolve())
      })
    }
    expect(tooOpen(home.paths.stateDir)).toEqual([])
  }, 180_000)
})
