import Database from "better-sqlite3"
import { execFileSync, spawn } from "node:child_process"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { makeTempHome, type TempHome } from "../support/tempHome"

const ROOT = path.resolve(__dirname, "../..")
const WORKERS = 50
const EACH = 200

let home: TempHome
let bundle = ""

beforeAll(() => {
  home = makeTempHome("omcm-concurrency-")
  bundle = path.join(home.root, "recordWorker.mjs")
  execFileSync(path.join(ROOT, "node_modules/.bin/esbuild"), [
    path.join(ROOT, "test/support/recordWorker.ts"),
    "--bundle", "--platform=node", "--format=esm", "--target=node20", "--external:better-sqlite3", `--outfile=${bundle}`,
    "--banner:js=import{createRequire as __r}from'node:module';const require=__r(import.meta.url);", "--log-level=warning"
  ])
})
afterAll(() => home.cleanup())

const runWorker = (index: number) =>
  new Promise<{ code: number | null; stderr: string }>((resolve) => {
    // the bundle lives in the temp dir: better-sqlite3 (external) resolves through NODE_PATH
    const child = spawn(process.execPath, [bundle, String(index), String(EACH)], {
      env: { ...home.env, NODE_PATH: path.join(ROOT, "node_modules") },
      stdio: ["ignore", "ignore", "pipe"]
    })
    let stderr = ""
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    child.on("close", (code) => resolve({ code, stderr }))
  })

describe("many processes recording at once", () => {
  it(`${WORKERS} processes x ${EACH} events: exactly ${WORKERS * EACH} rows, nothing lost or corrupted`, async () => {
    const results = await Promise.all(Array.from({ length: WORKERS }, (_, i) => runWorker(i)))
    expect(results.filter((r) => r.code !== 0)).toEqual([])

    const db = new Database(home.paths.dbFile, { readonly: true })
    try {
      expect(db.prepare("PRAGMA integrity_check").all()).toEqual([{ integrity_check: "ok" }])
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal")
      const totals = db.prepare("SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS ids, SUM(input_tokens) AS input FROM events").get()
      expect(totals).toEqual({ n: WORKERS * EACH, ids: WORKERS * EACH, input: WORKERS * EACH * 100 })
      const perWorker = db.prepare("SELECT session_id AS s, COUNT(*) AS n, SUM(duration_ms) AS d FROM events GROUP BY session_id").all() as
        ReadonlyArray<{ s: string; n: number; d: number }>
      expect(perWorker).toHaveLength(WORKERS)
      for (const w of perWorker) expect(w).toMatchObject({ n: EACH, d: (EACH * (EACH - 1)) / 2 })
    } finally {
      db.close()
    }
  }, 300_000)
})
