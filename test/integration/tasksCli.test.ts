import Database from "better-sqlite3"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type StartedSimulatedModel, startSimulatedModel } from "../../src/simulated/openaiCompatible"
import { runOmcm, runOmcmAsync } from "../support/cli"
import { opencodePidsUnder, simulatedPoolConfig } from "../support/poolFixture"
import { makeTempHome, type TempHome } from "../support/tempHome"

let home: TempHome
let model: StartedSimulatedModel
let cwd: string

beforeAll(async () => {
  home = makeTempHome("omcm-tasks-")
  model = await startSimulatedModel({})
  home.writeConfig(simulatedPoolConfig(home, model))
  cwd = path.join(home.root, "project")
  fs.mkdirSync(cwd, { recursive: true })
})
afterAll(async () => {
  for (const pid of opencodePidsUnder(home.root)) process.kill(pid, "SIGKILL")
  await model.close()
  home.cleanup()
})

const writeTasks = (name: string, content: unknown) => {
  const file = path.join(cwd, name)
  fs.writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content, null, 2))
  return file
}

const GRAPH = {
  tasks: [
    { id: "plan", description: "Plan the auth module", agent: "architect" },
    { id: "build", description: "Implement the auth module", agent: "executor", dependsOn: ["plan"], files: ["src/auth/**"] },
    { id: "fix", description: "Fix the login handler", agent: "executor-low", files: ["src/**/*.ts"] },
    { id: "scan", description: "List the docs", agent: "explore", files: ["docs/**"] }
  ]
}

describe("omcm tasks check", () => {
  it("reports the order, the file conflict of overlapping globs, and each task's route by agent tier in hulw", () => {
    const file = writeTasks("graph.json", GRAPH)
    const r = runOmcm(["tasks", "check", file, "--mode", "hulw"], home.env, undefined, cwd)
    expect(r.stderr).toBe("")
    expect(r.status).toBe(0)
    const lines = r.stdout.trim().split("\n")
    expect(lines[0]).toBe("graph.json: 4 task(s), dependency order plan → build → fix → scan")
    expect(lines[1]).toBe("all at once: no (Dependencies exist between tasks and file conflicts detected)")
    expect(lines[2]).toMatch(/^ {2}conflict: "build" and "fix" can both touch src\/auth\/\S+\.ts$/)
    const row = (id: string) => lines.find((l) => l.startsWith(`${id} `))!.split(/\s{2,}/)
    expect(row("plan").slice(0, 6)).toEqual(["plan", "-", "architect", "HIGH", "claude", "anthropic/opus"])
    expect(row("build").slice(0, 6)).toEqual(["build", "plan", "executor", "MEDIUM", "opencode", "openai/gpt-5.2-codex"])
    expect(row("fix").slice(0, 6)).toEqual(["fix", "-", "executor-low", "LOW", "opencode", "google/gemini-3-flash"])
    expect(row("scan").slice(0, 6)).toEqual(["scan", "-", "explore", "LOW", "opencode", "google/gemini-3-flash"])
    expect(row("build")[6]).toContain("hulw sends MEDIUM-tier agents")
  })

  it("--json gives the same as one object", () => {
    const file = writeTasks("graph.json", GRAPH)
    const r = runOmcm(["tasks", "check", file, "--mode", "hulw", "--json"], home.env, undefined, cwd)
    expect(r.status).toBe(0)
    const check = JSON.parse(r.stdout)
    expect(check).toMatchObject({
      file: "graph.json",
      tasks: 4,
      order: ["plan", "build", "fix", "scan"],
      parallel: { canParallel: false, conflicts: [{ tasks: ["build", "fix"] }] }
    })
    expect(check.routes.map((x: { taskId: string; target: string; tier: string; mode: string }) => [x.taskId, x.target, x.tier, x.mode])).toEqual([
      ["plan", "claude", "HIGH", "hulw"],
      ["build", "opencode", "MEDIUM", "hulw"],
      ["fix", "opencode", "LOW", "hulw"],
      ["scan", "opencode", "LOW", "hulw"]
    ])
  })

  it("independent tasks without overlapping files can all run at once", () => {
    const file = writeTasks("flat.json", [
      { id: "a", description: "Write the parser", files: ["src/parser/**"] },
      { id: "b", description: "Write the docs", files: ["docs/**"] }
    ])
    const r = runOmcm(["tasks", "check", file], home.env, undefined, cwd)
    expect(r.status).toBe(0)
    expect(r.stdout).toContain("all at once: yes (No dependencies or file conflicts)")
    expect(r.stdout).not.toContain("conflict:")
  })

  it("a bad file is one line naming the problem, exit 2", () => {
    const cases: ReadonlyArray<readonly [string, unknown, string]> = [
      ["unknown.json", [{ id: "a", description: "x" }, { id: "b", description: "y", dependsOn: ["ghost"] }],
        `omcm: unknown.json: task "b" depends on "ghost", which is not in the task list`],
      ["cycle.json", [{ id: "a", description: "x", dependsOn: ["b"] }, { id: "b", description: "y", dependsOn: ["a"] }],
        "omcm: cycle.json: dependency cycle: a -> b -> a (each task waits for the next)"],
      ["missing.json", [{ id: "a" }], `omcm: missing.json: task "a" (#1): description: is missing`],
      ["torn.json", "{ not json", "omcm: torn.json: "]
    ]
    for (const [name, content, message] of cases) {
      const r = runOmcm(["tasks", "check", writeTasks(name, content)], home.env, undefined, cwd)
      expect(r.status, name).toBe(2)
      expect(r.stdout).toBe("")
      expect(r.stderr.trim().split("\n"), name).toHaveLength(1)
      expect(r.stderr.trim().startsWith(message), `${name}: ${r.stderr}`).toBe(true)
    }
    const absent = runOmcm(["tasks", "check", path.join(cwd, "absent.json")], home.env, undefined, cwd)
    expect(absent.status).toBe(2)
    expect(absent.stderr.trim()).toMatch(/^omcm: absent\.json: .*absent\.json does not exist$/)
  })
})

interface RunTask {
  readonly taskId: string
  readonly status: string
  readonly target: string
  readonly provider: string
  readonly model: string
  readonly output: string
  readonly error?: string
  readonly startedAt: number | null
  readonly finishedAt: number | null
  readonly tokens: { readonly input: number }
}

const events = (): ReadonlyArray<{ kind: string; source: string; agent: string; provider: string; success: number }> => {
  const db = new Database(home.paths.dbFile, { readonly: true })
  try {
    return db.prepare("SELECT kind, source, agent, provider, success FROM events ORDER BY id").all() as never
  } finally {
    db.close()
  }
}

describe("omcm tasks run (simulated model, real OpenCode pool)", () => {
  it("runs a 3-task graph in dependency order on one in-process pool and records every task", async () => {
    const file = writeTasks("run.json", [
      { id: "parse", description: "Write the parser SLEEP=1500", agent: "executor", files: ["src/parser/**"] },
      { id: "index", description: "List the parser files", agent: "explore", dependsOn: ["parse"], files: ["src/parser/**"] },
      { id: "docs", description: "Document the command line", agent: "writer", files: ["docs/**"] }
    ])
    const r = await runOmcmAsync(["tasks", "run", file, "--mode", "hulw", "--json"], home.env, { cwd })
    expect(r.stderr).toBe("")
    expect(r.status).toBe(0)
    const out = JSON.parse(r.stdout) as { opencode: string; tasks: ReadonlyArray<RunTask>; summary: Record<string, number> }
    expect(out.opencode).toBe("in-process pool")
    const [parse, index, docs] = out.tasks
    expect(out.tasks.map((t) => [t.taskId, t.status, t.target, t.provider, t.model])).toEqual([
      ["parse", "ok", "opencode", "openai", "gpt-5.2-codex"],
      ["index", "ok", "opencode", "google", "gemini-3-flash"],
      ["docs", "ok", "opencode", "google", "gemini-3-flash"]
    ])
    expect(parse!.output).toContain("Write the parser")
    expect(index!.output).toContain("List the parser files")
    expect(out.tasks.every((t) => t.tokens.input > 0)).toBe(true)
    // index waits for parse; docs depends on nothing and overlaps nothing: it runs beside parse
    expect(index!.startedAt!).toBeGreaterThanOrEqual(parse!.finishedAt!)
    expect(docs!.startedAt!).toBeLessThan(parse!.finishedAt!)
    expect(out.summary).toMatchObject({ tasks: 3, ok: 3, failed: 0, skipped: 0 })

    const stats = JSON.parse(runOmcm(["stats", "--json"], home.env).stdout)
    expect(stats.savings.calls).toBe(3)
    const row = (name: string) => stats.providers.find((p: { name: string }) => p.name === name)
    expect(row("openai")).toMatchObject({ routed: 1, calls: 1, errors: 0 })
    expect(row("google")).toMatchObject({ routed: 2, calls: 2, errors: 0 })
    const recorded = events().filter((e) => e.source === "executor")
    expect(recorded.filter((e) => e.kind === "routing").map((e) => e.agent).sort()).toEqual(["executor", "explore", "writer"])
    expect(recorded.filter((e) => e.kind === "call").every((e) => e.success === 1)).toBe(true)
    // the pool lived for the run only
    expect(opencodePidsUnder(home.root)).toEqual([])
  }, 180_000)

  it("prints each task as it finishes and a table; a failed task skips its dependents and exits 1", async () => {
    const before = events().length
    const file = writeTasks("failing.json", [
      { id: "bad", description: "Refactor the parser FAULT=401", agent: "executor" },
      { id: "after", description: "List what changed", agent: "explore", dependsOn: ["bad"] },
      { id: "fine", description: "Document the command line", agent: "writer" }
    ])
    const r = await runOmcmAsync(["tasks", "run", file, "--mode", "hulw", "--strategy", "sequential"], home.env, { cwd })
    expect(r.status).toBe(1)
    const stderr = r.stderr.trim().split("\n")
    expect(stderr[0]).toMatch(/^omcm: running 3 task\(s\) from failing\.json \(sequential, up to 3 at once; OpenCode tasks on an in-process pool\)$/)
    expect(stderr.at(-1)).toBe(`omcm: 1 of 3 task(s) failed ("bad"), 1 skipped`)
    expect(r.stdout).toMatch(/── bad · failed: .+ · opencode openai\/gpt-5\.2-codex/)
    expect(r.stdout).toContain(`── after · skipped: dependency "bad" failed`)
    expect(r.stdout).toMatch(/── fine · ok · opencode google\/gemini-3-flash · \S+ tokens · /)
    const table = r.stdout.slice(r.stdout.indexOf("TASK "))
    const row = (id: string) => table.split("\n").find((l) => l.startsWith(`${id} `))!.split(/\s{2,}/)
    expect(row("bad").slice(0, 3)).toEqual(["bad", "failed", "opencode"])
    expect(row("after").slice(0, 7)).toEqual(["after", "skipped", "opencode", "google/gemini-3-flash", "-", "-", "-"])
    expect(row("fine").slice(0, 4)).toEqual(["fine", "ok", "opencode", "google/gemini-3-flash"])
    expect(r.stdout.trim().split("\n").at(-1)).toMatch(/^3 task\(s\): 1 ok, 1 failed, 1 skipped · .+ tokens · .+ · sequential, up to 3 at once/)
    // the skipped task was never routed to a backend, so it is not recorded
    const recorded = events().slice(before)
    expect(recorded.filter((e) => e.kind === "call").map((e) => [e.agent, e.success])).toEqual([["executor", 0], ["writer", 1]])
  }, 180_000)

  it("sends OpenCode tasks to the pool daemon when one runs", async () => {
    const start = await runOmcmAsync(["pool", "start", "--detach", "--min", "1"], home.env, { cwd })
    expect(start.status).toBe(0)
    try {
      const file = writeTasks("daemon.json", [
        // executor-low: the failed task above cooled openai/gpt-5.2-codex down (a model that fails is left alone a minute)
        { id: "one", description: "Write the lexer", agent: "executor-low" },
        { id: "two", description: "Summarize the lexer", agent: "explore", dependsOn: ["one"] }
      ])
      const r = await runOmcmAsync(["tasks", "run", file, "--mode", "hulw", "--json"], home.env, { cwd })
      expect(r.stderr).toBe("")
      expect(r.status).toBe(0)
      const out = JSON.parse(r.stdout) as { opencode: string; tasks: ReadonlyArray<RunTask> }
      expect(out.opencode).toBe("daemon")
      expect(out.tasks.map((t) => t.status)).toEqual(["ok", "ok"])
      expect(JSON.parse(runOmcm(["pool", "status", "--json"], home.env).stdout).totalRequests).toBe(2)
    } finally {
      expect((await runOmcmAsync(["pool", "stop"], home.env)).status).toBe(0)
    }
  }, 240_000)

  it("rejects --max out of range with one line, exit 2", () => {
    const r = runOmcm(["tasks", "run", writeTasks("one.json", [{ id: "a", description: "x" }]), "--max", "0"], home.env, undefined, cwd)
    expect(r.status).toBe(2)
    expect(r.stderr.trim()).toBe("omcm: --max: expected a whole number from 1 to 64, got 0")
  })
})
