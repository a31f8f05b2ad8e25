/**
 * Start-up cost of the hook decision path (Claude target, no delegation) against a bare `node -e 0`, measured in
 * the same run, interleaved, on the built dist/omcm.js. Goal: ratio at most 1.3.
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

try {
  // warm the disk cache, the database and the code cache once
  for (let i = 0; i < 3; i++) time([bin, "hook", "pre-tool-use"], input)
  const bare: Array<number> = []
  const hook: Array<number> = []
  for (let i = 0; i < RUNS; i++) {
    bare.push(time(["-e", "0"], "").ms)
    const h = time([bin, "hook", "pre-tool-use"], input)
    if (h.stdout !== "") throw new Error(`a Claude-target call printed a decision: ${h.stdout}`)
    hook.push(h.ms)
  }
  const result = {
    runs: RUNS,
    nodeBareMedianMs: Math.round(median(bare) * 10) / 10,
    hookMedianMs: Math.round(median(hook) * 10) / 10,
    ratio: Math.round((median(hook) / median(bare)) * 100) / 100,
    goal: 1.3
  }
  console.log(`node -e 0            median ${result.nodeBareMedianMs} ms`)
  console.log(`omcm hook pre-tool-use median ${result.hookMedianMs} ms (Claude target: decide, record, let through)`)
  console.log(`ratio ${result.ratio}x (goal <= ${result.goal}x)`)
  fs.mkdirSync(path.join(root, "bench", "results"), { recursive: true })
  fs.writeFileSync(path.join(root, "bench", "results", "hook.json"), `${JSON.stringify(result, null, 2)}\n`)
} finally {
  fs.rmSync(home, { recursive: true, force: true })
}
