import * as fs from "node:fs"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { type ClaudeRun, runClaude } from "../support/claudeHarness"
import { FINAL_ANSWER, type FakeAnthropic, type FakeAnthropicOptions, startFakeAnthropic } from "../support/fakeAnthropic"
import { processesUnder } from "../support/processes"
import { makeTempHome, type TempHome } from "../support/tempHome"

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const setup = async (options: FakeAnthropicOptions): Promise<{ home: TempHome; fake: FakeAnthropic; cwd: string }> => {
  const home = makeTempHome("omcm-harness-")
  cleanups.push(home.cleanup)
  const fake = await startFakeAnthropic(options)
  cleanups.push(fake.close)
  const cwd = path.join(home.root, "proj")
  fs.mkdirSync(cwd)
  return { home, fake, cwd }
}

const run = (home: TempHome, cwd: string, fake: FakeAnthropic, settings?: object): Promise<ClaudeRun> =>
  runClaude({ home, cwd, fakeBaseUrl: fake.baseUrl, prompt: "PROBE-MAIN please delegate", settings, extraArgs: ["--tools", "Agent"], timeoutMs: 20_000 })

const expectClean = (run: ClaudeRun, home: TempHome) => {
  expect(run.timedOut).toBe(false)
  expect(run.exitCode).toBe(0)
  expect(processesUnder(home.root)).toEqual([])
}

describe("claude harness against the fake Anthropic API", () => {
  it("a PreToolUse deny hook on Agent|Task reaches the model as the tool_result and no sub-agent runs", async () => {
    const { cwd, fake, home } = await setup({ script: {} })
    const hook = path.join(home.root, "deny-hook.mjs")
    const decision = { hookSpecificOutput: { hookEventName: "PreToolUse", permissionDecision: "deny", permissionDecisionReason: "DENIED-BY-TEST" } }
    fs.writeFileSync(hook, `process.stdout.write(${JSON.stringify(JSON.stringify(decision))})\n`)
    const settings = { hooks: { PreToolUse: [{ matcher: "Agent|Task", hooks: [{ type: "command", command: `node ${hook}` }] }] } }

    const result = await run(home, cwd, fake, settings)

    expectClean(result, home)
    const seen = [...fake.toolResultsSeen().values()]
    expect(seen).toHaveLength(1)
    expect(seen[0]?.content).toContain("DENIED-BY-TEST")
    expect(seen[0]?.is_error).toBe(true)
    expect(fake.subagentRequests()).toEqual([])
    expect(result.result?.result).toContain(FINAL_ANSWER)
  })

  it("without a hook the sub-agent runs and its echo reaches the final answer", async () => {
    const { cwd, fake, home } = await setup({ script: {} })

    const result = await run(home, cwd, fake)

    expectClean(result, home)
    expect(fake.subagentRequests().length).toBeGreaterThan(0)
    expect(fake.subagentRequests()[0]?.headers["x-claude-code-agent-id"]).toBeDefined()
    expect(fake.mainRequests()).toHaveLength(2)
    expect(result.result?.result).toContain(FINAL_ANSWER)
    expect(result.result?.result).toContain("SUBAGENT-RAN: PROBE-SUB do the thing")
  })

  it("three tool_use blocks in one message come back as three tool_results", async () => {
    const prompts = ["PROBE-SUB one", "PROBE-SUB two", "PROBE-SUB three"]
    const { cwd, fake, home } = await setup({ script: { toolUses: prompts.map((prompt, i) => ({ prompt, description: `task ${i}` })) } })

    const result = await run(home, cwd, fake)

    expectClean(result, home)
    const seen = [...fake.toolResultsSeen().values()]
    expect(seen).toHaveLength(3)
    for (const prompt of prompts) {
      expect(seen.filter((r) => !r.is_error && r.content.includes(`SUBAGENT-RAN: ${prompt}`))).toHaveLength(1)
    }
    expect(fake.subagentRequests()).toHaveLength(3)
  })

  it("the hard timeout kills claude and everything it started", async () => {
    const { cwd, fake, home } = await setup({ hang: true })

    const result = await runClaude({ home, cwd, fakeBaseUrl: fake.baseUrl, prompt: "PROBE-MAIN hang", timeoutMs: 3_000 })

    expect(result.timedOut).toBe(true)
    expect(result.signal).toBe("SIGKILL")
    expect(fake.mainRequests().length).toBeGreaterThan(0)
    expect(processesUnder(home.root)).toEqual([])
  })
})
