import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { OMCM_BIN, runOmcmAsync } from "../support/cli"
import { makeTempHome, type TempHome } from "../support/tempHome"

/**
 * `omcm tasks check` / `tasks run` on task files of 10,000 tasks: the check finishes, Ctrl-C (SIGINT) or SIGTERM stop
 * a long one at once with exit 130, and errors about thousands of tasks stay one readable line.
 */
let home: TempHome
const file = (name: string, tasks: ReadonlyArray<unknown>) => {
  const p = path.join(home.root, name)
  fs.writeFileSync(p, JSON.stringify(tasks))
  return p
}

beforeAll(() => {
  home = makeTempHome("omcm-tasks-large-")
})
afterAll(() => home.cleanup())

/** every task's pattern is over the whole tree, each with its own extension: every pair is checked, none overlaps */
const slowToCheck = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `t${i}`, description: `task ${i}`, files: [`**/*.e${i}`] }))

/** start `omcm <args>`; `stopped` resolves with its exit code and how long it took to exit after `signal` was sent */
const startOmcm = (args: ReadonlyArray<string>) => {
  const child = spawn(process.execPath, [OMCM_BIN, ...args], { env: home.env, cwd: home.root, stdio: ["ignore", "pipe", "pipe"] })
  let stderr = ""
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()))
  child.stdout.resume()
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal })))
  return {
    child,
    stderr: () => stderr,
    stop: async (signal: NodeJS.Signals) => {
      expect(child.exitCode).toBeNull()
      const sent = Date.now()
      child.kill(signal)
      const timer = setTimeout(() => child.kill("SIGKILL"), 30_000)
      const result = await exited
      clearTimeout(timer)
      return { ...result, ms: Date.now() - sent }
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe("large task files", () => {
  it.each(["SIGINT", "SIGTERM"] as const)("%s stops a long `tasks check` at once, exit 130", async (signal) => {
    const big = file(`slow-${signal}.json`, slowToCheck(10_000))
    const run = startOmcm(["tasks", "check", big])
    // past start-up and decoding, into the conflict check (which would take minutes)
    await sleep(5_000)
    const stopped = await run.stop(signal)
    expect(stopped).toMatchObject({ code: 130, signal: null })
    expect(stopped.ms).toBeLessThan(3_000)
    expect(run.stderr()).toBe("")
  }, 60_000)

  it("SIGTERM stops `tasks run` while it plans, exit 130, nothing run", async () => {
    const big = file("slow-run.json", slowToCheck(10_000))
    const run = startOmcm(["tasks", "run", big])
    for (let waited = 0; !run.stderr().includes("running 10000 task(s)") && waited < 30_000; waited += 100) await sleep(100)
    expect(run.stderr()).toContain("omcm: running 10000 task(s)")
    await sleep(1_000)
    const stopped = await run.stop("SIGTERM")
    expect(stopped).toMatchObject({ code: 130, signal: null })
    expect(stopped.ms).toBeLessThan(3_000)
    expect(run.stderr()).not.toContain("started on")
  }, 60_000)

  it("a cycle through 10,000 tasks is one line with a count", async () => {
    const n = 10_000
    const cycle = file("cycle.json", Array.from({ length: n }, (_, i) => ({ id: `t${i}`, description: "x", dependsOn: [`t${(i + 1) % n}`] })))
    const r = await runOmcmAsync(["tasks", "check", cycle], home.env, { cwd: home.root })
    expect(r).toMatchObject({ status: 2, stdout: "" })
    expect(r.stderr).toBe(
      "omcm: cycle.json: dependency cycle of 10,000 tasks (each waits for the next): t0 -> t1 -> t2 -> t3 -> t4 -> t5 -> t6 -> t7 -> t8 -> t9 -> ... (9,990 more)\n"
    )
  }, 60_000)

  it("10,000 tasks with globs are checked: the order line is cut, --json has everything", async () => {
    const modules = ["auth", "api", "ui", "db", "cli", "core"]
    const tasks = Array.from({ length: 10_000 }, (_, i) => {
      const p = `packages/p${(i * 7919) % 2_000}`
      const m = modules[i % modules.length]
      return {
        id: `t${i}`,
        description: `task ${i}`,
        files: i % 3 === 0 ? [`${p}/src/${m}/**`] : i % 3 === 1 ? [`${p}/src/${m}/*.ts`, `${p}/test/${m}.test.ts`] : [`${p}/README.md`]
      }
    })
    const big = file("monorepo.json", tasks)
    const text = await runOmcmAsync(["tasks", "check", big], home.env, { cwd: home.root })
    expect(text.status).toBe(0)
    const [first] = text.stdout.split("\n")
    expect(first).toMatch(/^monorepo\.json: 10000 task\(s\), dependency order t0 → t1 → .* → t19 → \.\.\. \(9,980 more\)$/)
    const json = await runOmcmAsync(["tasks", "check", big, "--json"], home.env, { cwd: home.root })
    const check = JSON.parse(json.stdout)
    expect(check.order).toHaveLength(10_000)
    expect(check.routes).toHaveLength(10_000)
    for (const c of check.parallel.conflicts) expect((Number(c.tasks[1].slice(1)) - Number(c.tasks[0].slice(1))) % 2_000).toBe(0)
    expect(check.parallel.conflicts.length).toBeGreaterThan(0)
  }, 180_000)
})
