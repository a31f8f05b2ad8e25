import type BetterSqlite3 from "better-sqlite3"
import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import { createRequire } from "node:module"

export type Integrity =
  | { readonly _tag: "Missing" }
  | { readonly _tag: "Ok" }
  | { readonly _tag: "Corrupt"; readonly error: string }

/**
 * `PRAGMA quick_check` of a database file, opened read-only: unlike the Store, which moves a corrupt file aside, this
 * only says what is wrong (for `omcm doctor`).
 */
export const quickCheck = (file: string): Effect.Effect<Integrity> =>
  Effect.sync((): Integrity => {
    if (!fs.existsSync(file)) return { _tag: "Missing" }
    const Database = createRequire(import.meta.url)("better-sqlite3") as typeof BetterSqlite3
    let db: BetterSqlite3.Database | undefined
    try {
      db = new Database(file, { readonly: true, fileMustExist: true })
      const rows = db.pragma("quick_check") as ReadonlyArray<{ readonly quick_check: string }>
      const problems = rows.map((r) => r.quick_check).filter((r) => r !== "ok")
      return problems.length === 0 ? { _tag: "Ok" } : { _tag: "Corrupt", error: problems.slice(0, 3).join("; ") }
    } catch (error) {
      const e = error as { readonly code?: string; readonly message?: string }
      return { _tag: "Corrupt", error: `${e.message ?? String(error)}${e.code === undefined ? "" : ` (${e.code})`}` }
    } finally {
      db?.close()
    }
  })
