// Runs the benchmarks without npm: node bench/run.mjs [name]   (default: every bench/*.ts)
// Each bench/<name>.ts is bundled with esbuild into a temporary file and run with node; better-sqlite3 stays
// external and resolves through NODE_PATH. Results are printed and written to bench/results/.
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const wanted = process.argv[2]
const benches = fs.readdirSync(path.join(root, "bench"))
  .filter((f) => f.endsWith(".ts") && (wanted === undefined || f === `${wanted}.ts`))
if (benches.length === 0) {
  console.error(`no benchmark ${wanted ?? ""} in bench/`)
  process.exit(2)
}
const out = fs.mkdtempSync(path.join(os.tmpdir(), "omcm-bench-build-"))
try {
  for (const bench of benches) {
    const bundle = path.join(out, bench.replace(/\.ts$/, ".mjs"))
    execFileSync(path.join(root, "node_modules/.bin/esbuild"), [
      path.join(root, "bench", bench), "--bundle", "--platform=node", "--format=esm", "--target=node20",
      "--external:better-sqlite3", `--outfile=${bundle}`, "--log-level=warning",
      "--banner:js=import{createRequire as __r}from'node:module';const require=__r(import.meta.url);"
    ], { stdio: "inherit" })
    console.log(`# ${bench}`)
    execFileSync(process.execPath, [bundle], {
      stdio: "inherit",
      cwd: root,
      env: { ...process.env, NODE_PATH: path.join(root, "node_modules") }
    })
  }
} finally {
  fs.rmSync(out, { recursive: true, force: true })
}
