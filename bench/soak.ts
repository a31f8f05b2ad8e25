/**
 * The soak of issue #13: a real pool daemon under mixed load (delegations and routing decisions through the hook
 * relay, at the same time), one random `opencode serve` SIGKILLed per minute, then `pool stop`. Goals: 0 records lost
 * from the events table, 0 `opencode serve` left after `pool stop`, every call answered (or its failure recorded),
 * and the daemon's resident memory (VmRSS) growing less than 10 % from the end of the warm-up (the first 20 %) to the
 * end. Exit 1 when one is missed. How the load gets in: test/support/soak.ts (also run, for 50 s, by
 * test/integration/soak.test.ts).
 *
 *   npm run build && node bench/run.mjs soak                 10 minutes: 200 delegations, 2,000 routing decisions, 10 kills
 *   node bench/run.mjs soak --minutes 2                      the same rates for 2 minutes (40, 400, 2)
 *
 * The memory goal means something only in runs of several minutes: the daemon's RSS climbs for ~2 minutes (up to
 * V8's first major collection and back) before it keeps a level, so a run of a minute or two fails it by design.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { runSoak, soakFailures, soakPlanFor, soakTable } from "../test/support/soak"
import { loadavg, repoDir, writeResult } from "./support"

const RSS_LIMIT_PCT = 10

const args = process.argv.slice(2)
const option = (name: string) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? args[i + 1] : undefined
}
const minutes = Number(option("minutes") ?? 10)
if (!(minutes > 0)) {
  console.error(`--minutes: expected a positive number, got ${option("minutes")}`)
  process.exit(2)
}

const omcmBin = path.join(repoDir, "dist", "omcm.js")
if (!fs.existsSync(omcmBin)) {
  console.error("dist/omcm.js is missing: npm run build first")
  process.exit(2)
}

const main = async () => {
  const loadBefore = loadavg()
  const report = await runSoak(soakPlanFor(minutes), {
    omcmBin,
    extraEnv: { OMCM_BENCH_RUN: process.env.OMCM_BENCH_RUN ?? "" },
    log: (line) => console.log(`[soak] ${line}`)
  })
  const failures = soakFailures(report, RSS_LIMIT_PCT)
  console.log(soakTable(report).join("\n"))
  for (const line of [...report.delegations.problems, ...report.routings.unexpected].slice(0, 10)) console.log(`  ${line}`)
  for (const line of report.hookFailures.slice(0, 10)) console.log(`  hooks.log: ${line}`)
  console.log(failures.length === 0 ? `passed: 0 lost, 0 orphans, RSS +${report.rss.growthPct} % (< ${RSS_LIMIT_PCT} %)` : `FAILED: ${failures.join("; ")}`)
  const file = writeResult("soak", { minutes, rssLimitPct: RSS_LIMIT_PCT, loadBefore, loadAfter: loadavg(), failures, report })
  console.log(`written to ${file}`)
  process.exitCode = failures.length === 0 ? 0 : 1
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
