#!/usr/bin/env node
// Runs one benchmark of bench/<name>.ts.
//
//   node bench/run.mjs pool                          all pool benchmarks (warm-vs-cold, execute-overhead, makespan)
//   node bench/run.mjs pool --only makespan          one of them (comma-separate several: --only warm-vs-cold,makespan)
//   node bench/run.mjs pool --quick                  fewer samples (a smoke run, numbers are not meant to be quoted)
//   node bench/run.mjs pool --keep-temp              keep the temporary tree (OpenCode logs, DBs) and print where it is
//   npm run bench -- pool --only execute-overhead
//
// What it does: bundles bench/<name>.ts with esbuild (better-sqlite3 stays external) into a fresh temporary
// directory, and runs the bundle in a child Node process whose HOME, XDG_* and TMPDIR all point into that directory,
// so nothing touches the real home. Results go to bench/results/<bench>.json, a summary to stdout.
//
// Processes: the benchmark owns every process it starts through Effect scopes (closing the pool's scope stops its
// servers). Ctrl-C (or SIGTERM) is forwarded once to the benchmark, which then closes its scopes; a second Ctrl-C
// stops waiting for that. Either way, once the benchmark has exited, every process still carrying this run's marker
// (OMCM_BENCH_RUN in its environment) is SIGKILLed and reported as a leak.
import * as esbuild from "esbuild"
import { spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const benchDir = path.dirname(fileURLToPath(import.meta.url))
const repoDir = path.dirname(benchDir)

const [name, ...args] = process.argv.slice(2)
if (name === undefined || name.startsWith("-")) {
  console.error("usage: node bench/run.mjs <bench> [--only a,b] [--quick] [--keep-temp]   (bench: pool)")
  process.exit(2)
}
const entry = path.join(benchDir, `${name}.ts`)
if (!fs.existsSync(entry)) {
  console.error(`no benchmark bench/${name}.ts`)
  process.exit(2)
}
const keepTemp = args.includes("--keep-temp")

const root = fs.mkdtempSync(path.join(os.tmpdir(), `omcm-bench-${name}-`))
const runId = `${process.pid}-${randomBytes(4).toString("hex")}`
const bundle = path.join(root, `${name}.bench.cjs`)

await esbuild.build({
  entryPoints: [entry],
  outfile: bundle,
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  sourcemap: "inline",
  external: ["better-sqlite3"],
  // CommonJS has no import.meta: give the bundle its own file URL instead
  define: { "import.meta.url": "__benchImportMetaUrl" },
  banner: { js: "const __benchImportMetaUrl = require(\"node:url\").pathToFileURL(__filename).href;" },
  logLevel: "warning"
})

const home = path.join(root, "home")
const tmp = path.join(root, "tmp")
fs.mkdirSync(home, { recursive: true })
fs.mkdirSync(tmp, { recursive: true })
const env = {
  ...process.env,
  HOME: home,
  TMPDIR: tmp,
  XDG_CONFIG_HOME: path.join(home, ".config"),
  XDG_DATA_HOME: path.join(home, ".local", "share"),
  XDG_CACHE_HOME: path.join(home, ".cache"),
  XDG_STATE_HOME: path.join(home, ".local", "state"),
  OMCM_HOME: path.join(home, ".omcm"),
  CLAUDE_CONFIG_DIR: path.join(home, ".claude"),
  // the bundle lives outside the repo: let it find the externals in the repo's node_modules
  NODE_PATH: path.join(repoDir, "node_modules"),
  OMCM_BENCH_ROOT: root,
  OMCM_BENCH_REPO: repoDir,
  OMCM_BENCH_RUN: runId
}

// its own process group, so a terminal's Ctrl-C reaches only this script, which forwards exactly one signal
const child = spawn(process.execPath, ["--enable-source-maps", bundle, ...args], {
  cwd: repoDir,
  env,
  stdio: "inherit",
  detached: true
})
let signals = 0
const forward = (signal) => {
  signals++
  if (signals === 1) {
    console.error(`\n[bench] ${signal}: stopping the benchmark and its processes (Ctrl-C again to stop waiting)`)
    child.kill(signal)
  } else {
    console.error(`\n[bench] ${signal} again: killing the benchmark; leftovers are swept next`)
    child.kill("SIGKILL")
  }
}
process.on("SIGINT", () => forward("SIGINT"))
process.on("SIGTERM", () => forward("SIGTERM"))

const code = await new Promise((resolve) => child.on("exit", (c, s) => resolve(c ?? (s === null ? 1 : 128 + (os.constants.signals[s] ?? 0)))))

/** every live process whose environment carries this run's marker */
const marked = () => {
  const found = []
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue
    try {
      if (fs.readFileSync(`/proc/${entry}/environ`, "utf8").split("\0").includes(`OMCM_BENCH_RUN=${runId}`)) found.push(Number(entry))
    } catch {
      // gone, or not ours to read
    }
  }
  return found
}
let leaked = process.platform === "linux" ? marked() : []
const hadLeak = leaked.length > 0
if (hadLeak) {
  console.error(
    signals > 1
      ? `[bench] sweeping ${leaked.length} process(es) the killed benchmark left: ${leaked.join(", ")}; SIGKILL`
      : `[bench] LEAK: ${leaked.length} process(es) outlived the benchmark: ${leaked.join(", ")}; SIGKILL`
  )
  for (const pid of leaked) {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, "SIGKILL")
      } catch {
        // already gone
      }
    }
  }
  await new Promise((r) => setTimeout(r, 300))
  leaked = marked()
  if (leaked.length > 0) console.error(`[bench] still alive after SIGKILL: ${leaked.join(", ")}`)
} else if (process.platform === "linux") {
  console.error("[bench] no leftover processes")
}

if (keepTemp) console.error(`[bench] temporary tree kept: ${root}`)
else fs.rmSync(root, { recursive: true, force: true })
// an interrupted benchmark exits 0 (Effect's runMain), but the run did not complete
process.exit(signals > 0 ? 130 : code === 0 && !hadLeak ? 0 : code || 1)
