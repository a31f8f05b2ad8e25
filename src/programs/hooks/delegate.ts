// Loaded only when a hook delegates: keeps the pool, @effect/platform-node and the daemon client off the
// start-up path of every other hook call.
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { PoolRuntimeLive } from "../../layers/pool"
import { DaemonClient } from "../../services/DaemonClient"
import { type DelegationRequest, Delegator } from "../../services/Delegator"

const DelegatorLive = Delegator.layer.pipe(
  Layer.provide(DaemonClient.layer.pipe(Layer.provide(FetchHttpClient.layer))),
  Layer.provide(PoolRuntimeLive)
)

export const runDelegation = (request: DelegationRequest) =>
  Effect.flatMap(Delegator, (d) => d.delegate(request)).pipe(Effect.provide(DelegatorLive))
