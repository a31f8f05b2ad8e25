import * as NodeContext from "@effect/platform-node/NodeContext"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { OmcmConfig } from "../../domain/configSchema"
import { OpenCodeClient } from "./OpenCodeClient"
import type { PathsShape } from "../config"
import { resolveBinary } from "./opencodeBinary"

export interface PoolOptions {
  readonly minServers: number
  readonly maxServers: number
  readonly basePort: number
  readonly autoScale: boolean
  readonly projectDir: string
  readonly healthIntervalMs: number
  readonly requestTimeoutMs: number
  /** concurrent requests one server takes before it counts as fully loaded (for autoscaling) */
  readonly slotsPerServer: number
  readonly scaleDownAfterMs: number
  /** delegated calls running at once across the pool; more wait their turn */
  readonly maxWorkers: number
  readonly startTimeoutMs: number
  readonly opencodeBin: string
  /** the complete environment of every `opencode serve` (the pool adds its password and marker) */
  readonly env: Readonly<Record<string, string>>
  /** where live pools register themselves, so a dead owner's servers can be found and killed */
  readonly registryDir: string
  readonly autoscaleTickMs?: number
}

/** the daemon's pool takes ports from `pool.basePort`, others from this far above it (pools search 200 ports) */
export const IN_PROCESS_PORT_OFFSET = 200

export interface PoolOverrides {
  readonly minServers?: number | undefined
  readonly maxServers?: number | undefined
  readonly projectDir?: string | undefined
  /**
   * a pool of a process that is not the daemon (a delegating hook, `omcm run`, `omcm tasks run`): its ports come from
   * a range of their own above the daemon's, so it never takes a port a starting daemon is about to take
   */
  readonly inProcess?: boolean | undefined
}

const stringEnv = (env: NodeJS.ProcessEnv): Record<string, string> =>
  Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined))

/**
 * Pool options from config.json's `pool` section. OpenCode keeps the user's own environment (their provider keys
 * and OpenCode config), never updates itself under a running pool, and gets `pool.env` and `pool.opencodeConfig`.
 */
export const poolOptionsFromConfig = (config: OmcmConfig, paths: PathsShape, overrides: PoolOverrides = {}, env = process.env) =>
  Effect.map(resolveBinary("opencode", config.pool.opencodeBin, "OMCM_OPENCODE_BIN", env), (bin): PoolOptions => {
    const p = config.pool
    const minServers = overrides.minServers ?? p.minServers
    return {
      minServers,
      maxServers: Math.max(minServers, overrides.maxServers ?? p.maxServers),
      basePort: overrides.inProcess === true ? p.basePort + IN_PROCESS_PORT_OFFSET : p.basePort,
      autoScale: p.autoScale,
      projectDir: overrides.projectDir ?? process.cwd(),
      healthIntervalMs: p.healthIntervalSeconds * 1000,
      requestTimeoutMs: p.requestTimeoutSeconds * 1000,
      slotsPerServer: p.slotsPerServer,
      scaleDownAfterMs: p.scaleDownAfterSeconds * 1000,
      maxWorkers: config.routing.maxOpencodeWorkers,
      startTimeoutMs: p.startTimeoutSeconds * 1000,
      opencodeBin: bin,
      env: {
        ...stringEnv(env),
        OPENCODE_DISABLE_AUTOUPDATE: "1",
        ...p.env,
        ...(p.opencodeConfig === null ? {} : { OPENCODE_CONFIG_CONTENT: JSON.stringify(p.opencodeConfig) })
      },
      registryDir: paths.poolStateDir
    }
  })

/** What a pool needs besides its options: processes, and OpenCode's HTTP API. */
export const PoolRuntimeLive = Layer.mergeAll(NodeContext.layer, OpenCodeClient.layer)
