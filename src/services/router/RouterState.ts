import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import type { OmcmConfig } from "../../domain/configSchema"
import type { StateError } from "../../domain/errors"
import type { Usage } from "../../domain/model"
import { nextHeavy } from "./routingPolicy"
import { Store } from "../store"

/** ulw's hysteresis state (OpenCode-heavy or not), shared by every omcm process. */
export interface RouterStateShape {
  /** apply one usage observation and return the state after it */
  readonly observe: (config: OmcmConfig, usage: Usage) => Effect.Effect<boolean, StateError>
}

export class RouterState extends Context.Tag("omcm/RouterState")<RouterState, RouterStateShape>() {
  static readonly layerWithoutDependencies = Layer.effect(
    RouterState,
    Effect.map(Store, (store): RouterStateShape => ({
      observe: (config, usage) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) => store.transaction("update the routing state", (db) => {
          const row = db.prepare("SELECT value FROM meta WHERE key = 'router.heavy'").get() as { value: string } | undefined
          const before = row?.value === "1"
          const after = nextHeavy(config, before, usage)
          if (after !== before || row === undefined) {
            db.prepare(
              "INSERT INTO meta (key, value, updated_at) VALUES ('router.heavy', ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"
            ).run(after ? "1" : "0", now)
          }
          return after
        }))
    }))
  )

  static readonly layer = RouterState.layerWithoutDependencies.pipe(Layer.provide(Store.layer))

  /** in-memory state for unit tests */
  static readonly memory = Layer.effect(
    RouterState,
    Effect.map(Ref.make(false), (ref): RouterStateShape => ({
      observe: (config, usage) => Ref.updateAndGet(ref, (heavy) => nextHeavy(config, heavy, usage))
    }))
  )
}
