// Loaded only when a hook delegates (see HookDelegation): keeps the pool, @effect/platform-node, an HTTP client and
// the daemon client out of every other hook call; dist/omcm.js even has it in a payload of its own
// (src/payloads/delegate.ts). Config and Paths are the hook's own: a hook relayed to the daemon brings its caller's
// environment (see layers/core makeRelayLive).
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { PoolRuntimeLive } from "../../services/pool"
import { DaemonClient, type DelegationRequest, Delegator } from "../../services/daemon"

const DelegatorLive = Delegator.layerWithoutDependencies.pipe(
  Layer.provide([DaemonClient.layerWithoutDependencies, PoolRuntimeLive]),
  Layer.provide(FetchHttpClient.layer)
)

export const runDelegation = (request: DelegationRequest) =>
  Effect.flatMap(Delegator, (d) => d.delegate(request)).pipe(Effect.provide(DelegatorLive))
