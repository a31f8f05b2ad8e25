/**
 * File-conflict detection of `omcm tasks check` / `tasks run` on large task files: the index by static base
 * (src/services/executor/taskGraph.ts `findConflictsSteps`) against checking every pair (`findConflictsPairwise`).
 *
 *   node bench/run.mjs taskConflicts          (BENCH_TASKS: the large file, default 10000; BENCH_PAIRWISE: the
 *                                              largest size the every-pair check runs on, default 2000)
 *
 * The task files look like a monorepo's (`monorepoTasks`): each task owns a module of a package (`packages/p17/src/
 * auth/**`, its test and index), a few touch a shared file (`package.json`, `docs/**`), 0.1 % a pattern over the whole
 * tree (`**\/*.md`). Both methods run on the same files at sizes both can do; the answers are compared; the
 * every-pair time is extrapolated (n²) to the large size. A harder file (2 % of patterns over the whole tree) is
 * timed too. Results: stdout and bench/results/taskConflicts.json.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { performance } from "node:perf_hooks"
import { findConflicts, findConflictsPairwise, planTasks } from "../src/services/executor/taskGraph"

const LARGE = Number(process.env.BENCH_TASKS ?? 10_000)
const PAIRWISE_MAX = Number(process.env.BENCH_PAIRWISE ?? 2_000)

/** a deterministic pseudo-random sequence (mulberry32) */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = seed
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const MODULES = ["auth", "api", "ui", "db", "cli", "core", "util", "config", "log", "cache", "http", "jobs"]

/**
 * A monorepo's task file: `n / 5` packages, so a package has a few tasks, mostly on different modules; 2 % of the
 * tasks touch a shared file and `rootGlobs` (default 0.1 %) a pattern over the whole tree.
 */
export const monorepoTasks = (n: number, options: { readonly seed?: number; readonly rootGlobs?: number } = {}) => {
  const next = random(options.seed ?? 1)
  const rootGlobs = options.rootGlobs ?? 0.001
  const pick = <A>(xs: ReadonlyArray<A>) => xs[Math.floor(next() * xs.length)]!
  const packages = Math.max(1, Math.floor(n / 5))
  return Array.from({ length: n }, (_, i) => {
    const p = `packages/p${Math.floor(next() * packages)}`
    const mod = pick(MODULES)
    const r = next()
    const files = r < rootGlobs
      ? [pick(["**/*.md", "**/CHANGELOG.md", "**/package.json"])]
      : r < 0.02
      ? [pick(["package.json", "docs/**", `docs/${mod}.md`, "tsconfig.json"])]
      : r < 0.4
      ? [`${p}/src/${mod}/**`]
      : r < 0.65
      ? [`${p}/test/${mod}.test.ts`, `${p}/src/${mod}/index.ts`]
      : r < 0.8
      ? [`${p}/src/${mod}/*.{ts,tsx}`]
      : r < 0.9
      ? [pick([`${p}/README.md`, `${p}/package.json`])]
      : [`${p}/{src,lib}/${mod}/*.ts`]
    return { id: `t${i}`, description: `task ${i}`, files }
  })
}

const time = <A>(f: () => A): { readonly ms: number; readonly value: A } => {
  const start = performance.now()
  const value = f()
  return { ms: performance.now() - start, value }
}

const compare = (n: number, rootGlobs?: number) => {
  const tasks = monorepoTasks(n, { rootGlobs })
  const indexed = time(() => findConflicts(tasks))
  const pairwise = time(() => findConflictsPairwise(tasks))
  if (JSON.stringify(indexed.value) !== JSON.stringify(pairwise.value)) {
    throw new Error(`the index and the every-pair check disagree on ${n} tasks`)
  }
  return {
    tasks: n,
    conflicts: indexed.value.length,
    indexedMs: +indexed.ms.toFixed(1),
    pairwiseMs: +pairwise.ms.toFixed(1),
    speedup: +(pairwise.ms / indexed.ms).toFixed(1)
  }
}

// the large file first, while no cache of compiled patterns is warm: what one `omcm tasks check` pays
const large = monorepoTasks(LARGE)
const planLarge = time(() => planTasks(large))
const indexedLarge = time(() => findConflicts(large))

const sizes = [500, 1_000, PAIRWISE_MAX].filter((n, i, all) => n <= PAIRWISE_MAX && all.indexOf(n) === i)
const compared = sizes.map((n) => compare(n))
const biggest = compared[compared.length - 1]!
const pairwiseLargeEstimateMs = biggest.pairwiseMs * (LARGE / biggest.tasks) ** 2

/** a harder file: 2 % of the tasks with a pattern over the whole tree, compared with every other task */
const stress = monorepoTasks(LARGE, { rootGlobs: 0.02 })
const stressPlan = time(() => planTasks(stress))

const result = {
  compared,
  large: {
    tasks: LARGE,
    conflicts: indexedLarge.value.length,
    /** the whole plan (ids, dependencies, order and conflicts), first: no pattern compiled yet */
    planMs: +planLarge.ms.toFixed(1),
    /** the conflicts again, the patterns compiled by then */
    indexedWarmMs: +indexedLarge.ms.toFixed(1),
    pairwiseEstimateMs: Math.round(pairwiseLargeEstimateMs),
    estimatedSpeedup: +(pairwiseLargeEstimateMs / planLarge.ms).toFixed(1),
    /** the goal: 10,000 tasks checked in under 5 s */
    underFiveSeconds: planLarge.ms < 5_000
  },
  stressRootGlobs2Percent: {
    tasks: LARGE,
    conflicts: stressPlan.value._tag === "Right" ? stressPlan.value.right.conflicts.length : null,
    planMs: +stressPlan.ms.toFixed(1)
  },
  loadavg: os.loadavg(),
  node: process.version
}
console.log(JSON.stringify(result, null, 2))
const out = path.join(process.env.OMCM_BENCH_REPO ?? process.cwd(), "bench", "results")
fs.mkdirSync(out, { recursive: true })
fs.writeFileSync(path.join(out, "taskConflicts.json"), `${JSON.stringify(result, null, 2)}\n`)
if (!result.large.underFiveSeconds) process.exitCode = 1
