import Database from "better-sqlite3"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { MIGRATIONS, openStore } from "../../src/services/store/Store"

let dir = ""
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "omcm-migrate-"))
})
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

describe("tracker migration", () => {
  it("upgrades a version-1 database: events get `outcome`, minute aggregates keep their rows", async () => {
    const file = path.join(dir, "omcm.db")
    const v1 = new Database(file)
    v1.exec(MIGRATIONS[0]!)
    v1.pragma("user_version = 1")
    v1.prepare("INSERT INTO events (ts, kind, source, provider, input_tokens) VALUES (1, 'call', 'pool', 'openai', 7)").run()
    v1.prepare(`INSERT INTO minute_aggregates VALUES (5, 'call', 'pool', 'executor', 'opencode', 'openai', 'gpt-5.2-codex',
      'MEDIUM', 3, 0, 1, 900, 300, 30, 0, 0, 0, 0.0012, NULL, 0)`).run()
    v1.close()

    await Effect.runPromise(Effect.scoped(openStore(file)))

    const db = new Database(file, { readonly: true })
    try {
      expect(db.pragma("user_version", { simple: true })).toBe(MIGRATIONS.length)
      expect(db.prepare("SELECT input_tokens, outcome FROM events").all()).toEqual([{ input_tokens: 7, outcome: null }])
      expect(db.prepare("SELECT minute, success, outcome, count, cost, claude_cost, claude_unpriced, latency_hist FROM minute_aggregates").all())
        .toEqual([{ minute: 5, success: 1, outcome: 1, count: 3, cost: 0.0012, claude_cost: 0, claude_unpriced: 3, latency_hist: "{}" }])
      expect(db.prepare("PRAGMA integrity_check").all()).toEqual([{ integrity_check: "ok" }])
    } finally {
      db.close()
    }
  })
})
