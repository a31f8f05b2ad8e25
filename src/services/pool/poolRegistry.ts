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

const readRecord = (file: string) =>
  Effect.try(() => fs.readFileSync(file, "utf8")).pipe(
    Effect.flatMap((text) => parseJson(text)),
    Effect.flatMap(decodeUnknown(PoolRecord, { strict: false })),
    Effect.option
  )

export const cleanStalePools = (dir: string): Effect.Effect<StaleCleanup> =>
  Effect.gen(function*() {
    const files = yield* Effect.sync(() => {
      try {
        return fs.readdirSync(dir).filter((f) => f.endsWith(".json"))
      } catch {
        return []
      }
    })
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
      yield* Effect.sync(() => fs.rmSync(file, { force: true }))
    }
    return { pools, killed }
  })
