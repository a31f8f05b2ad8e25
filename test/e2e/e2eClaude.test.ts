import * as fs from "node:fs"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { startSimulatedModel, type StartedSimulatedModel } from "../../src/simulated/openaiCompatible"
import { runClaude } from "../support/claudeHarness"
import { type FakeAnthropic, type FakeAnthropicOptions, startFakeAnthropic } from "../support/fakeAnthropic"
import { runOmcm, runOmcmAsync } from "../support/cli"
import { omcmHookSettings } from "../support/hookEvents"
import { simulatedPoolConfig } from "../support/poolFixture"
import { makeTempHome, type TempHome } from "../support/tempHome"
import { waitFor } from "../support/waitFor"

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const hookSettings = () => omcmHookSettings(["SessionStart", "UserPromptSubmit", "PreToolUse", "PostToolUse", "Stop", "SessionEnd"])

interface Setup {
  readonly home: TempHome
  readonly fake: FakeAnthropic
  readonly model: StartedSimulatedModel
  readonly cwd: string
}

const setup = async (fakeOptions: FakeAnthropicOptions, config: Record<string, unknown> = {}, latencyMs = 0): Promise<Setup> => {
  const home = makeTempHome("omcm-e2e-")
  cleanups.push(home.cleanup)
  const model = await startSimulatedModel({ latencyMs })
  cleanups.push(model.close)
  const fake = await startFakeAnthropic(fakeOptions)
  cleanups.push(fake.close)
  const cwd = path.join(home.root, "proj")
  // project sub-agents, so the ones routed to Claude really run there
  fs.mkdirSync(path.join(cwd, ".claude", "agents"), { recursive: true })
  for (const name of ["architect", "executor", "explore", "writer"]) {
    fs.writeFileSync(path.join(cwd, ".claude", "agents", `${name}.md`), `---\nname: ${name}\ndescription: The ${name} agent\n---\nYou are the ${name} agent.\n`)
  }
  const base = simulatedPoolConfig(home, model)
  // the tier and mode rules alone decide (the seed's prefer lists, the defaults, would pin explore and architect)
  const routing = { preferOpencode: [], preferClaude: [], ...(config.routing as object | undefined) }
  home.writeConfig({ models: base.models, ...config, routing, pool: { ...base.pool, ...(config.pool as object | undefined) } })
  return { home, fake, model, cwd }
}

const claude = (s: Setup, prompt: string, timeoutMs = 120_000) =>
  runClaude({ home: s.home, cwd: s.cwd, fakeBaseUrl: s.fake.baseUrl, prompt, settings: hookSettings(), extraArgs: ["--tools", "Agent"], timeoutMs })

const results = (s: Setup) => [...s.fake.toolResultsSeen().values()]
const resultFor = (s: Setup, text: string) => results(s).find((r) => r.content.includes(text))
const subagentSaw = (s: Setup, text: string) => s.fake.subagentRequests().some((r) => JSON.stringify(r.body).includes(text))
const modelSaw = (s: Setup, text: string) => s.model.requests.some((r) => JSON.stringify(r.body).includes(text))
const hookLog = (s: Setup) => {
  const file = path.join(s.home.paths.logDir, "hooks.log")
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : ""
}

const setUsage = (s: Setup, percent: number) => {
  const r = runOmcm(["statusline"], s.home.env, JSON.stringify({
    session_id: "statusline",
    rate_limits: { five_hour: { used_percentage: percent, resets_at: Math.floor(Date.now() / 1000) + 3600 }, seven_day: { used_percentage: 10 } }
  }))
  expect(r.status).toBe(0)
}

const executor = { subagent_type: "oh-my-claudecode:executor", description: "implement", prompt: "PROBE-SUB implement the parser" }
const architect = { subagent_type: "architect", description: "design", prompt: "PROBE-SUB design the API" }

describe("end to end: the real Claude Code, the real OpenCode, fake LLMs", () => {
  it("hulw: a MEDIUM agent is delegated to OpenCode and its result reaches the model; a HIGH agent in the same session runs on Claude", async () => {
    const s = await setup({ script: { toolUses: [executor, architect] } })
    const run = await claude(s, "hulw: PROBE-MAIN build the thing")
    expect(run.exitCode).toBe(0)
    const delegated = resultFor(s, "implement the parser")
    expect(delegated?.content).toContain("completed by OpenCode (openai/gpt-5.2-codex)")
    expect(delegated?.content).toContain("Simulated reply (gpt-5.2-codex): PROBE-SUB implement the parser")
    expect(modelSaw(s, "PROBE-SUB implement the parser")).toBe(true)
    expect(subagentSaw(s, "implement the parser")).toBe(false)
    const onClaude = resultFor(s, "design the API")
    expect(onClaude?.is_error).toBe(false)
    expect(onClaude?.content).toContain("SUBAGENT-RAN:")
    expect(subagentSaw(s, "design the API")).toBe(true)
    expect(modelSaw(s, "design the API")).toBe(false)
  }, 300_000)

  it("ulw: cached usage 95% sends a LOW agent to the Gemini-configured provider; at 50% it stays on Claude", async () => {
    const explore = { subagent_type: "explore", description: "look", prompt: "PROBE-SUB find the config loader" }
    const s = await setup({ script: { toolUses: [explore] } })
    setUsage(s, 95)
    await claude(s, "ulw: PROBE-MAIN look around")
    expect(resultFor(s, "find the config loader")?.content).toContain("OpenCode (google/gemini-3-flash)")
    expect(modelSaw(s, "find the config loader")).toBe(true)
    expect(subagentSaw(s, "find the config loader")).toBe(false)

    setUsage(s, 50)
    const modelRequests = s.model.requests.length
    await claude(s, "ulw: PROBE-MAIN look around again")
    const onClaude = resultFor(s, "find the config loader")
    expect(onClaude?.is_error).toBe(false)
    expect(onClaude?.content).toContain("SUBAGENT-RAN:")
    expect(s.model.requests.length).toBe(modelRequests)
  }, 300_000)

  it("OpenCode missing or failing: the sub-agent runs on Claude and the session completes", async () => {
    // a plain agent name: when the call falls back to Claude, the agent must exist there
    const local = { ...executor, subagent_type: "executor" }
    const missing = await setup({ script: { toolUses: [local] } }, { pool: { opencodeBin: "/nonexistent/opencode" } })
    const run = await claude(missing, "hulw: PROBE-MAIN build it")
    expect(run.exitCode).toBe(0)
    expect(resultFor(missing, "implement the parser")?.is_error).toBe(false)
    expect(subagentSaw(missing, "implement the parser")).toBe(true)
    expect(hookLog(missing)).toContain("opencode binary not found")

    const failing = await setup({ script: { toolUses: [{ ...local, prompt: "PROBE-SUB FAULT=500 implement the parser" }] } })
    const run2 = await claude(failing, "hulw: PROBE-MAIN build it")
    expect(run2.exitCode).toBe(0)
    expect(resultFor(failing, "implement the parser")?.content).toContain("SUBAGENT-RAN:")
    expect(modelSaw(failing, "FAULT=500")).toBe(true)
    expect(hookLog(failing)).toContain("delegation of executor to openai/gpt-5.2-codex failed")
  }, 400_000)

  it("the plugin loaded with --plugin-dir routes like the settings hooks", async () => {
    const s = await setup({ script: { toolUses: [executor, architect] } })
    const run = await runClaude({
      home: s.home,
      cwd: s.cwd,
      fakeBaseUrl: s.fake.baseUrl,
      prompt: "hulw: PROBE-MAIN build the thing",
      pluginDir: path.resolve(__dirname, "../.."),
      extraArgs: ["--tools", "Agent"],
      timeoutMs: 180_000
    })
    expect(run.exitCode).toBe(0)
    expect(resultFor(s, "implement the parser")?.content).toContain("completed by OpenCode (openai/gpt-5.2-codex)")
    expect(subagentSaw(s, "implement the parser")).toBe(false)
    expect(subagentSaw(s, "design the API")).toBe(true)
  }, 300_000)

  it("with the plugin and no daemon, the first session starts the pool daemon; the next session's delegation runs on it", async () => {
    const s = await setup({ script: { toolUses: [executor] } }, { hooks: { daemonIdleMinutes: 5 } })
    cleanups.push(async () => void await runOmcmAsync(["pool", "stop"], s.home.env))
    const session = (prompt: string) =>
      runClaude({
        home: s.home,
        cwd: s.cwd,
        fakeBaseUrl: s.fake.baseUrl,
        prompt,
        pluginDir: path.resolve(__dirname, "../.."),
        extraArgs: ["--tools", "Agent"],
        env: { OMCM_NO_AUTOSTART: "0" },
        timeoutMs: 180_000
      })
    expect((await session("hello there")).exitCode).toBe(0)
    await waitFor(() => fs.existsSync(s.home.paths.daemonFile), { timeoutMs: 60_000, intervalMs: 250 })
    const before = JSON.parse(runOmcm(["pool", "status", "--json"], s.home.env).stdout)
    expect(before).toMatchObject({ running: true, totalRequests: 0 })

    const run = await session("hulw: PROBE-MAIN build the thing")
    expect(run.exitCode).toBe(0)
    expect(resultFor(s, "implement the parser")?.content).toContain("completed by OpenCode (openai/gpt-5.2-codex)")
    expect(subagentSaw(s, "implement the parser")).toBe(false)
    // the daemon's pool ran it: the hook handed the call over instead of starting a pool of its own
    const after = JSON.parse(runOmcm(["pool", "status", "--json"], s.home.env).stdout)
    expect(after).toMatchObject({ running: true, pid: before.pid, totalRequests: 1 })
    expect(hookLog(s)).toBe("")
  }, 400_000)

  it("hulw parallelism: four Agent calls in one message are delegated at once on the pool daemon", async () => {
    const four = ["alpha", "beta", "gamma", "delta"].map((name) => ({ ...executor, prompt: `PROBE-SUB task ${name}`, description: name }))
    const one = await setup({ script: { toolUses: [four[0]!] } }, { routing: { maxOpencodeWorkers: 4 } }, 4_000)
    const s = await setup({ script: { toolUses: four } }, { routing: { maxOpencodeWorkers: 4 } }, 4_000)
    for (const x of [one, s]) {
      const started = await runOmcmAsync(["pool", "start", "--detach", "--min", "1"], x.home.env, { cwd: x.cwd })
      expect(started.stderr).toBe("")
      expect(started.status).toBe(0)
      cleanups.push(async () => void await runOmcmAsync(["pool", "stop"], x.home.env))
      // one warm call each, so both measure warm delegations
      expect((await runOmcmAsync(["run", "warm up", "--model", "openai/gpt-5.2-codex"], x.home.env, { cwd: x.cwd })).status).toBe(0)
    }

    const single = await claude(one, "hulw: PROBE-MAIN one task")
    const parallel = await claude(s, "hulw: PROBE-MAIN four tasks")
    expect(single.exitCode).toBe(0)
    expect(parallel.exitCode).toBe(0)
    for (const name of ["alpha", "beta", "gamma", "delta"]) {
      const own = results(s).filter((r) => r.content.includes(`PROBE-SUB task ${name}`))
      expect(own).toHaveLength(1)
      expect(own[0]!.content).toContain(`Simulated reply (gpt-5.2-codex): PROBE-SUB task ${name}`)
    }
    expect(s.fake.subagentRequests()).toHaveLength(0)
    // the turn: from the model's request that issued the Agent calls to the one that carries their results
    const turn = (x: Setup) => {
      const main = x.fake.mainRequests()
      return main[1]!.time - main[0]!.time
    }
    const one4 = turn(one)
    const four4 = turn(s)
    console.log(`one delegation turn ${one4} ms, four parallel delegations turn ${four4} ms (model latency 4000 ms)`)
    // in sequence, four delegations of ~4 s each would take four times as long as one
    expect(four4).toBeLessThan(1.75 * one4)
  }, 400_000)
})
