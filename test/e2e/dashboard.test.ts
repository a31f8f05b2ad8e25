import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { Effect, Layer } from "effect"
import { type BrowserContext, chromium, type Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ProviderBalancer } from "../../src/services/balancer/ProviderBalancer"
import { Config } from "../../src/services/config/Config"
import { Paths } from "../../src/services/config/Paths"
import { CatalogCache } from "../../src/services/models/CatalogCache"
import { makeUsageHistory } from "../../src/services/router/usageHistory"
import { Store } from "../../src/services/store/Store"
import type { CallInput } from "../../src/services/tracker/recordInput"
import { Tracker } from "../../src/services/tracker/Tracker"
import { TrackerStore } from "../../src/services/tracker/TrackerStore"
import { OPENCODE_OFFLINE_FLAGS } from "../../src/services/pool/opencodeEnv"
import { OMCM_BIN, runOmcm, runOmcmAsync } from "../support/cli"
import { makeTempHome, type TempHome } from "../support/tempHome"

// `omcm dashboard` as a user runs it (the built CLI, a real process) and the page in Debian's Chromium, driven by
// playwright-core. Chromium comes from scripts/ensure-chromium.mjs (`npm test` runs it first).
const CHROMIUM = process.env.OMCM_CHROMIUM ?? "/usr/bin/chromium"
const ARTIFACTS = path.resolve(__dirname, "../../test-artifacts")
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync"
]

let home: TempHome
let dashboard: ChildProcess
let url = ""
let context: BrowserContext
let page: Page

/** record events into the temp home's database from this process (the dashboard is another one) */
const record = <A>(program: Effect.Effect<A, unknown, Tracker | Store | ProviderBalancer>) =>
  Effect.runPromise(Effect.provide(
    program,
    Layer.merge(Tracker.layerWithoutDependencies, ProviderBalancer.layerWithoutDependencies).pipe(
      Layer.provide(TrackerStore.layerWithoutDependencies),
      Layer.provide(CatalogCache.none),
      Layer.provideMerge(Store.layerWithoutDependencies),
      Layer.provide(Config.layerWithoutDependencies),
      Layer.provide(Paths.layerFrom(home.env))
    )
  ))

const delegated = (overrides: Partial<CallInput>): CallInput => ({
  source: "test",
  target: "opencode",
  provider: "openai",
  model: "gpt-6-sol",
  agent: "executor",
  tier: "MEDIUM",
  tokens: { input: 12_000, output: 1_500 },
  durationMs: 4_200,
  success: true,
  ...overrides
})

const seed = () =>
  record(Effect.gen(function*() {
    const tracker = yield* Tracker
    yield* tracker.recordRouting({ source: "test", agent: "executor", provider: "openai", model: "gpt-6-sol", tier: "MEDIUM", mode: "hulw" })
    yield* tracker.recordCall(delegated({}))
    yield* tracker.recordCall(delegated({ durationMs: 3_100 }))
    yield* tracker.recordCall(delegated({
      provider: "google",
      model: "gemini-3.1-pro-preview",
      requestedModel: "openai/gpt-6-sol",
      failovers: [{ id: "openai/gpt-6-sol", error: "rate limited" }]
    }))
    yield* tracker.recordCall(delegated({ success: false, error: "OpenCode stalled: no output for 120 s", tokens: { input: 900, output: 0 } }))
    // a Claude run of the same agent: the savings are estimated from it
    yield* tracker.recordCall({
      source: "claude-subagent",
      target: "claude",
      provider: "anthropic",
      model: "sonnet",
      agent: "executor",
      tier: "MEDIUM",
      tokens: { input: 20_000, output: 2_000 },
      durationMs: 9_000,
      success: true
    })
    // a model that just failed with a 503 cools down (the balancer's state is shared through the database)
    yield* (yield* ProviderBalancer).recordOutcome("openai/gpt-6-sol", { ok: false, failure: { scope: "model", reason: "HTTP 503", retryAfterMs: 600_000 } })
    // Claude usage readings of the 5-hour window, rising
    const history = makeUsageHistory(yield* Store)
    const now = Date.now()
    for (const [minutesAgo, percent] of [[90, 30], [60, 42], [30, 55]] as const) {
      yield* history.record({ updatedAt: now - minutesAgo * 60_000, fiveHour: { percent, resetsAt: now + 2 * 3_600_000 }, sevenDay: null })
    }
    // the weekly window's readings over the last days, rising 6 points a day (0.25 an hour)
    for (const [daysAgo, percent] of [[3, 13], [2, 19], [1, 25]] as const) {
      yield* history.record({ updatedAt: now - daysAgo * 86_400_000, fiveHour: null, sevenDay: { percent, resetsAt: now + 4 * 86_400_000 } })
    }
    // the session's own cost when the first reading was taken (the statusline below gives today's)
    yield* history.recordSessionCost({ sessionId: "dash", ts: now - 90 * 60_000, usd: 1 })
  }))

/** the URL `omcm dashboard` prints */
const startDashboard = () =>
  new Promise<string>((resolve, reject) => {
    dashboard = spawn(process.execPath, [OMCM_BIN, "dashboard", "--no-open", "--port", "0"], { env: home.env, stdio: ["ignore", "pipe", "pipe"] })
    let out = ""
    let err = ""
    const timer = setTimeout(() => reject(new Error(`omcm dashboard printed no URL in 30 s: ${out}${err}`)), 30_000)
    dashboard.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString()
      const found = /http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+/.exec(out)
      if (found) {
        clearTimeout(timer)
        resolve(found[0])
      }
    })
    dashboard.stderr!.on("data", (chunk: Buffer) => (err += chunk.toString()))
    dashboard.on("exit", (code) => reject(new Error(`omcm dashboard exited (${code}): ${out}${err}`)))
  })

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: run node scripts/ensure-chromium.mjs (npm test runs it first)`)
  }
  home = makeTempHome("omcm-dashboard-")
  // the pool's ports of its own, away from other pools on this machine
  home.writeConfig({ pool: { basePort: 15900 + Math.floor(Math.random() * 40) * 20, minServers: 1 } })
  await seed()
  // the statusline's reading is the current usage
  const resetsAt = Math.floor(Date.now() / 1000) + 2 * 3600
  const statusline = runOmcm(["statusline"], home.env, JSON.stringify({
    session_id: "dash",
    rate_limits: { five_hour: { used_percentage: 66, resets_at: resetsAt }, seven_day: { used_percentage: 31 } },
    cost: { total_cost_usd: 10 }
  }))
  expect(statusline.status).toBe(0)
  url = await startDashboard()
  context = await chromium.launchPersistentContext(path.join(home.root, "chromium-profile"), {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 1000 }
  })
  page = context.pages()[0] ?? await context.newPage()
}, 120_000)

afterAll(async () => {
  await context?.close()
  if (dashboard !== undefined && dashboard.exitCode === null) {
    const exited = new Promise<number | null>((resolve) => dashboard.once("exit", (code) => resolve(code)))
    dashboard.kill("SIGINT")
    const timer = setTimeout(() => dashboard.kill("SIGKILL"), 10_000)
    await exited
    clearTimeout(timer)
  }
  home?.cleanup()
})

const text = (selector: string) => page.locator(selector).innerText()

describe("omcm dashboard in a real browser", () => {
  it("loads with the seeded numbers: calls per provider, savings and their method, the latest delegations, usage", async () => {
    await page.goto(url)
    await page.locator('#providers tr[data-name="openai"]').waitFor({ timeout: 10_000 })
    // openai: 3 calls (one failed), google: 1 (after a failover), anthropic: 1 Claude run
    const cells = (name: string) => page.locator(`#providers tr[data-name="${name}"] td`).allInnerTexts()
    expect((await cells("openai")).slice(0, 4)).toEqual(["openai", "1", "3", "1"])
    expect((await cells("google")).slice(0, 4)).toEqual(["google", "0", "1", "0"])
    expect((await cells("anthropic")).slice(0, 4)).toEqual(["anthropic", "0", "1", "0"])
    expect(await text("#card-calls")).toBe("5")

    expect(await text("#savings-method")).toBe("Claude side from 1 Claude run")
    expect(await page.locator("#savings-method").getAttribute("title")).toBe("estimated from 1 recorded Claude run of the same agent")
    expect(await text("#savings-line")).toMatch(/^Saved .* Claude tokens in the last day, estimated from 1 recorded Claude run of the same agent/)

    const rows = page.locator("#delegations tr")
    expect(await rows.count()).toBe(4)
    const newest = await rows.nth(0).locator("td").allInnerTexts()
    expect(newest.slice(1, 5)).toEqual(["executor", "MEDIUM", "openai/gpt-6-sol", "openai/gpt-6-sol"])
    expect(newest[7]).toBe("failed: OpenCode stalled: no output for 120 s")
    const failedOver = await rows.nth(1).locator("td").allInnerTexts()
    expect(failedOver.slice(3, 5)).toEqual(["openai/gpt-6-sol", "google/gemini-3.1-pro-preview"])
    expect(failedOver[6]).toBe("1.5k tok")
    expect(failedOver[7]).toBe("ok, after openai/gpt-6-sol: rate limited")

    expect(await text("#card-usage")).toBe("66%")
    expect(await text("#usage-note")).toMatch(/90% at \d\d:\d\d, before the window resets/)
    // 36 points of the window for $9 of Claude work: 4 points per dollar, applied to what the delegations would have cost
    expect(await text("#card-usage-spared")).toMatch(/^omcm spared (≈\d+%|<1%) of 5h$/)
    expect(await text("#usage-note")).toContain("at 4.0 points per $ of Claude work measured this window ($9.00, 36 points)")
    expect(await text("#card-pool")).toBe("not running")
    const medium = await page.locator("#balancer-candidates tr", { hasText: "MEDIUM" }).innerText()
    expect(medium).toMatch(/openai\/gpt-6-sol \(cooling \d+m\)/)
    expect(await text("#balancer-cooldowns")).toMatch(/^Cooling down: openai\/gpt-6-sol until \d\d:\d\d:\d\d \(HTTP 503\)/)
    // the weekly window: 13 -> 31 % over three days, crossing 90 % after its reset
    expect(await text("#usage-week-note")).toMatch(/^Rising 0\.2\d points an hour: 90% at \d+\/\d+ \d\d:\d\d, after the window resets\.$/)
    for (const chart of ["providers", "agents", "tokens", "cost", "usage", "usage-week"]) {
      expect(await page.locator(`#chart-${chart} canvas`).count()).toBe(1)
    }
    await expect.poll(() => text("#connection")).toBe("live")
  })

  it("shows a delegation another process records within 2 s, without a reload", async () => {
    await page.evaluate(() => Object.assign(globalThis, { omcmSamePage: true }))
    const stored = await record(Effect.flatMap(Tracker, (t) =>
      t.recordCall(delegated({ agent: "writer", tier: "LOW", provider: "google", model: "gemini-3.8-flash", tokens: { input: 4_000, output: 777 } }))))
    const row = page.locator(`#delegations tr[data-id="${stored.id}"]`)
    await row.waitFor({ timeout: 2_000 })
    expect((await row.locator("td").allInnerTexts()).slice(1, 7)).toEqual(["writer", "LOW", "google/gemini-3.8-flash", "google/gemini-3.8-flash", "4.2 s", "777 tok"])
    expect(await page.evaluate(() => (globalThis as { omcmSamePage?: boolean }).omcmSamePage)).toBe(true)
    expect(await text("#card-calls")).toBe("6")

    fs.mkdirSync(ARTIFACTS, { recursive: true })
    await page.screenshot({ path: path.join(ARTIFACTS, "dashboard.png"), fullPage: true })
  })

  it("switches the charts to the last day, and back", async () => {
    await page.selectOption("#range", "day")
    await page.locator("body[data-range=day]").waitFor({ timeout: 5_000 })
    expect(await page.locator("#chart-providers canvas").count()).toBe(1)
    expect(await page.locator("#delegations tr").count()).toBe(5)
    await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-day.png"), fullPage: true })
    await page.selectOption("#range", "hour")
    await page.locator("body[data-range=hour]").waitFor({ timeout: 5_000 })
  })

  it("answers a wrong or missing token with 401 on every route", async () => {
    const base = new URL(url)
    const token = base.searchParams.get("token")!
    for (const route of ["/", "/api/snapshot", "/api/stream", "/assets/dashboard.js"]) {
      expect((await fetch(`${base.origin}${route}?token=wrong`)).status).toBe(401)
      expect((await fetch(`${base.origin}${route}`)).status).toBe(401)
      expect((await fetch(`${base.origin}${route}?token=${token.slice(0, -1)}`)).status).toBe(401)
    }
    const ok = await fetch(`${base.origin}/api/snapshot?token=${token}`)
    expect(ok.status).toBe(200)
    expect(((await ok.json()) as { providers: Array<unknown> }).providers.length).toBe(3)
  })

  it("shows the pool daemon's servers once it runs", async () => {
    const env = { ...home.env, ...OPENCODE_OFFLINE_FLAGS }
    const project = path.join(home.root, "project")
    fs.mkdirSync(project, { recursive: true })
    const start = await runOmcmAsync(["pool", "start", "--detach", "--min", "1", "--max", "1"], env, { cwd: project })
    try {
      expect(start.status, start.stderr).toBe(0)
      const port = /port\(s\) (\d+)/.exec(start.stdout)?.[1]
      const server = page.locator("#pool-servers tr", { hasText: `127.0.0.1:${port}` })
      // the pool is read at least every 5 s
      await server.waitFor({ timeout: 15_000 })
      expect(await text("#card-pool")).toBe("running")
      expect((await server.locator("td").allInnerTexts())[1]).toMatch(/^(idle|busy)$/)
      expect(await text("#pool-summary")).toMatch(/^daemon pid \d+, API 127\.0\.0\.1:\d+/)
      await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-pool.png"), fullPage: true })
    } finally {
      await runOmcmAsync(["pool", "stop"], env)
    }
    await expect.poll(() => text("#card-pool"), { timeout: 15_000 }).toBe("not running")
  }, 120_000)

  it("stops cleanly on Ctrl-C", async () => {
    const exited = new Promise<number | null>((resolve) => dashboard.once("exit", (code) => resolve(code)))
    // an open event stream must not keep the server from closing
    await page.goto("about:blank")
    const stream = await fetch(`${url.replace("/?", "/api/stream?")}`)
    expect(stream.headers.get("content-type")).toContain("text/event-stream")
    dashboard.kill("SIGINT")
    expect(await exited).toBe(130)
  })
})
