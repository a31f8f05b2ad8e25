import * as fs from "node:fs"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { offlineClaudeEnv } from "../support/claudeHarness"
import { runOmcm, runOmcmAsync } from "../support/cli"
import { startFakeAnthropic } from "../support/fakeAnthropic"
import { makeTempHome } from "../support/tempHome"

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

describe("omcm run on the Claude target (the real claude -p, a fake Anthropic API)", () => {
  it("runs a HIGH-tier task with claude -p and records it", async () => {
    const home = makeTempHome("omcm-runclaude-")
    cleanups.push(home.cleanup)
    const fake = await startFakeAnthropic({ usage: { input_tokens: 1200, output_tokens: 80 } })
    cleanups.push(fake.close)
    const cwd = path.join(home.root, "proj")
    fs.mkdirSync(cwd)
    const env = offlineClaudeEnv(home, fake.baseUrl)
    const r = await runOmcmAsync(["run", "hulw: design the storage layer", "--agent", "planner"], env, { cwd })
    expect(r.stderr).toContain("hulw keeps HIGH-tier agents like planner on Claude")
    expect(r.status).toBe(0)
    expect(r.stdout).toContain("SUBAGENT-RAN: design the storage layer")
    expect(r.stdout).toMatch(/── Claude anthropic\/claude-\S+ · .*tokens .* · claude -p/)
    // omcm's own hooks in that claude child are off: the child ran with OMCM_DELEGATED=1
    expect(fake.mainRequests().length + fake.subagentRequests().length).toBeGreaterThan(0)
    const stats = JSON.parse(runOmcm(["stats", "--json"], env).stdout)
    expect(stats.providers.find((p: { name: string }) => p.name === "anthropic")).toMatchObject({ calls: 1 })
  }, 120_000)
})
