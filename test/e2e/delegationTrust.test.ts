import * as fs from "node:fs"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import {
  bashCall,
  type ChatRequest,
  questionCall,
  type ScriptStep,
  scriptedTurns,
  type SimulatedRequest,
  startSimulatedModel,
  type StartedSimulatedModel,
  toolResults,
  toolsOffered,
  writeFile
} from "../../src/simulated/openaiCompatible"
import { runClaude } from "../support/claudeHarness"
import { runOmcmAsync } from "../support/cli"
import { omcmHookSettings } from "../support/hookEvents"
import { type FakeAnthropic, startFakeAnthropic, type SubagentToolInput } from "../support/fakeAnthropic"
import { simulatedPoolConfig } from "../support/poolFixture"
import { makeTempHome, type TempHome } from "../support/tempHome"

// "A delegated sub-agent is the same agent on another model", tried with the real Claude Code, the real OpenCode and
// fake LLMs whose replies make tool calls: the role and tools of the agent's definition, the user's deny rules, the
// project boundary, nobody waited for, the whole result back.

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const hookSettings = () => omcmHookSettings(["SessionStart", "UserPromptSubmit", "PreToolUse", "PostToolUse"])

interface Setup {
  readonly home: TempHome
  readonly fake: FakeAnthropic
  readonly model: StartedSimulatedModel
  readonly cwd: string
  readonly outside: string
}

/** each delegated conversation plays the steps of the first CASE-<name> marker in it */
const byCase = (cases: Readonly<Record<string, ReadonlyArray<ScriptStep>>>, otherwise = "ok") => (request: ChatRequest) => {
  const text = JSON.stringify(request.messages)
  for (const [name, steps] of Object.entries(cases)) if (text.includes(`CASE-${name}`)) return scriptedTurns(steps)(request)
  return otherwise
}

const setup = async (toolUses: ReadonlyArray<Partial<SubagentToolInput>>, config: Record<string, unknown> = {}): Promise<Setup> => {
  const home = makeTempHome("omcm-trust-")
  cleanups.push(home.cleanup)
  const model = await startSimulatedModel()
  cleanups.push(model.close)
  const fake = await startFakeAnthropic({ script: { toolUses } })
  cleanups.push(fake.close)
  const cwd = path.join(home.root, "proj")
  const outside = path.join(home.root, "elsewhere")
  fs.mkdirSync(outside, { recursive: true })
  fs.mkdirSync(path.join(cwd, ".claude", "agents"), { recursive: true })
  // the user's own agent definitions and deny rule, as Claude Code reads them
  fs.writeFileSync(
    path.join(cwd, ".claude", "agents", "explore.md"),
    "---\nname: explore\ndescription: Looks around, never writes\ntools: Read, Grep, Glob\n---\nYou are the EXPLORE-ROLE agent: read and report, never change anything.\n"
  )
  fs.writeFileSync(path.join(cwd, ".claude", "agents", "executor.md"), "---\nname: executor\ndescription: Does the work\n---\nYou are the EXECUTOR-ROLE agent.\n")
  fs.writeFileSync(path.join(cwd, ".claude", "settings.json"), JSON.stringify({ permissions: { deny: ["Bash(touch:*)"] } }))
  const base = simulatedPoolConfig(home, model)
  // the tier and mode rules alone decide (the default preferOpencode list would always delegate explore)
  const routing = { preferOpencode: [], preferClaude: [], ...(config.routing as object | undefined) }
  home.writeConfig({ ...config, routing, pool: { ...base.pool, ...(config.pool as object | undefined) } })
  return { home, fake, model, cwd, outside }
}

/** `--tools Agent` keeps the main conversation to sub-agent calls; the side-by-side run needs the sub-agents' own tools */
const claude = (s: Setup, prompt: string, extraArgs: ReadonlyArray<string> = ["--tools", "Agent"]) =>
  runClaude({ home: s.home, cwd: s.cwd, fakeBaseUrl: s.fake.baseUrl, prompt, settings: hookSettings(), extraArgs, timeoutMs: 180_000 })

const resultFor = (s: Setup, text: string) => [...s.fake.toolResultsSeen().values()].find((r) => r.content.includes(text))
/** the requests of the delegated conversation whose prompt holds `marker`, oldest first */
const conversation = (s: Setup, marker: string): ReadonlyArray<SimulatedRequest> =>
  s.model.requests.filter((r) => r.url.endsWith("/chat/completions") && JSON.stringify(r.body).includes(marker) && toolsOffered(r).length > 0)

describe("a delegated sub-agent is the same agent on another model", () => {
  it("keeps its role and tools, the user's deny rule and the project boundary; asks nobody; brings its whole result back; leaks no secret", async () => {
    const long = `LONG-START ${"the whole result ".repeat(360)}LONG-END`
    // a fake key of OpenAI's format, made at run time
    const key = `sk-proj-${"Q9w8E7r6T5".repeat(4)}T3BlbkFJ${"y4U3i2O1p0".repeat(2)}`
    expect(long.length).toBeGreaterThan(6_000)
    const s = await setup([
      { subagent_type: "explore", description: "look", prompt: "PROBE-SUB CASE-explore find the loader" },
      { subagent_type: "executor", description: "touch", prompt: "PROBE-SUB CASE-deny mark it done" },
      { subagent_type: "executor", description: "escape", prompt: "PROBE-SUB CASE-outside save a copy" },
      { subagent_type: "executor", description: "ask", prompt: "PROBE-SUB CASE-question pick a database" },
      { subagent_type: "executor", description: "report", prompt: "PROBE-SUB CASE-long write the report" },
      { subagent_type: "executor", description: "deploy", prompt: `PROBE-SUB CASE-secret deploy with ${key}` }
    ])
    // the five calls share the pool daemon's server, as in a real session
    const daemon = await runOmcmAsync(["pool", "start", "--detach", "--min", "1"], s.home.env, { cwd: s.cwd })
    expect(daemon.status).toBe(0)
    cleanups.push(async () => void await runOmcmAsync(["pool", "stop"], s.home.env))
    const escape = path.join(s.outside, "escaped.txt")
    s.model.setOptions({
      script: byCase({
        explore: [writeFile("explore-wrote.txt", "should not exist"), { text: "EXPLORE-DONE read only" }],
        deny: [bashCall("touch denied-marker.txt"), { text: "DENY-DONE" }],
        outside: [writeFile(escape, "out of bounds"), { text: "OUTSIDE-DONE" }],
        question: [questionCall("Which database?", ["Postgres", "SQLite"]), { text: "QUESTION-DONE picked myself" }],
        long: [{ text: long }],
        secret: [{ text: "SECRET-DONE" }]
      })
    })
    const started = Date.now()
    const run = await claude(s, "hulw: PROBE-MAIN do all of it")
    expect(run.exitCode).toBe(0)

    // role and tools: the explore definition's text is the system prompt; only its read tools are offered
    const explore = conversation(s, "CASE-explore")
    expect(explore.length).toBeGreaterThan(0)
    expect(JSON.stringify(explore[0]!.body)).toContain("EXPLORE-ROLE")
    expect([...toolsOffered(explore[0]!)].sort()).toEqual(["glob", "grep", "read"])
    expect(fs.existsSync(path.join(s.cwd, "explore-wrote.txt"))).toBe(false)
    expect(resultFor(s, "EXPLORE-DONE")?.content).toContain("Role: explore (project definition")

    // the user's deny rule holds
    expect(fs.existsSync(path.join(s.cwd, "denied-marker.txt"))).toBe(false)
    const denied = conversation(s, "CASE-deny").at(-1)!
    expect(JSON.stringify(toolResults(denied))).toMatch(/rule|prevents|denied/i)
    expect(resultFor(s, "DENY-DONE")).toBeDefined()

    // outside the project: refused, and the turn went on
    expect(fs.existsSync(escape)).toBe(false)
    expect(resultFor(s, "OUTSIDE-DONE")).toBeDefined()

    // nobody to answer a question: the tool is not even offered
    const asked = conversation(s, "CASE-question")
    expect(toolsOffered(asked[0]!)).not.toContain("question")
    expect(resultFor(s, "QUESTION-DONE")).toBeDefined()

    // the whole result reaches the model
    const report = resultFor(s, "LONG-START")
    expect(report?.content).toContain(long)

    // a secret in the prompt never reached the other provider
    expect(resultFor(s, "SECRET-DONE")).toBeDefined()
    expect(s.model.requests.some((r) => JSON.stringify(r.body).includes(key))).toBe(false)
    expect(conversation(s, "CASE-secret").some((r) => JSON.stringify(r.body).includes("[REDACTED:openai-api-key]"))).toBe(true)

    // none of this ran on Claude, and nothing waited for a human
    expect(s.fake.subagentRequests()).toHaveLength(0)
    expect(Date.now() - started).toBeLessThan(150_000)
  }, 300_000)

  it("side by side: the same explore call on Claude is offered the same tools (Read, Grep, Glob)", async () => {
    const s = await setup([{ subagent_type: "explore", description: "look", prompt: "PROBE-SUB look on Claude" }])
    const run = await claude(s, "PROBE-MAIN look around", [])
    expect(run.exitCode).toBe(0)
    const sub = s.fake.subagentRequests().at(-1)
    const tools = ((sub?.body as { tools?: Array<{ name: string }> }).tools ?? []).map((t) => t.name).sort()
    expect(tools).toEqual(["Glob", "Grep", "Read"])
    expect(JSON.stringify(sub?.body)).toContain("EXPLORE-ROLE")
  }, 300_000)

  it("a provider that accepts the call and never answers is given up within the first-output timeout, and Claude does the work", async () => {
    const s = await setup(
      [{ subagent_type: "executor", description: "hang", prompt: "PROBE-SUB FAULT=hang do it" }],
      { delegation: { firstTokenTimeoutSeconds: 3, idleTimeoutSeconds: 5 } }
    )
    const started = Date.now()
    const run = await claude(s, "hulw: PROBE-MAIN try it")
    expect(run.exitCode).toBe(0)
    expect(resultFor(s, "do it")?.content).toContain("SUBAGENT-RAN:")
    const log = fs.readFileSync(path.join(s.home.paths.logDir, "hooks.log"), "utf8")
    expect(log).toContain("produced no output within 3000 ms")
    // far below the 240 s overall delegation timeout
    expect(Date.now() - started).toBeLessThan(120_000)
  }, 300_000)
})
