import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as fs from "node:fs"
import * as path from "node:path"
import { decodeUnknown, parseJson, writeFileAtomic } from "../../lib/jsonFile"
import { isSameProcess, killGroup, pidsWithEnvMarker, processStartTicks } from "../../lib/processes"

/** Environment variable every `opencode serve` a pool starts carries, with the pool's id. */
export const POOL_MARKER = "OMCM_POOL_ID"

const PoolRecord = Schema.Struct({
  poolId: Schema.String,
  ownerPid: Schema.Number,
  ownerStartTicks: Schema.NullOr(Schema.String),
  createdAt: Schema.Number,
  servers: Schema.Array(Schema.Struct({ pid: Schema.Number, port: Schema.Number }))
})
type PoolRecord = typeof PoolRecord.Type

export interface StaleCleanup {
  readonly pools: number
  readonly killed: ReadonlyArray<number>
}

/** What was found of a pool whose owner died: the servers stopped, by its watchdog or by a later omcm process. */
export const LeftoverNote = Schema.Struct({
  poolId: Schema.String,
  ownerPid: Schema.Number,
  killed: Schema.Array(Schema.Number),
  at: Schema.Number,
  by: Schema.Literal("watchdog", "cleanup")
})
export type LeftoverNote = typeof LeftoverNote.Type

/** the note of a dead pool's leftovers (not `.json`: it is no pool record) */
export const leftoverNoteFile = (dir: string, poolId: string) => path.join(dir, `${poolId}.leftovers`)

/**
 * Each live pool keeps `pools/<id>.json` (owner PID and start time, server PIDs and ports), rewritten atomically
 * by its owner. When an owner dies without closing its scope (SIGKILL), the next pool to start finds the record,
 * kills every process that still carries the dead pool's marker, and removes the record.
 */
export const makePoolRegistry = (dir: string, poolId: string) => {
  const file = path.join(dir, `${poolId}.json`)
  const ownerStartTicks = processStartTicks(process.pid)
  const createdAt = Date.now()

  const write = (servers: ReadonlyArray<{ pid: number; port: number }>) =>
    writeFileAtomic(file, JSON.stringify({ poolId, ownerPid: process.pid, ownerStartTicks, createdAt, servers } satisfies PoolRecord))
      .pipe(Effect.ignore)

  const remove = Effect.sync(() => fs.rmSync(file, { force: true }))

  return { file, write, remove }
}

const readDecoded = <A, I>(schema: Schema.Schema<A, I>) => (file: string) =>
  Effect.try(() => fs.readFileSync(file, "utf8")).pipe(
    Effect.flatMap((text) => parseJson(text)),
    Effect.flatMap(decodeUnknown(schema, { strict: false })),
    Effect.option
  )
const readRecord = readDecoded(PoolRecord)

const filesEndingWith = (dir: string, suffix: string) =>
  Effect.sync(() => {
    try {
      return fs.readdirSync(dir).filter((f) => f.endsWith(suffix))
    } catch {
      return []
    }
  })

export const cleanStalePools = (dir: string): Effect.Effect<StaleCleanup> =>
  Effect.gen(function*() {
    const files = yield* filesEndingWith(dir, ".json")
    const killed: Array<number> = []
    let pools = 0
    for (const name of files) {
      const file = path.join(dir, name)
      const record = yield* readRecord(file)
      if (record._tag === "None") {
        // unreadable or half-written by a crashed writer: only remove it once it is clearly old
        const age = yield* Effect.sync(() => Date.now() - fs.statSync(file).mtimeMs).pipe(Effect.orElseSucceed(() => 0))
        if (age > 60_000) yield* Effect.sync(() => fs.rmSync(file, { force: true }))
        continue
      }
      const r = record.value
      if (isSameProcess(r.ownerPid, r.ownerStartTicks)) continue
      pools++
      const marked = new Set([...pidsWithEnvMarker(POOL_MARKER, r.poolId)])
      for (const pid of marked) {
        killGroup(pid)
        killed.push(pid)
      }
      if (marked.size > 0) {
        const note: LeftoverNote = { poolId: r.poolId, ownerPid: r.ownerPid, killed: [...marked], at: Date.now(), by: "cleanup" }
        yield* writeFileAtomic(leftoverNoteFile(dir, r.poolId), JSON.stringify(note)).pipe(Effect.ignore)
      }
      yield* Effect.sync(() => fs.rmSync(file, { force: true }))
    }
    return { pools, killed }
  })

/** the leftover notes of the last `maxAgeMs`, oldest first; older notes are deleted */
export const recentLeftovers = (dir: string, maxAgeMs: number): Effect.Effect<ReadonlyArray<LeftoverNote>> =>
  Effect.gen(function*() {
    const names = yield* filesEndingWith(dir, ".leftovers")
    const now = Date.now()
    const notes: Array<LeftoverNote> = []
    for (const name of names) {
      const file = path.join(dir, name)
      const note = yield* readDecoded(LeftoverNote)(file)
      if (note._tag === "Some" && now - note.value.at <= maxAgeMs) notes.push(note.value)
      else yield* Effect.sync(() => fs.rmSync(file, { force: true }))
    }
    return notes.sort((a, b) => a.at - b.at)
  })
