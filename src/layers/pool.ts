import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { OmcmConfig } from "../domain/configSchema"
import { OpenCodeClient } from "../services/OpenCodeClient"
import type { PathsShape } from "../services/Paths"
import { resolveBinary } from "../services/pool/opencodeBinary"
import type { PoolOptions } from "../services/ServerPool"

export interface PoolOverrides {
  readonly minServers?: number | undefined
  readonly maxServers?: number | undefined
  readonly projectDir?: string | undefined
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
      basePort: p.basePort,
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

/**
 * What a pool needs besides its options: processes, and an HTTP client on node:http (a prompt's request stays
 * open for the whole turn; fetch gives up on headers after 300 s).
 */
export const PoolRuntimeLive = Layer.mergeAll(NodeContext.layer, OpenCodeClient.layer.pipe(Layer.provide(NodeHttpClient.layer)))
