/**
 * Helpers shared by the benchmarks: where the run's temporary tree is, pool options over the simulated model,
 * sample statistics, CPU accounting from /proc, and the results file.
 */
import { Effect } from "effect"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { performance } from "node:perf_hooks"
import { Config } from "../src/services/config/Config"
import type { PoolOptions } from "../src/services/pool/ServerPool"
import type { SimulatedModelHandle } from "../src/simulated/openaiCompatible"
import { simulatedServeEnv } from "../src/simulated/simulatedOpencode"

const required = (name: string): string => {
  const value = process.env[name]
  if (value === undefined || value.length === 0) {
    throw new Error(`${name} is not set: run benchmarks through \`node bench/run.mjs <bench>\``)
  }
  return value
}

/** The run's temporary tree (made by run.mjs, removed by it afterwards) and the repository. */
export const benchRoot = required("OMCM_BENCH_ROOT")
export const repoDir = required("OMCM_BENCH_REPO")
export const opencodeBin = path.join(repoDir, "node_modules", ".bin", "opencode")
export const opencodeVersion = (() => {
  try {
    return (JSON.parse(fs.readFileSync(path.join(repoDir, "node_modules", "opencode-ai", "package.json"), "utf8")) as { version: string }).version
  } catch {
    return "unknown"
  }
})()

/** A fresh directory under the run's tree. */
export const benchDir = (...parts: ReadonlyArray<string>): string => {
  const dir = path.join(benchRoot, ...parts)
  fs.mkdirSync(dir, { recursive: true })
  return dir
}

/** The environment of an `opencode` process talking to the simulated model, state under `xdgRoot`. */
export const opencodeEnvFor = (model: SimulatedModelHandle, xdgRoot: string): Record<string, string> =>
  simulatedServeEnv({ baseUrl: model.baseUrl, xdgRoot, config: Config.make().config })

let nextBasePort = 15100 + Math.floor(Math.random() * 20) * 100

/**
 * Options of a pool with a fixed number of servers (no autoscaling), its own project dir and OpenCode state, and the
 * production health interval (30 s), so health checks do not run during a measurement.
 */
export const fixedPoolOptions = (model: SimulatedModelHandle, label: string, servers: number, overrides: Partial<PoolOptions> = {}): PoolOptions => {
  const basePort = nextBasePort
  nextBasePort += 50
  return {
    minServers: servers,
    maxServers: servers,
    basePort,
    autoScale: false,
    projectDir: benchDir("projects", label),
    healthIntervalMs: 30_000,
    requestTimeoutMs: 120_000,
    slotsPerServer: 2,
    scaleDownAfterMs: 60_000,
    maxWorkers: 16,
    startTimeoutMs: 120_000,
    opencodeBin,
    env: opencodeEnvFor(model, path.join(benchRoot, "opencode", label)),
    registryDir: benchDir("pools"),
    ...overrides
  }
}

/** Runs `effect` and gives its wall time in ms (performance.now, sub-ms). */
export const timed = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<{ ms: number; value: A }, E, R> =>
  Effect.suspend(() => {
    const start = performance.now()
    return Effect.map(effect, (value) => ({ ms: performance.now() - start, value }))
  })

export interface Stats {
  readonly n: number
  readonly median: number
  readonly p90: number
  readonly mean: number
  readonly min: number
  readonly max: number
}

const round1 = (x: number) => Math.round(x * 10) / 10

/** Nearest-rank percentile of an ascending array. */
const percentile = (sorted: ReadonlyArray<number>, p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!

export const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

export const stats = (xs: ReadonlyArray<number>): Stats => {
  const s = [...xs].sort((a, b) => a - b)
  return {
    n: s.length,
    median: round1(median(s)),
    p90: round1(percentile(s, 90)),
    mean: round1(s.reduce((a, b) => a + b, 0) / s.length),
    min: round1(s[0]!),
    max: round1(s[s.length - 1]!)
  }
}

/**
 * 95 % bootstrap interval of the median of `xs` (2000 resamples, fixed seed so a run's report is reproducible
 * from its samples).
 */
export const bootstrapMedianCi = (xs: ReadonlyArray<number>, resamples = 2000): readonly [number, number] => {
  let seed = 0x9e3779b9
  const random = () => {
    // mulberry32
    seed = (seed + 0x6d2b79f5) | 0
    let t = seed
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const medians: Array<number> = []
  for (let r = 0; r < resamples; r++) {
    medians.push(median(Array.from({ length: xs.length }, () => xs[Math.floor(random() * xs.length)]!)))
  }
  medians.sort((a, b) => a - b)
  return [round1(medians[Math.floor(resamples * 0.025)]!), round1(medians[Math.floor(resamples * 0.975)]!)]
}

export const ratio = (a: number, b: number): number => Math.round((a / b) * 100) / 100
export const pct = (a: number, b: number): number => Math.round((a / b - 1) * 1000) / 10
export const ms = (x: number): string => `${x.toFixed(x < 100 ? 1 : 0)} ms`

const clockTicks = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100
  } catch {
    return 100
  }
})()

/** CPU time (user + system) a process has used so far, in ms; 0 when it is gone. Linux only. */
export const processCpuMs = (pid: number): number => {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8")
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks
  } catch {
    return 0
  }
}

/** CPU time of this process so far, in ms. */
export const selfCpuMs = (): number => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

/** A process's environment variable (Linux /proc, our own children only). */
export const processEnvVar = (pid: number, name: string): string | undefined => {
  const entry = fs.readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").find((e) => e.startsWith(`${name}=`))
  return entry?.slice(name.length + 1)
}

/** 1, 5 and 15 minute load averages (other work on the machine shows here) */
export const loadavg = () => os.loadavg().map((x) => Math.round(x * 100) / 100)

export const machine = () => ({
  node: process.version,
  opencode: opencodeVersion,
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? "unknown",
  loadavg: loadavg(),
  totalMemGiB: Math.round(os.totalmem() / 2 ** 30)
})

/** Writes bench/results/<name>.json and returns its path. */
export const writeResult = (name: string, data: unknown): string => {
  const dir = path.join(repoDir, "bench", "results")
  fs.mkdirSync(dir, { recursive: true })
  const file = path.join(dir, `${name}.json`)
  fs.writeFileSync(file, JSON.stringify({ bench: name, at: new Date().toISOString(), machine: machine(), ...(data as object) }, null, 2) + "\n")
  return path.relative(repoDir, file)
}

export const log = (line: string) => Effect.sync(() => console.log(line))
