import { NodeContext, NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { Config } from "../../src/services/config/Config"
import { OpenCodeClient } from "../../src/services/pool/OpenCodeClient"
import { makeServerPool, type PoolOptions } from "../../src/services/pool/ServerPool"
import { OPENCODE_OFFLINE_FLAGS, simulatedOpencodeConfig } from "../../src/services/pool/opencodeEnv"
import { providersOfConfig, simulatedServeEnv } from "../../src/simulated/simulatedOpencode"
import type { SimulatedModelHandle } from "../../src/simulated/openaiCompatible"
import { SIMULATED_TIER_MODELS } from "./simulatedModels"
import type { TempHome } from "./tempHome"

export const OPENCODE_BIN = path.resolve(__dirname, "../../node_modules/.bin/opencode")

/** Pool options for tests: servers talk to the simulated model and keep their state under the temp home. */
export const testPoolOptions = (home: TempHome, model: SimulatedModelHandle, overrides: Partial<PoolOptions> = {}): PoolOptions => {
  const projectDir = path.join(home.root, "project")
  fs.mkdirSync(projectDir, { recursive: true })
  return {
    minServers: 1,
    maxServers: 2,
    basePort: 14100 + Math.floor(Math.random() * 40) * 20,
    autoScale: false,
    projectDir,
    healthIntervalMs: 2_000,
    requestTimeoutMs: 30_000,
    slotsPerServer: 2,
    scaleDownAfterMs: 60_000,
    maxWorkers: 8,
    startTimeoutMs: 60_000,
    opencodeBin: OPENCODE_BIN,
    env: simulatedServeEnv({ baseUrl: model.baseUrl, xdgRoot: path.join(home.root, "opencode"), config: Config.make().config }),
    registryDir: home.paths.poolStateDir,
    ...overrides
  }
}

export const PoolDeps = Layer.mergeAll(NodeContext.layer, OpenCodeClient.layerWithoutDependencies.pipe(Layer.provide(NodeHttpClient.layer)))

export const startTestPool = (options: PoolOptions) =>
  Effect.tap(makeServerPool(options), (pool) => pool.initialize)

/** Every PID in /proc whose command line mentions `opencode` and `serve`. */
export const opencodePids = (): ReadonlyArray<number> =>
  fs.readdirSync("/proc").filter((e) => /^\d+$/.test(e)).map(Number).filter((pid) => {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8")
      return cmd.includes("opencode") && cmd.includes("serve")
    } catch {
      return false
    }
  })

/** The `opencode serve` processes started for one temp home: their environment points under `root`. */
export const opencodePidsUnder = (root: string): ReadonlyArray<number> =>
  opencodePids().filter((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/environ`, "utf8").includes(root)
    } catch {
      return false
    }
  })

export const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/**
 * config.json content that makes the CLI's pools talk to the simulated model, with OpenCode's state under the
 * temp home (what a user would write to point omcm at their own OpenAI-compatible endpoint), and the tiers on the
 * simulated model ids.
 */
export const simulatedPoolConfig = (home: TempHome, model: SimulatedModelHandle, pool: Record<string, unknown> = {}) => {
  const root = path.join(home.root, "opencode", "home")
  return {
    models: SIMULATED_TIER_MODELS,
    pool: {
      basePort: 14100 + Math.floor(Math.random() * 40) * 20,
      env: {
        HOME: root,
        XDG_CONFIG_HOME: path.join(root, ".config"),
        XDG_DATA_HOME: path.join(root, ".local", "share"),
        XDG_CACHE_HOME: path.join(root, ".cache"),
        XDG_STATE_HOME: path.join(root, ".local", "state"),
        ...OPENCODE_OFFLINE_FLAGS
      },
      opencodeConfig: simulatedOpencodeConfig({ baseUrl: model.baseUrl, providers: providersOfConfig(Config.make().config) }),
      ...pool
    }
  }
}
