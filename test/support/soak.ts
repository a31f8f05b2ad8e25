/**
 * The soak of issue #13: a real pool daemon (`omcm pool start --detach`) under mixed load for a while, delegations and
 * routing decisions at the same time, one random `opencode serve` SIGKILLed at even intervals. Then it checks what a
 * long-lived daemon must not do: lose a record, leave a process behind, grow its memory. Used by `bench/soak.ts`
 * (10 minutes) and `test/integration/soak.test.ts` (the short variant).
 *
 * How the load gets in:
 * - Delegations and routing decisions are PreToolUse `Agent` calls, the path of a Claude Code session: the hook relay
 *   hands each to the daemon, which routes it (a routing row in the events table) and, for an OpenCode target, runs
 *   it through `HookDelegation` -> `Delegator` -> `DaemonClient` -> the daemon's `POST /execute` -> the pool (a call
 *   row, success or failure). Delegations are `writer` calls (routing.preferOpencode), routing decisions `architect`,
 *   `critic` and `executor-high` calls (routing.preferClaude: decided and recorded, not delegated).
 * - Most calls are relayed from this process with the relay's own exchange (`relayCall` of src/relay/hookRelay.ts, the
 *   code a hook process runs after reading its stdin): thousands of Node processes would measure Node's start on a
 *   2-core machine, not the daemon. Every `hookProcessEvery`-th routing decision is a real `omcm hook pre-tool-use`
 *   process, so the whole path is in the mix too. A call the daemon does not take in time is answered as a hook
 *   process would: by the in-process hook (`OMCM_NO_RELAY=1`), counted as a fallback.
 * - The kills: at even intervals, a random server of those with a call in flight (looked for during up to 3 s, from the
 *   daemon's `GET /status`), else a random one of those up.
 */
import Database from "better-sqlite3"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { findDaemon, relayCall } from "../../src/relay/hookRelay"
import { startSimulatedModel } from "../../src/simulated/openaiCompatible"
import { runOmcmAsync, type CliResult } from "./cli"
import { isAlive, opencodePidsUnder, simulatedPoolConfig } from "./poolFixture"
import { makeTempHome, type TempHome } from "./tempHome"
import { waitFor } from "./waitFor"

export interface SoakPlan {
  readonly durationMs: number
  readonly delegations: number
  readonly routings: number
  /** servers SIGKILLed, one at a time, spread evenly over the duration */
  readonly kills: number
  /** the pool's size (fixed: no autoscaling) */
  readonly servers: number
  /** every n-th routing decision runs as a real `omcm hook pre-tool-use` process (0: none) */
  readonly hookProcessEvery: number
  /** the first part of the run the daemon's memory may grow in (0.2: the first 20 %) */
  readonly warmupFraction: number
  readonly rssSampleMs: number
  /** the simulated model: delay before its first byte, and between two streamed words */
  readonly model: { readonly latencyMs: number; readonly chunkDelayMs: number }
}

export interface SoakSetup {
  /** the CLI to run (dist/omcm.js of the repository) */
  readonly omcmBin: string
  /** added to every process's environment (a benchmark's run marker) */
  readonly extraEnv?: Record<string, string>
  readonly log: (line: string) => void
}

export interface Percentiles {
  readonly n: number
  readonly p50: number
  readonly p90: number
  readonly p99: number
  readonly max: number
}

export interface Kill {
  readonly atMs: number
  readonly pid: number
  readonly port: number
  /** the server had a call in flight when it was killed */
  readonly busy: boolean
}

export interface SoakReport {
  readonly plan: SoakPlan
  readonly elapsedMs: number
  readonly daemonPid: number
  readonly delegations: {
    readonly sent: number
    /** the hook's answer carried the sub-agent's reply */
    readonly answered: number
    /** no answer (the call ran on Claude): its failure must be recorded */
    readonly failed: number
    readonly fallbacks: number
    /** answers that were neither: a relay failure, an answer without the reply */
    readonly problems: ReadonlyArray<string>
    readonly latencyMs: Percentiles
  }
  readonly routings: {
    readonly sent: number
    /** answered as a Claude-target decision (no output) */
    readonly answered: number
    /** anything else: an output, a relay failure, a hook process that failed */
    readonly unexpected: ReadonlyArray<string>
    readonly viaProcess: number
    readonly fallbacks: number
    readonly latencyMs: Percentiles
  }
  readonly records: {
    readonly routing: { readonly expected: number; readonly found: number }
    readonly callsSucceeded: { readonly expected: number; readonly found: number }
    readonly callsFailed: { readonly expected: number; readonly found: number }
    /** expected and not found, summed over the three */
    readonly lost: number
    /** found and not expected */
    readonly extra: number
  }
  readonly kills: ReadonlyArray<Kill>
  /** server restarts the pool reported before it was stopped */
  readonly restarts: number
  /** `opencode serve` processes of the soak's home still alive after `pool stop` */
  readonly orphans: ReadonlyArray<number>
  readonly daemonStopped: boolean
  /** files left in the relay directory */
  readonly relayLeftovers: ReadonlyArray<string>
  /** lines of ~/.omcm/logs/hooks.log (each a call that failed open) */
  readonly hookFailures: ReadonlyArray<string>
  readonly rss: {
    readonly samples: ReadonlyArray<{ readonly t: number; readonly kB: number }>
    readonly warmupEndMs: number
    /**
     * The median of the samples in the fifth of the run after the warm-up (2 minutes, 60 samples, in the 10-minute
     * run). A median of many samples, not one sample: the RSS climbs ~0.5 MB/s until V8's first major collection
     * (~100 s in) takes it down by a third, then climbs back to a level it keeps; a single sample (or the lowest of a
     * window) can land anywhere on that ramp.
     */
    readonly baselineKb: number
    /** the median of the samples in the last fifth of the run */
    readonly endKb: number
    readonly maxKb: number
    /** end vs baseline */
    readonly growthPct: number
    /** the lowest sample of each of the two windows, end vs baseline (reported, not judged) */
    readonly floorGrowthPct: number
    /** the samples right after a major collection (a fall of more than 5 % from the one before): the floor over time */
    readonly afterCollections: ReadonlyArray<{ readonly t: number; readonly kB: number }>
  }
}

/** The issue's soak, scaled: per minute 20 delegations, 200 routing decisions and one kill. */
export const soakPlanFor = (minutes: number, overrides: Partial<SoakPlan> = {}): SoakPlan => ({
  durationMs: Math.round(minutes * 60_000),
  delegations: Math.round(minutes * 20),
  routings: Math.round(minutes * 200),
  kills: Math.max(1, Math.round(minutes)),
  servers: 2,
  hookProcessEvery: 10,
  warmupFraction: 0.2,
  rssSampleMs: 2_000,
  model: { latencyMs: 100, chunkDelayMs: 30 },
  ...overrides
})

/** Nearest-rank percentiles. */
export const percentiles = (xs: ReadonlyArray<number>): Percentiles => {
  const s = [...xs].sort((a, b) => a - b)
  const at = (p: number) => (s.length === 0 ? 0 : Math.round(s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!))
  return { n: s.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1) }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)))

/** the daemon's resident memory in kB (VmRSS of /proc/<pid>/status); undefined once it is gone */
const rssKb = (pid: number): number | undefined => {
  try {
    const line = /^VmRSS:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))
    return line === null ? undefined : Number(line[1])
  } catch {
    return undefined
  }
}

const ROUTED_AGENTS = ["oh-my-claudecode:architect", "critic", "executor-high"] as const
const ROUTING_SESSIONS = 4
const DELEGATION_SESSIONS = 2

/** the hook's output, as the relay answer `{ output }` or a hook process's stdout carries it */
type HookAnswer = { readonly output: unknown } | { readonly error: string }

/** Runs the soak and reports; it never throws for what it measures (the caller judges the report). */
export const runSoak = async (plan: SoakPlan, setup: SoakSetup): Promise<SoakReport> => {
  const { log, omcmBin } = setup
  const home = makeTempHome("omcm-soak-")
  const model = await startSimulatedModel({ ...plan.model, logLimit: 20 })
  const env: NodeJS.ProcessEnv = { ...home.env, ...setup.extraEnv }
  const cwd = path.join(home.root, "project")
  fs.mkdirSync(cwd, { recursive: true })
  const cli = (args: ReadonlyArray<string>, options: { readonly input?: string; readonly env?: NodeJS.ProcessEnv } = {}) =>
    runOmcmAsync(args, options.env ?? env, { cwd, bin: omcmBin, timeoutMs: 300_000, ...(options.input === undefined ? {} : { input: options.input }) })
  try {
    home.writeConfig(simulatedPoolConfig(home, model, {
      minServers: plan.servers,
      maxServers: plan.servers,
      autoScale: false,
      // far apart: a loaded machine failing a health check would restart a server on its own
      healthIntervalSeconds: 30
    }))
    const started = await cli(["pool", "start", "--detach", "--min", String(plan.servers), "--max", String(plan.servers)])
    if (started.status !== 0) throw new Error(`omcm pool start failed: ${started.stderr || started.stdout}`)
    const daemonPid = findDaemon(env)
    if (daemonPid === undefined) throw new Error("omcm pool start returned, but no daemon is up")
    log(`daemon pid ${daemonPid}, ${plan.servers} servers; ${plan.delegations} delegations, ${plan.routings} routing decisions, ${plan.kills} kills over ${Math.round(plan.durationMs / 1000)} s`)
    return await soak(plan, { home, env, cwd, cli, daemonPid, omcmBin, log })
  } finally {
    await model.close()
    // whatever the run left (counted in the report already): nothing outlives it
    for (const pid of opencodePidsUnder(home.root)) process.kill(pid, "SIGKILL")
    home.cleanup()
  }
}

interface Running {
  readonly home: TempHome
  readonly env: NodeJS.ProcessEnv
  readonly cwd: string
  readonly cli: (args: ReadonlyArray<string>, options?: { readonly input?: string; readonly env?: NodeJS.ProcessEnv }) => Promise<CliResult>
  readonly daemonPid: number
  readonly omcmBin: string
  readonly log: (line: string) => void
}

const soak = async (plan: SoakPlan, run: Running): Promise<SoakReport> => {
  const { cli, cwd, daemonPid, env, home, log } = run
  const agentCall = (session: string, subagentType: string, prompt: string, toolUseId: string) =>
    JSON.stringify({
      session_id: session,
      cwd,
      hook_event_name: "PreToolUse",
      tool_name: "Agent",
      tool_use_id: toolUseId,
      tool_input: { description: "soak", prompt, subagent_type: subagentType }
    })

  /** the in-process hook, as a hook process does when the daemon does not take its call */
  const inProcessHook = async (text: string): Promise<HookAnswer> => {
    const r = await cli(["hook", "pre-tool-use"], { input: text, env: { ...env, OMCM_NO_RELAY: "1" } })
    return hookProcessAnswer(r)
  }
  const hookProcessAnswer = (r: CliResult): HookAnswer => {
    if (r.status !== 0) return { error: `exit ${r.status}: ${r.stderr.trim()}` }
    try {
      return { output: r.stdout.trim() === "" ? null : JSON.parse(r.stdout) }
    } catch {
      return { error: `stdout is not JSON: ${r.stdout.slice(0, 200)}` }
    }
  }
  const fallbacks = { routing: 0, delegation: 0 }
  /** one PreToolUse through the relay's exchange; a withdrawn call is answered in-process, as by a hook process */
  const relayed = (text: string, kind: "routing" | "delegation") =>
    new Promise<HookAnswer>((resolve) =>
      relayCall({ env, daemon: daemonPid, kind: "hook", event: "pre-tool-use", text }, {
        answered: (raw) => {
          try {
            const reply = JSON.parse(raw) as { output?: unknown }
            resolve("output" in reply ? { output: reply.output } : { error: `an answer without output: ${raw.slice(0, 200)}` })
          } catch {
            resolve({ error: `the answer is not JSON: ${raw.slice(0, 200)}` })
          }
        },
        withdrawn: () => {
          fallbacks[kind]++
          void inProcessHook(text).then(resolve)
        },
        failed: (why) => resolve({ error: why })
      }))

  const t0 = Date.now()
  const at = (ms: number) => sleep(t0 + ms - Date.now())
  const spread = (i: number, n: number) => ((i + 0.5) * plan.durationMs) / n

  const delegationMs: Array<number> = []
  let answered = 0
  let failed = 0
  const delegationProblems: Array<string> = []
  const delegations = Array.from({ length: plan.delegations }, async (_, i) => {
    await at(spread(i, plan.delegations))
    const token = `soak-token-${i}-${Math.random().toString(36).slice(2, 8)}`
    const start = Date.now()
    const answer = await relayed(agentCall(`soak-delegate-${i % DELEGATION_SESSIONS}`, "writer", `write the notes for ${token}`, `toolu_soak_d${i}`), "delegation")
    delegationMs.push(Date.now() - start)
    if ("error" in answer) return void delegationProblems.push(`delegation ${i}: ${answer.error}`)
    if (answer.output === null) return void failed++
    if (JSON.stringify(answer.output).includes(token)) return void answered++
    delegationProblems.push(`delegation ${i}: an answer without its reply: ${JSON.stringify(answer.output).slice(0, 300)}`)
  })

  const routingMs: Array<number> = []
  let decided = 0
  let viaProcess = 0
  const unexpected: Array<string> = []
  const routings = Array.from({ length: plan.routings }, async (_, i) => {
    await at(spread(i, plan.routings))
    const text = agentCall(`soak-route-${i % ROUTING_SESSIONS}`, ROUTED_AGENTS[i % ROUTED_AGENTS.length]!, `review step ${i}`, `toolu_soak_r${i}`)
    const start = Date.now()
    const asProcess = plan.hookProcessEvery > 0 && i % plan.hookProcessEvery === plan.hookProcessEvery - 1
    if (asProcess) viaProcess++
    const answer = asProcess ? hookProcessAnswer(await cli(["hook", "pre-tool-use"], { input: text })) : await relayed(text, "routing")
    routingMs.push(Date.now() - start)
    if ("error" in answer) return void unexpected.push(`routing ${i}: ${answer.error}`)
    if (answer.output !== null) return void unexpected.push(`routing ${i}: an output for a Claude-target call: ${JSON.stringify(answer.output).slice(0, 300)}`)
    decided++
  })

  const kills: Array<Kill> = []
  const killing = (async () => {
    for (let k = 0; k < plan.kills; k++) {
      await at(spread(k, plan.kills))
      const victim = await pickVictim(home.paths.daemonFile)
      if (victim === undefined) {
        log(`kill ${k + 1}: no server up to kill`)
        continue
      }
      process.kill(victim.pid, "SIGKILL")
      kills.push({ atMs: Date.now() - t0, ...victim })
      log(`kill ${k + 1}/${plan.kills} at ${Math.round((Date.now() - t0) / 1000)} s: opencode serve pid ${victim.pid} (port ${victim.port}${victim.busy ? ", busy" : ""})`)
    }
  })()

  const samples: Array<{ t: number; kB: number }> = []
  const sample = () => {
    const kB = rssKb(daemonPid)
    if (kB !== undefined) samples.push({ t: Date.now() - t0, kB })
  }
  sample()
  const sampler = setInterval(sample, plan.rssSampleMs)
  const progress = setInterval(() => {
    const last = samples[samples.length - 1]
    log(`${Math.round((Date.now() - t0) / 1000)} s: ${delegationMs.length}/${plan.delegations} delegations, ${routingMs.length}/${plan.routings} routing decisions, ${kills.length} kills, daemon RSS ${last === undefined ? "?" : Math.round(last.kB / 1024)} MB`)
  }, Math.max(10_000, plan.durationMs / 10))

  await Promise.all([...delegations, ...routings, killing])
  clearInterval(progress)
  sample()
  clearInterval(sampler)
  const elapsedMs = Date.now() - t0
  log(`load done in ${Math.round(elapsedMs / 1000)} s`)

  const finalStatus = await cli(["pool", "status", "--json"])
  const restarts = ((JSON.parse(finalStatus.stdout || "{}").servers ?? []) as ReadonlyArray<{ restarts: number }>)
    .reduce((n, s) => n + s.restarts, 0)

  // the servers of this home, whatever their pids are now, must be gone after `pool stop`
  const stop = await cli(["pool", "stop"])
  if (stop.status !== 0) log(`omcm pool stop: exit ${stop.status}: ${stop.stderr.trim()}`)
  const daemonStopped = await waitFor(() => !isAlive(daemonPid), { timeoutMs: 15_000, intervalMs: 200 })
  await waitFor(() => opencodePidsUnder(home.root).length === 0, { timeoutMs: 10_000, intervalMs: 200 })
  const orphans = opencodePidsUnder(home.root)

  const rows = readRecords(home.paths.dbFile)
  const expected = {
    routing: plan.routings + plan.delegations,
    callsSucceeded: answered,
    callsFailed: failed
  }
  const records = {
    routing: { expected: expected.routing, found: rows.routing },
    callsSucceeded: { expected: expected.callsSucceeded, found: rows.callsSucceeded },
    callsFailed: { expected: expected.callsFailed, found: rows.callsFailed },
    lost: Math.max(0, expected.routing - rows.routing) + Math.max(0, expected.callsSucceeded - rows.callsSucceeded) +
      Math.max(0, expected.callsFailed - rows.callsFailed),
    extra: Math.max(0, rows.routing - expected.routing) + Math.max(0, rows.callsSucceeded - expected.callsSucceeded) +
      Math.max(0, rows.callsFailed - expected.callsFailed)
  }

  const warmupEndMs = plan.durationMs * plan.warmupFraction
  const rss = rssGrowth(samples, warmupEndMs, plan.durationMs / 5, elapsedMs)
  const hooksLog = path.join(home.paths.logDir, "hooks.log")
  return {
    plan,
    elapsedMs,
    daemonPid,
    delegations: {
      sent: plan.delegations,
      answered,
      failed,
      fallbacks: fallbacks.delegation,
      problems: delegationProblems,
      latencyMs: percentiles(delegationMs)
    },
    routings: {
      sent: plan.routings,
      answered: decided,
      unexpected,
      viaProcess,
      fallbacks: fallbacks.routing,
      latencyMs: percentiles(routingMs)
    },
    records,
    kills,
    restarts,
    orphans,
    daemonStopped,
    relayLeftovers: fs.existsSync(home.paths.relayDir) ? fs.readdirSync(home.paths.relayDir) : [],
    hookFailures: fs.existsSync(hooksLog) ? fs.readFileSync(hooksLog, "utf8").split("\n").filter((l) => l.length > 0) : [],
    rss: {
      samples,
      warmupEndMs,
      ...rss,
      maxKb: Math.max(0, ...samples.map((s) => s.kB)),
      afterCollections: samples.filter((s, i) => i > 0 && s.kB < samples[i - 1]!.kB * 0.95)
    }
  }
}

interface ServerStatus {
  readonly pid: number | null
  readonly port: number
  readonly busyCount: number
}

/** the pool's servers, from the daemon's API (`GET /status`, its token from daemon.json) */
const serversOf = async (daemonFile: string): Promise<ReadonlyArray<ServerStatus>> => {
  try {
    const { apiPort, token } = JSON.parse(fs.readFileSync(daemonFile, "utf8")) as { apiPort: number; token: string }
    const response = await fetch(`http://127.0.0.1:${apiPort}/status`, { headers: { authorization: `Bearer ${token}` } })
    return ((await response.json()) as { servers?: ReadonlyArray<ServerStatus> }).servers ?? []
  } catch {
    return []
  }
}

/**
 * The server to SIGKILL: a random one among those with a call in flight, looked for during up to 3 s (a kill between
 * two calls tests little), else a random one of those up.
 */
const pickVictim = async (daemonFile: string): Promise<Omit<Kill, "atMs"> | undefined> => {
  const deadline = Date.now() + 3_000
  let up: ReadonlyArray<ServerStatus & { readonly pid: number }> = []
  for (;;) {
    up = (await serversOf(daemonFile)).filter((s): s is ServerStatus & { readonly pid: number } => s.pid !== null && isAlive(s.pid))
    const busy = up.filter((s) => s.busyCount > 0)
    if (busy.length > 0) {
      const s = busy[Math.floor(Math.random() * busy.length)]!
      return { pid: s.pid, port: s.port, busy: true }
    }
    if (Date.now() >= deadline) break
    await sleep(100)
  }
  const s = up[Math.floor(Math.random() * up.length)]
  return s === undefined ? undefined : { pid: s.pid, port: s.port, busy: false }
}

const growth = (from: number, to: number) => (from === 0 || to === 0 ? 0 : Math.round((to / from - 1) * 1000) / 10)

/**
 * The daemon's RSS growth from the window after the warm-up to the window at the end (each `window` ms long): by the
 * medians of their samples (judged), and by their lowest samples (reported).
 */
export const rssGrowth = (samples: ReadonlyArray<{ readonly t: number; readonly kB: number }>, warmupEndMs: number, window: number, endMs: number) => {
  const within = (from: number, to: number) => samples.filter((s) => s.t >= from && s.t <= to).map((s) => s.kB).sort((a, b) => a - b)
  const after = within(warmupEndMs, warmupEndMs + window)
  const end = within(endMs - window, endMs)
  const mid = (xs: ReadonlyArray<number>) => xs[Math.floor(xs.length / 2)] ?? 0
  return {
    baselineKb: mid(after),
    endKb: mid(end),
    growthPct: growth(mid(after), mid(end)),
    floorGrowthPct: growth(after[0] ?? 0, end[0] ?? 0)
  }
}

/** the soak's rows of the events table: routing decisions, and delegated calls by outcome */
const readRecords = (dbFile: string) => {
  const db = new Database(dbFile, { readonly: true })
  try {
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n
    return {
      routing: count(`SELECT COUNT(*) AS n FROM events WHERE kind = 'routing' AND session_id LIKE 'soak-%'`),
      callsSucceeded: count(`SELECT COUNT(*) AS n FROM events WHERE kind = 'call' AND session_id LIKE 'soak-delegate-%' AND success = 1`),
      callsFailed: count(`SELECT COUNT(*) AS n FROM events WHERE kind = 'call' AND session_id LIKE 'soak-delegate-%' AND success = 0`)
    }
  } finally {
    db.close()
  }
}

/** What the soak must show: empty when it passed. The RSS criterion only when `rssLimitPct` is given. */
export const soakFailures = (report: SoakReport, rssLimitPct?: number): ReadonlyArray<string> => [
  ...(report.records.lost > 0 ? [`${report.records.lost} record(s) lost`] : []),
  ...(report.records.extra > 0 ? [`${report.records.extra} record(s) more than calls made`] : []),
  ...(report.orphans.length > 0 ? [`${report.orphans.length} opencode serve process(es) left after pool stop: ${report.orphans.join(", ")}`] : []),
  ...(report.daemonStopped ? [] : ["the daemon did not stop"]),
  ...(report.routings.unexpected.length > 0 ? [`${report.routings.unexpected.length} routing decision(s) not answered as expected`] : []),
  ...(report.delegations.problems.length > 0 ? [`${report.delegations.problems.length} delegation(s) not answered as expected`] : []),
  ...(report.delegations.answered + report.delegations.failed !== report.delegations.sent
    ? [`${report.delegations.sent - report.delegations.answered - report.delegations.failed} delegation(s) neither answered nor failed open`]
    : []),
  ...(report.relayLeftovers.length > 0 ? [`${report.relayLeftovers.length} file(s) left in the relay directory`] : []),
  ...(rssLimitPct !== undefined && report.rss.growthPct >= rssLimitPct
    ? [`daemon RSS grew ${report.rss.growthPct} % after the warm-up (limit ${rssLimitPct} %)`]
    : [])
]

/** the report as a table of lines */
export const soakTable = (r: SoakReport): ReadonlyArray<string> => {
  const mb = (kB: number) => `${(kB / 1024).toFixed(1)} MB`
  const lat = (p: Percentiles) => `p50 ${p.p50} / p90 ${p.p90} / p99 ${p.p99} / max ${p.max} ms`
  return [
    `| | |`,
    `|---|---|`,
    `| run | ${Math.round(r.elapsedMs / 1000)} s, ${r.plan.servers} servers, load ${os.loadavg().map((x) => x.toFixed(1)).join(" ")} |`,
    `| delegations | ${r.delegations.sent} sent: ${r.delegations.answered} answered, ${r.delegations.failed} failed open, ${r.delegations.problems.length} other, ${r.delegations.fallbacks} in-process fallbacks |`,
    `| delegation latency | ${lat(r.delegations.latencyMs)} |`,
    `| routing decisions | ${r.routings.sent} sent (${r.routings.viaProcess} as hook processes): ${r.routings.answered} answered, ${r.routings.fallbacks} fallbacks, ${r.routings.unexpected.length} unexpected |`,
    `| routing latency | ${lat(r.routings.latencyMs)} |`,
    `| records (events table) | routing ${r.records.routing.found}/${r.records.routing.expected}, calls ok ${r.records.callsSucceeded.found}/${r.records.callsSucceeded.expected}, calls failed ${r.records.callsFailed.found}/${r.records.callsFailed.expected}: **${r.records.lost} lost**, ${r.records.extra} extra |`,
    `| kills | ${r.kills.length} (${r.kills.filter((k) => k.busy).length} of a busy server), ${r.restarts} restarts |`,
    `| after pool stop | **${r.orphans.length} orphaned opencode serve**, daemon ${r.daemonStopped ? "stopped" : "STILL RUNNING"}, ${r.relayLeftovers.length} relay files left |`,
    `| daemon RSS (median of a fifth of the run) | ${mb(r.rss.baselineKb)} after the warm-up (${Math.round(r.rss.warmupEndMs / 1000)} s) → ${mb(r.rss.endKb)} at the end: **${r.rss.growthPct >= 0 ? "+" : ""}${r.rss.growthPct} %** (lowest samples: ${r.rss.floorGrowthPct >= 0 ? "+" : ""}${r.rss.floorGrowthPct} %; max ${mb(r.rss.maxKb)}, ${r.rss.samples.length} samples) |`,
    `| RSS after major collections | ${r.rss.afterCollections.map((s) => `${Math.round(s.t / 1000)} s: ${mb(s.kB)}`).join(", ") || "none seen"} |`,
    `| hook failures logged | ${r.hookFailures.length} |`
  ]
}
