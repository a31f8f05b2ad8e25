/**
 * Start-up cost of the hook decision path (Claude target, no delegation) against a bare `node -e 0`, measured in
 * the same run, interleaved, on the built dist/omcm.js. Goal: ratio at most 1.3. Two ways a hook runs:
 * - relayed: a pool daemon is up (in a session, the SessionStart hook starts it; here `pool start --min 0`), the
 *   relay hands the call to it: the goal applies to this path, and the exit code is 1 when it is missed;
 * - in-process: no daemon (the first hooks of a first session, or `hooks.autoStartDaemon: false`): the hook loads
 *   its own runtime. Reported for comparison.
 *
 *   node bench/run.mjs hook        (build first: npm run build)
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

const RUNS = Number(process.env.BENCH_RUNS ?? 30)
const root = process.cwd()
const bin = path.join(root, "dist", "omcm.js")
const home = fs.mkdtempSync(path.join(os.tmpdir(), "omcm-bench-hook-"))
const env = {
  PATH: process.env.PATH,
  HOME: home,
  OMCM_HOME: path.join(home, ".omcm"),
  OMCM_CONFIG_DIR: path.join(home, "config")
}
const input = JSON.stringify({
  session_id: "bench",
  cwd: home,
  hook_event_name: "PreToolUse",
  tool_name: "Agent",
  tool_input: { description: "design", prompt: "design the module boundaries", subagent_type: "oh-my-claudecode:architect" },
  tool_use_id: "toolu_bench"
})

const time = (args: ReadonlyArray<string>, stdin: string) => {
  const started = process.hrtime.bigint()
  const r = spawnSync(process.execPath, args, { env, input: stdin, encoding: "utf8" })
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}: ${r.stderr}`)
  return { ms, stdout: r.stdout }
}

const median = (xs: ReadonlyArray<number>) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}

const statuslineInput = JSON.stringify({ session_id: "bench", rate_limits: { five_hour: { used_percentage: 42 }, seven_day: { used_percentage: 10 } } })

/** a Claude-target PreToolUse call (prints nothing), or with `statusline` a statusline redraw (prints the HUD) */
const measure = (statusline = false) => {
  const args = statusline ? [bin, "statusline"] : [bin, "hook", "pre-tool-use"]
  const stdin = statusline ? statuslineInput : input
  // warm the disk cache, the database and the code cache once
  for (let i = 0; i < 3; i++) time(args, stdin)
  const bare: Array<number> = []
  const hook: Array<number> = []
  for (let i = 0; i < RUNS; i++) {
    bare.push(time(["-e", "0"], "").ms)
    const h = time(args, stdin)
    if (statusline ? !h.stdout.startsWith("omcm │") : h.stdout !== "") throw new Error(`unexpected output: ${h.stdout}`)
    hook.push(h.ms)
  }
  return {
    nodeBareMedianMs: Math.round(median(bare) * 10) / 10,
    hookMedianMs: Math.round(median(hook) * 10) / 10,
    ratio: Math.round((median(hook) / median(bare)) * 100) / 100
  }
}

const cli = (...args: Array<string>) => {
  const r = spawnSync(process.execPath, [bin, ...args], { env, encoding: "utf8", cwd: home })
  if (r.status !== 0) throw new Error(`omcm ${args.join(" ")} exited ${r.status}: ${r.stderr}`)
}

try {
  const inProcess = measure()
  cli("pool", "start", "--detach", "--min", "0")
  let relayed: ReturnType<typeof measure>
  let statuslineRelayed: ReturnType<typeof measure>
  try {
    relayed = measure()
    statuslineRelayed = measure(true)
  } finally {
    cli("pool", "stop")
  }
  const result = { runs: RUNS, goal: 1.3, relayed, inProcess, statuslineRelayed }
  const show = (label: string, r: ReturnType<typeof measure>) =>
    console.log(`${label}: omcm hook pre-tool-use median ${r.hookMedianMs} ms vs node -e 0 median ${r.nodeBareMedianMs} ms: ratio ${r.ratio}x (goal <= ${result.goal}x)`)
  show("relayed to the pool daemon", relayed)
  show("in-process (no daemon)    ", inProcess)
  console.log(`statusline, relayed: median ${statuslineRelayed.hookMedianMs} ms vs node -e 0 median ${statuslineRelayed.nodeBareMedianMs} ms: ratio ${statuslineRelayed.ratio}x`)
  const met = relayed.ratio <= result.goal
  console.log(`goal ${met ? "met" : "NOT met"} on the relayed path (${relayed.ratio}x)`)
  if (!met) process.exitCode = 1
  fs.mkdirSync(path.join(root, "bench", "results"), { recursive: true })
  fs.writeFileSync(path.join(root, "bench", "results", "hook.json"), `${JSON.stringify(result, null, 2)}\n`)
} finally {
  fs.rmSync(home, { recursive: true, force: true })
}
