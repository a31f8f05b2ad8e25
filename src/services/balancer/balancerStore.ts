import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import type { StateError } from "../../domain/errors"
import type { StoreShape } from "../store"
import { type BalancerState, emptyBalancerState } from "./strategies"

/**
 * Where the balancer keeps its state: in memory (one process: tests, a demo), or in the shared SQLite database, so
 * hooks, the CLI and the daemon agree on turns, latencies, usage and cooldowns.
 */
export interface BalancerStateStore {
  readonly modify: <A>(f: (state: BalancerState) => readonly [A, BalancerState]) => Effect.Effect<A, StateError>
}

export const memoryStateStore: Effect.Effect<BalancerStateStore> = Effect.map(Ref.make(emptyBalancerState), (ref) => ({
  modify: (f) => Ref.modify(ref, f)
}))

const NumberMap = Schema.ReadonlyMap({ key: Schema.String, value: Schema.Number })

/** the state as the `balancer.state` row of the meta table holds it (JSON) */
const StoredState = Schema.parseJson(Schema.Struct({
  turns: NumberMap,
  currentWeights: Schema.ReadonlyMap({ key: Schema.String, value: NumberMap }),
  latencies: Schema.ReadonlyMap({ key: Schema.String, value: Schema.Array(Schema.Number) }),
  tokenUsage: NumberMap,
  selections: NumberMap,
  cooldowns: Schema.ReadonlyMap({ key: Schema.String, value: Schema.Struct({ until: Schema.Number, reason: Schema.String }) }),
  outcomes: Schema.ReadonlyMap({ key: Schema.String, value: Schema.Array(Schema.Struct({ ts: Schema.Number, ok: Schema.Boolean })) })
}))
const decodeState = Schema.decodeUnknownOption(StoredState)
const encodeState = Schema.encodeSync(StoredState)

const KEY = "balancer.state"

/** one immediate transaction per change: read, apply, write back; a damaged row starts over from empty */
export const sqliteStateStore = (store: StoreShape): BalancerStateStore => ({
  modify: (f) =>
    Effect.flatMap(Clock.currentTimeMillis, (now) => store.transaction("update the balancer state", (db) => {
      const row = db.prepare("SELECT value FROM meta WHERE key = ?").get(KEY) as { value: string } | undefined
      const current = row === undefined ? emptyBalancerState : Option.getOrElse(decodeState(row.value), () => emptyBalancerState)
      const [result, next] = f(current)
      if (next !== current) {
        db.prepare(
          "INSERT INTO meta (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"
        ).run(KEY, encodeState(next), now)
      }
      return result
    }))
})
