/**
 * Redaction benchmark:  node bench/run.mjs redact
 *
 * What a delegated call pays to have its prompt redacted (src/lib/redact.ts), on a 50 KB prompt made of this
 * repository's own sources (the kind of text a sub-agent prompt carries; src/lib/redact.ts left out), measured against
 * a baseline in the same
 * run: one pass of one simple global regex over the same text (`/sk-[A-Za-z0-9]{20,}/g`), i.e. the floor of any
 * pattern-based scan. Variants, interleaved round by round (10 warm-up rounds, then BENCH_ROUNDS, default 60):
 *   - `redact`: the built-in patterns on the 50 KB prompt;
 *   - `redact, 20 secrets`: the same prompt with 20 fake keys of different kinds in it;
 *   - `redact + 30 literals`: with 30 literal secrets (what a project's .env files give);
 *   - `secretlint` (only when BENCH_SECRETLINT names a directory with @secretlint/core and
 *     @secretlint/secretlint-rule-preset-recommend installed): its recommended preset's `lintSource` on the prompt.
 * Also the first call in the process (compiling the patterns, then one redaction), once. Each call's wall time and CPU
 * time (process.cpuUsage, microseconds) are recorded: on a busy machine the CPU time says more (the wall time counts
 * the time other processes held the cores).
 * Results go to stdout and bench/results/redact.json.
 */
import * as Either from "effect/Either"
import * as fs from "node:fs"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { performance } from "node:perf_hooks"
import { makeRedactor, type LiteralSecret } from "../src/lib/redact"
import { loadavg, median, ms, ratio, repoDir, writeResult } from "./support"

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 60)

// sub-millisecond times: the shared stats round to 0.1 ms, too coarse here
const round3 = (x: number) => Math.round(x * 1000) / 1000
const stats = (xs: ReadonlyArray<number>) => {
  const s = [...xs].sort((a, b) => a - b)
  return {
    n: s.length,
    median: round3(median(s)),
    mean: round3(s.reduce((a, b) => a + b, 0) / s.length),
    p10: round3(s[Math.floor(s.length * 0.1)]!),
    p90: round3(s[Math.ceil(s.length * 0.9) - 1]!)
  }
}
const WARMUP = 10

const walk = (dir: string): Array<string> =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []
  ).sort()
// (not src/lib/redact.ts: its catalogue of key prefixes would make every pattern run, which is the case measured
// with the 20 secrets)
const prompt = walk(path.join(repoDir, "src"))
  .filter((f) => !f.endsWith(path.join("lib", "redact.ts")))
  .map((f) => fs.readFileSync(f, "utf8"))
  .join("\n")
  .slice(0, 50_000)

// fake keys (format only), assembled here so no scanner takes this file for a leak
const filler = (n: number, seed: number, alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") => {
  let out = ""
  let x = seed * 2654435761
  while (out.length < n) {
    x = (Math.imul(x ^ (x >>> 15), 2246822519) + 0x9e3779b9) >>> 0
    out += alphabet[(x >>> 8) % alphabet.length]
  }
  return out
}
const fakes = [
  `sk-proj-${filler(74, 1)}T3BlbkFJ${filler(74, 2)}`, `sk-ant-api03-${filler(93, 3)}AA`, `sk-ant-oat01-${filler(93, 4)}AA`,
  `AIza${filler(35, 5)}`, `AKIA${filler(16, 6, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")}`, `aws_secret_access_key=${filler(40, 7)}`,
  `ghp_${filler(36, 8)}`, `github_pat_${filler(82, 9)}`, `glpat-${filler(20, 10)}`, `xoxb-1234567890-1234567890123-${filler(24, 11)}`,
  `sk_live_${filler(24, 12)}`, `npm_${filler(36, 13)}`, `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJmYWtlIn0.${filler(43, 14)}`,
  `postgres://app:${filler(16, 15)}@db/app`, `hf_${filler(34, 16)}`, `password: "P4ss-${filler(12, 17)}"`,
  `AccountKey=${filler(86, 18)}==`, `-----BEGIN PRIVATE KEY-----\nMII${filler(600, 19).replace(/(.{64})/g, "$1\n")}\n-----END PRIVATE KEY-----`,
  `https://hooks.slack.com/services/T0FAKE000/B0FAKE000/${filler(24, 20)}`, `SG.${filler(22, 21)}.${filler(43, 22)}`
]
const withSecrets = (() => {
  const step = Math.floor(prompt.length / (fakes.length + 1))
  let out = ""
  fakes.forEach((fake, i) => (out += `${prompt.slice(i * step, (i + 1) * step)}\n${fake}\n`))
  return out + prompt.slice(fakes.length * step)
})()
const literals: Array<LiteralSecret> = Array.from({ length: 30 }, (_, i) => ({ name: `env:VAR_${i}`, value: filler(12 + (i % 20), 100 + i) }))

// the first call in this process: compiling the built-in patterns, then one redaction
const firstStart = performance.now()
const redact = Either.getOrThrow(makeRedactor())
const firstCompiled = performance.now()
redact(prompt)
const firstDone = performance.now()
const redactLiterals = Either.getOrThrow(makeRedactor({ literalSecrets: literals }))

type Lint = (text: string) => Promise<unknown>
const loadSecretlint = async (): Promise<Lint | undefined> => {
  const dir = process.env.BENCH_SECRETLINT
  if (dir === undefined || dir === "") return undefined
  const load = new Function("s", "return import(s)") as (s: string) => Promise<any>
  const resolve = (name: string) => {
    const pkg = path.join(dir, "node_modules", name)
    const main = (JSON.parse(fs.readFileSync(path.join(pkg, "package.json"), "utf8")) as { main: string }).main
    return pathToFileURL(path.join(pkg, main)).href
  }
  const { lintSource } = await load(resolve("@secretlint/core"))
  const { creator } = await load(resolve("@secretlint/secretlint-rule-preset-recommend"))
  const config = { rules: [{ id: creator.meta.id, rule: creator, options: {} }] }
  return (content: string) =>
    lintSource({ source: { content, filePath: "/prompt.txt", ext: ".txt", contentType: "text" }, options: { config, noPhysicFilePath: true } })
}

// (a CommonJS bundle: no top-level await)
const main = async () => {
  const secretlint = await loadSecretlint()

  const baselineRegex = /sk-[A-Za-z0-9]{20,}/g
  const variants: Array<readonly [string, () => unknown]> = [
    ["baseline: one regex pass", () => {
      baselineRegex.lastIndex = 0
      let n = 0
      while (baselineRegex.exec(prompt) !== null) n++
      return n
    }],
    ["redact", () => redact(prompt)],
    ["redact, 20 secrets", () => redact(withSecrets)],
    ["redact + 30 literals", () => redactLiterals(prompt)],
    ...(secretlint ? [["secretlint", () => secretlint(prompt)] as const] : [])
  ]

  const load0 = loadavg()
  const samples = new Map<string, Array<number>>(variants.map(([name]) => [name, []]))
  const cpuSamples = new Map<string, Array<number>>(variants.map(([name]) => [name, []]))
  for (let round = 0; round < WARMUP + ROUNDS; round++) {
    // rotate the order so no variant always runs first
    for (let k = 0; k < variants.length; k++) {
      const [name, run] = variants[(round + k) % variants.length]!
      const cpu = process.cpuUsage()
      const start = performance.now()
      const result = run()
      if (result instanceof Promise) await result
      const elapsed = performance.now() - start
      const used = process.cpuUsage(cpu)
      if (round >= WARMUP) {
        samples.get(name)!.push(elapsed)
        cpuSamples.get(name)!.push((used.user + used.system) / 1000)
      }
    }
  }
  const load1 = loadavg()

  const baseline = stats(samples.get("baseline: one regex pass")!)
  const cpuBaseline = stats(cpuSamples.get("baseline: one regex pass")!)
  const rows = variants.map(([name]) => {
    const s = stats(samples.get(name)!)
    const c = stats(cpuSamples.get(name)!)
    return { name, ...s, vsBaseline: ratio(s.median, baseline.median), cpu: c, cpuVsBaseline: ratio(c.mean, cpuBaseline.mean) }
  })

  console.log(`prompt: ${prompt.length} chars of src/**/*.ts; ${ROUNDS} rounds after ${WARMUP} warm-up; load ${load0.join(" ")} -> ${load1.join(" ")}`)
  console.log(`first call in the process: makeRedactor ${ms(firstCompiled - firstStart)}, first redaction ${ms(firstDone - firstCompiled)}`)
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(26)} wall median ${r.median.toFixed(3)} ms (p10 ${r.p10}, p90 ${r.p90}), ${r.vsBaseline}x the baseline; ` +
        `CPU mean ${r.cpu.mean.toFixed(3)} ms, ${r.cpuVsBaseline}x`
    )
  }
  const check = redact(withSecrets)
  console.log(`redacted in the prompt with secrets: ${check.findings.map((f) => `${f.kind} ${f.count}`).join(", ")}`)
  const file = writeResult("redact", {
    promptChars: prompt.length,
    rounds: ROUNDS,
    loadStart: load0,
    loadEnd: load1,
    firstCall: { makeRedactorMs: firstCompiled - firstStart, firstRedactMs: firstDone - firstCompiled },
    baseline,
    variants: rows,
    samples: Object.fromEntries(samples),
    cpuSamples: Object.fromEntries(cpuSamples),
    findings: check.findings
  })
  console.log(`results: ${file}`)
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
