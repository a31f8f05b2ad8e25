import Database from "better-sqlite3"
import { Effect, Layer } from "effect"
import { spawn } from "node:child_process"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { Tracker } from "../../src/services/tracker/Tracker"
import { TrackerStore } from "../../src/services/tracker/TrackerStore"
import { callEvent, type CallInput } from "../../src/services/tracker/recordInput"
import { defaultConfig } from "../../src/domain/defaults"
import type { StatsReport, StatsRow } from "../../src/services/tracker/MetricsCollector"
import { OMCM_BIN, runOmcm } from "../support/cli"
import { makeTempHome, type TempHome } from "../support/tempHome"
import { trackingAt } from "../support/trackerLayers"
import { makeUsageHistory } from "../../src/services/router/usageHistory"
import type { WindowSpared } from "../../src/services/router/windowSpared"
import { Store } from "../../src/services/store/Store"

let home: TempHome
beforeEach(() => {
  home = makeTempHome("omcm-stats-")
})
afterEach(() => home.cleanup())

const record = <A>(program: Effect.Effect<A, unknown, Tracker | TrackerStore>) =>
  Effect.runPromise(program.pipe(Effect.provide(trackingAt(home.paths.dbFile) as Layer.Layer<Tracker | TrackerStore>)))

const call = (over: Partial<CallInput> & Pick<CallInput, "provider" | "model">): CallInput => ({
  source: "pool", target: "opencode", tokens: { input: 0, output: 0 }, durationMs: 0, success: true, ...over
})

/** the known set of the MetricsCollector tests, recorded now, plus one call three days old */
const seed = () =>
  record(Effect.gen(function*() {
    const tracker = yield* Tracker
    for (let i = 0; i < 3; i++) yield* tracker.recordRouting({ source: "hook", agent: "oh-my-claudecode:executor", provider: "openai", model: "gpt-5.2-codex", sessionId: "s1" })
    yield* tracker.recordRouting({ source: "hook", agent: "architect", provider: "anthropic", model: "opus", sessionId: "s1" })
    yield* tracker.recordCall(call({ provider: "openai", model: "gpt-5.2-codex", agent: "executor", tokens: { input: 1000, output: 500 }, durationMs: 1000, sessionId: "s1" }))
    yield* tracker.recordCall(call({ provider: "openai", model: "gpt-5.2-codex", agent: "executor", tokens: { input: 200, output: 0 }, durationMs: 3000, success: false, error: "rate limited", sessionId: "s1" }))
    yield* tracker.recordCall(call({ provider: "google", model: "gemini-3-flash", agent: "explore", tokens: { input: 4000, output: 1000 }, durationMs: 500 }))
    yield* tracker.recordCall(call({ provider: "google", model: "gemini-9-ultra", agent: "explore", tokens: { input: 100, output: 100 }, durationMs: 700 }))
    yield* tracker.recordCall(call({ provider: "xai", model: "grok-5", agent: "writer", tokens: { input: 100, output: 100 }, durationMs: 100 }))
    yield* tracker.recordCall(call({ source: "claude-subagent", target: "claude", provider: "anthropic", model: "opus", agent: "architect", tokens: { input: 10_000, output: 2000 }, durationMs: 4000 }))
    const store = yield* TrackerStore
    const old = callEvent(defaultConfig, {}, call({ provider: "openai", model: "gpt-5.2-codex", agent: "executor", tokens: { input: 3000, output: 0 }, durationMs: 2000 }), Date.now() - 3 * 86_400_000)
    yield* store.insert(old)
  }))

const rawCount = () => {
  const db = new Database(home.paths.dbFile, { readonly: true })
  try {
    return (db.prepare("SELECT COUNT(*) AS n FROM events").get() as { n: number }).n
  } finally {
    db.close()
  }
}

describe("omcm stats", () => {
  it("--json prints one object: per provider and agent rows and the savings", async () => {
    await seed()
    const result = runOmcm(["stats", "--json"], home.env)
    expect(result.stderr).toBe("")
    expect(result.status).toBe(0)
    const report = JSON.parse(result.stdout) as StatsReport
    expect(report.period).toBe("day")
    const byName = (rows: ReadonlyArray<StatsRow>) => Object.fromEntries(rows.map((r) => [r.name, r]))
    const providers = byName(report.providers)
    expect(providers.openai).toMatchObject({ routed: 3, calls: 2, errors: 1, p50: 1000, p95: 3000, tokens: 1700, unpriced: 0 })
    expect(providers.openai!.cost).toBeCloseTo(0.0096, 12)
    expect(providers.xai).toMatchObject({ calls: 1, cost: null, unpriced: 1 })
    expect(providers.google).toMatchObject({ calls: 2, unpriced: 1 })
    expect(byName(report.agents).executor).toMatchObject({ routed: 3, calls: 2, errors: 1 })
    expect(report.savings).toMatchObject({ tokens: 6900, calls: 4, failedCalls: 1, unpriced: 2, claudeTokens: 12_000 })
    expect(report.savings.claudeCost).toBeCloseTo(0.01866, 12)
  })

  it("prints a table per provider and per agent and the savings line, after compacting old events", async () => {
    await seed()
    expect(rawCount()).toBe(11)
    const result = runOmcm(["stats"], home.env)
    expect(result.status).toBe(0)
    const lines = result.stdout.split("\n")
    expect(lines[0]).toMatch(/^omcm stats · last day \(since .* UTC\)$/)
    expect(lines.find((l) => l.startsWith("openai"))).toMatch(/^openai\s+3\s+2\s+1\s+1\.0s\s+3\.0s\s+1\.7k\s+\$0\.0096$/)
    expect(lines.find((l) => l.startsWith("xai"))).toMatch(/\s+unpriced$/)
    expect(lines.find((l) => l.startsWith("google"))).toMatch(/\$0\.0040 \+ 1 unpriced$/)
    expect(lines.find((l) => l.startsWith("executor"))).toMatch(/^executor\s+3\s+2\s+1\s/)
    expect(lines.at(-2)).toBe(
      "Saved 6.9k Claude tokens in the last day, estimated from the delegated calls' own tokens (0 recorded Claude runs to compare with): $0.0130 (+2 unpriced calls) on google/openai/xai instead of $0.0187 on Claude (37% of sub-agent tokens); 1 failed delegation saved nothing"
    )
    expect(result.stdout).not.toMatch(/\$0\.00(\s|$)/)

    expect(rawCount()).toBe(10) // the three-day-old call is now a minute aggregate
    const week = JSON.parse(runOmcm(["stats", "--period", "week", "--json"], home.env).stdout) as StatsReport
    const openai = week.providers.find((r) => r.name === "openai")
    expect(openai).toMatchObject({ calls: 3, tokens: 4700, exactLatency: false })
  })

  it("--watch redraws from the stats stream, sees events other processes record, and stops on Ctrl-C", async () => {
    await seed()
    const child = spawn(process.execPath, [OMCM_BIN, "stats", "--watch", "--interval", "0.3"], { env: home.env })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString()
    })
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)))
    const waitFor = async (predicate: () => boolean, what: string) => {
      for (let i = 0; i < 400 && !predicate(); i++) await new Promise((r) => setTimeout(r, 50))
      if (!predicate()) throw new Error(`timed out waiting for ${what}; stdout: ${stdout.slice(-2000)} stderr: ${stderr}`)
    }
    try {
      await waitFor(() => (stdout.match(/live, last minute/g) ?? []).length >= 2, "two redraws")
      expect(stdout).toContain("live, last minute: 4 routings · 6 calls")
      await record(Effect.flatMap(Tracker, (t) => t.recordRouting({ source: "hook", agent: "explore", provider: "google", model: "gemini-3-flash" })))
      await waitFor(() => stdout.includes("live, last minute: 5 routings"), "the new routing")
      child.kill("SIGINT")
      expect(await exited).toBe(130)
      expect(stderr).toBe("")
    } finally {
      child.kill("SIGKILL")
    }
  })
})

describe("omcm stats: counterfactual savings", () => {
  it("names the method and the Claude runs behind the savings line", async () => {
    await record(Effect.gen(function*() {
      const tracker = yield* Tracker
      for (const input of [10_000, 30_000]) {
        yield* tracker.recordCall(call({ source: "claude-subagent", target: "claude", provider: "anthropic", model: "sonnet", agent: "executor", tier: "MEDIUM", tokens: { input, output: 0 } }))
      }
      yield* tracker.recordCall(call({ provider: "openai", model: "gpt-5.2", agent: "executor", tier: "MEDIUM", tokens: { input: 9000, output: 100 } }))
    }))
    const result = runOmcm(["stats"], home.env)
    expect(result.status).toBe(0)
    expect(result.stdout).toContain("Saved 20.0k Claude tokens in the last day, estimated from 2 recorded Claude runs of the same agent: ")
    const json = JSON.parse(runOmcm(["stats", "--json"], home.env).stdout) as StatsReport
    expect(json.savings.counterfactual).toMatchObject({ claudeTokens: 20_000, samples: 2, methods: [{ method: "agent", calls: 1, samples: 2 }] })
  })
})

describe("statusline HUD", () => {
  it("adds the session's routed count and savings", async () => {
    await seed()
    const withSession = runOmcm(["statusline"], home.env, JSON.stringify({ session_id: "s1" }))
    expect(withSession.status).toBe(0)
    expect(withSession.stdout).toContain("delegated 1 → OpenCode · 1 fell back to Claude · saved 1.5k tok (own-work estimate, 0 Claude runs)")
    const other = runOmcm(["statusline"], home.env, JSON.stringify({ session_id: "nobody" }))
    expect(other.stdout).not.toContain("delegated")
  })
})

describe("the share of the 5-hour window spared", () => {
  it("is measured from the statusline's readings and shown by the statusline and omcm stats, with its method", async () => {
    const now = Date.now()
    const resetsAt = Math.floor((now + 3 * 3_600_000) / 1000)
    const earlier = now - 10 * 60_000
    await Effect.runPromise(Effect.gen(function*() {
      yield* (yield* Tracker).recordCall(call({ provider: "openai", model: "gpt-5.2", agent: "executor", tier: "MEDIUM", tokens: { input: 300_000, output: 20_000 }, sessionId: "s1" }))
      const history = makeUsageHistory(yield* Store)
      yield* history.record({ updatedAt: earlier, fiveHour: { percent: 10, resetsAt: resetsAt * 1000 }, sevenDay: null })
      yield* history.recordSessionCost({ sessionId: "s1", ts: earlier, usd: 1 })
    }).pipe(Effect.provide(trackingAt(home.paths.dbFile))))
    const before = JSON.parse(runOmcm(["stats", "--json"], home.env).stdout) as StatsReport & { window5h: WindowSpared | null }
    // one reading of the window: no rate to measure yet
    expect(before.window5h).toBeNull()
    const claudeCost = before.savings.counterfactual.claudeCost
    expect(claudeCost).toBeGreaterThan(0.5)

    // 10 more points for $2 more of Claude work: 5 points per dollar
    const input = { session_id: "s1", rate_limits: { five_hour: { used_percentage: 20, resets_at: resetsAt } }, cost: { total_cost_usd: 3 } }
    const hud = runOmcm(["statusline"], home.env, JSON.stringify(input))
    expect(hud.status).toBe(0)
    expect(hud.stdout).toContain(`spared ≈${Math.round(claudeCost * 5)}% of 5h`)
    const after = JSON.parse(runOmcm(["stats", "--json"], home.env).stdout) as StatsReport & { window5h: WindowSpared | null }
    expect(after.window5h?.pointsPerUsd).toBeCloseTo(5)
    expect(after.window5h?.points).toBeCloseTo(claudeCost * 5)
    expect(runOmcm(["stats"], home.env).stdout).toContain(
      `Spared ≈${Math.round(claudeCost * 5)}% of the current 5-hour window ($${claudeCost.toFixed(2)} of Claude work), at 5.0 points per $ of Claude work measured this window ($2.00, 10 points).`
    )
  })
})

describe("omcm stats --period month, --by, --format", () => {
  it("--by model|agent|session|day as a table, CSV or JSON; --period month reaches back 30 days", async () => {
    await seed()
    const byModel = runOmcm(["stats", "--by", "model"], home.env)
    expect(byModel.status).toBe(0)
    const lines = byModel.stdout.split("\n")
    expect(lines[0]).toMatch(/^omcm stats · last day \(since .* UTC\) · by model$/)
    expect(lines.find((l) => l.startsWith("openai/gpt-5.2-codex"))).toMatch(/^openai\/gpt-5\.2-codex\s+3\s+2\s+1\s+1\.0s\s+3\.0s\s+1\.7k\s+\$0\.0096$/)

    const csv = runOmcm(["stats", "--by", "agent", "--format", "csv"], home.env).stdout.trim().split("\n")
    expect(csv[0]).toBe("agent,routed,calls,errors,p50_ms,p95_ms,tokens,cost_usd,unpriced")
    expect(csv).toContain("writer,0,1,0,100,100,200,,1")

    const sessions = JSON.parse(runOmcm(["stats", "--by", "session", "--format", "json"], home.env).stdout) as { by: string; rows: ReadonlyArray<StatsRow> }
    expect(sessions.by).toBe("session")
    expect(sessions.rows.find((r) => r.name === "s1")).toMatchObject({ routed: 4, calls: 2, errors: 1 })

    const days = JSON.parse(runOmcm(["stats", "--by", "day", "--period", "month", "--format", "json"], home.env).stdout) as { rows: ReadonlyArray<StatsRow> }
    // today's events and the three-day-old call, each under its UTC day
    expect(days.rows.map((r) => r.name)).toEqual([
      new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10),
      new Date().toISOString().slice(0, 10)
    ])

    const reportCsv = runOmcm(["stats", "--format", "csv"], home.env).stdout.trim().split("\n")
    expect(reportCsv[0]).toBe("group,name,routed,calls,errors,p50_ms,p95_ms,tokens,cost_usd,unpriced")
    expect(reportCsv.some((l) => l.startsWith("provider,openai,3,2,1,1000,3000,1700,0.0096"))).toBe(true)
    const month = JSON.parse(runOmcm(["stats", "--period", "month", "--json"], home.env).stdout) as StatsReport
    expect(month.period).toBe("month")
    expect(month.providers.find((r) => r.name === "openai")).toMatchObject({ calls: 3 })

    const watchCsv = runOmcm(["stats", "--watch", "--format", "csv"], home.env)
    expect(watchCsv.status).not.toBe(0)
    expect(watchCsv.stderr).toContain("--watch")
  })
})
