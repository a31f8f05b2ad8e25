/**
 * Two providers for one tier, one of which starts answering 429 mid-run and then hangs: every call still gets its
 * answer, calls move to the other provider, the failing one is left alone while it cools down and tried again after.
 * Real OpenCode servers (the pool daemon), real `omcm run` processes sharing the balancer's state through the database.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type SimulatedFault, type StartedSimulatedModel, startSimulatedModel } from "../../src/simulated/openaiCompatible"
import { runOmcm, runOmcmAsync } from "../support/cli"
import { opencodePidsUnder, simulatedPoolConfig } from "../support/poolFixture"
import { makeTempHome, type TempHome } from "../support/tempHome"

const OPENAI = "openai/gpt-5.2-codex"
const GOOGLE = "google/gemini-3-flash"
const COOLDOWN_SECONDS = 25

let home: TempHome
let model: StartedSimulatedModel
let cwd: string
/** what OpenAI's model does now; Google's always answers */
let openaiFault: SimulatedFault | undefined

const openaiRequests = () =>
  model.requests.filter((r) => {
    const body = r.body as { model?: unknown; messages?: ReadonlyArray<{ role?: unknown; content?: unknown }> } | null
    // the work, not OpenCode's title requests
    return body?.model === "gpt-5.2-codex" && !JSON.stringify(body.messages ?? []).includes("title generator")
  }).length

interface RunOutcome {
  readonly status: number | null
  readonly provider: string
  readonly stdout: string
  readonly requestedModel?: string
  readonly failovers?: ReadonlyArray<{ readonly id: string; readonly error: string }>
}

let counter = 0
const call = async (): Promise<RunOutcome> => {
  const task = `task number ${++counter}`
  const r = await runOmcmAsync(["run", "--agent", "executor", "--mode", "hulw", "--json", task], home.env, { cwd, timeoutMs: 120_000 })
  expect(r.stderr).toBe("")
  const out = JSON.parse(r.stdout) as { decision: { candidates?: ReadonlyArray<string> }; result: { provider: string; model: string; stdout: string; requestedModel?: string; failovers?: RunOutcome["failovers"] } }
  expect(out.result.stdout).toContain(task)
  expect(out.decision.candidates).toEqual([OPENAI, GOOGLE])
  return {
    status: r.status,
    provider: `${out.result.provider}/${out.result.model}`,
    stdout: out.result.stdout,
    ...(out.result.requestedModel === undefined ? {} : { requestedModel: out.result.requestedModel }),
    ...(out.result.failovers === undefined ? {} : { failovers: out.result.failovers })
  }
}

const balancerStats = () => {
  const r = runOmcm(["balancer", "stats", "--json"], home.env, undefined, cwd)
  expect(r.status).toBe(0)
  return JSON.parse(r.stdout) as {
    live: { coolingDown: ReadonlyArray<{ target: string; reason: string }>; recentCalls: Record<string, { calls: number; failed: number }> }
    candidates: Record<string, ReadonlyArray<{ id: string; coolingDownUntil?: string }>>
  }
}

const waitForCooldownToEnd = async () => {
  const deadline = Date.now() + (COOLDOWN_SECONDS + 10) * 1000
  while (balancerStats().live.coolingDown.length > 0) {
    if (Date.now() > deadline) throw new Error("the cooldown did not end")
    await new Promise((r) => setTimeout(r, 500))
  }
}

beforeAll(async () => {
  home = makeTempHome("omcm-failover-")
  model = await startSimulatedModel({ faultFor: (request) => (request.model === "gpt-5.2-codex" ? openaiFault : undefined), retryAfterSeconds: 1 })
  const base = simulatedPoolConfig(home, model, { minServers: 1, maxServers: 1 })
  home.writeConfig({
    ...base,
    models: { ...base.models, MEDIUM: { opencode: [OPENAI, GOOGLE] } },
    delegation: { firstTokenTimeoutSeconds: 10, idleTimeoutSeconds: 20 },
    balancer: { cooldownSeconds: COOLDOWN_SECONDS }
  })
  home.writeConfig({ balancingStrategy: "round-robin" }, "agent-mapping.json")
  cwd = path.join(home.root, "project")
  fs.mkdirSync(cwd, { recursive: true })
  const started = await runOmcmAsync(["pool", "start", "--detach", "--min", "1"], home.env, { cwd, timeoutMs: 120_000 })
  expect(started.status).toBe(0)
}, 180_000)

afterAll(async () => {
  await runOmcmAsync(["pool", "stop"], home.env, { cwd, timeoutMs: 30_000 })
  for (const pid of opencodePidsUnder(home.root)) {
    try {
      process.kill(pid, "SIGKILL")
    } catch {
      // gone already
    }
  }
  await model.close()
  home.cleanup()
})

describe("failover across a tier's providers (429, then a hang)", () => {
  it("no call is lost; calls move to the other provider; the failing one is not tried while cooling, and is after", async () => {
    // both healthy: round-robin uses both
    const healthy = [await call(), await call()]
    expect(new Set(healthy.map((o) => o.provider))).toEqual(new Set([OPENAI, GOOGLE]))
    expect(healthy.every((o) => o.status === 0 && o.failovers === undefined)).toBe(true)

    // OpenAI answers 429 from now on: the call that asks it first gets Google's answer, with the failover recorded
    openaiFault = "429"
    const limited: Array<RunOutcome> = []
    while (!limited.some((o) => o.failovers !== undefined)) {
      expect(limited.length).toBeLessThan(3)
      limited.push(await call())
    }
    for (const o of limited) expect(o).toMatchObject({ status: 0, provider: GOOGLE })
    const failedOver = limited.find((o) => o.failovers !== undefined)!
    expect(failedOver.requestedModel).toBe(OPENAI)
    expect(failedOver.failovers).toEqual([{ id: OPENAI, error: "rate limited" }])
    expect(balancerStats().live.coolingDown).toEqual([expect.objectContaining({ target: "openai", reason: "rate limited" })])

    // while OpenAI cools down it is not asked at all, even where round-robin would have named it
    openaiFault = "hang"
    const askedBefore = openaiRequests()
    const whileCooling = [await call(), await call()]
    expect(whileCooling.map((o) => [o.status, o.provider, o.failovers])).toEqual([[0, GOOGLE, undefined], [0, GOOGLE, undefined]])
    expect(openaiRequests()).toBe(askedBefore)

    // cooled down, it is tried again; now it hangs: the first-token watchdog gives up and Google answers
    await waitForCooldownToEnd()
    const hung: Array<RunOutcome> = []
    while (!hung.some((o) => o.failovers !== undefined)) {
      expect(hung.length).toBeLessThan(3)
      hung.push(await call())
    }
    for (const o of hung) expect(o).toMatchObject({ status: 0, provider: GOOGLE })
    expect(openaiRequests()).toBeGreaterThan(askedBefore)
    expect(hung.find((o) => o.failovers !== undefined)!.failovers![0]!.id).toBe(OPENAI)
    expect(balancerStats().live.coolingDown.map((c) => c.target)).toEqual([OPENAI])

    // healthy again and cooled down: OpenAI answers its share once more
    openaiFault = undefined
    await waitForCooldownToEnd()
    const recovered = [await call(), await call()]
    expect(recovered.map((o) => o.provider)).toContain(OPENAI)
    expect(recovered.every((o) => o.status === 0)).toBe(true)

    // every record says what happened
    const stats = runOmcm(["stats", "--json"], home.env, undefined, cwd)
    const report = JSON.parse(stats.stdout) as { failovers: { count: number; recent: ReadonlyArray<{ requestedModel?: string }> } }
    expect(report.failovers.count).toBe(2)
    expect(report.failovers.recent.every((e) => e.requestedModel === OPENAI)).toBe(true)
    const text = runOmcm(["stats"], home.env, undefined, cwd).stdout
    expect(text).toContain("2 calls failed over to another OpenCode candidate:")
    expect(text).toContain(`${OPENAI}: rate limited -> ${GOOGLE} answered`)
  }, 600_000)
})
