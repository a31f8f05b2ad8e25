import * as Layer from "effect/Layer"
import { ProviderBalancer } from "../services/balancer"
import { Delegator } from "../services/daemon"
import { RoutingLive, TrackingLive } from "./core"

// Not in core.ts: the payloads of dist/omcm.js that bundle core.ts (the statusline's) would carry the pool and an
// HTTP client for it.

/**
 * What an Effect app embedding omcm (src/index.ts) usually needs, as omcm's own commands have it: routing decisions,
 * recording and reading tracked calls, the provider balancer, delegation to OpenCode (the pool daemon when one runs,
 * else a one-server pool per call), and the configuration and paths, from the same files and environment variables
 * as the CLI (`OMCM_HOME`, `OMCM_CONFIG_DIR`...). One build opens one database and reads config.json once.
 */
export const OmcmLive = Layer.mergeAll(RoutingLive, TrackingLive, ProviderBalancer.layer, Delegator.layer)
