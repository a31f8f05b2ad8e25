import { NodeContext } from "@effect/platform-node"
import { afterEach, describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import * as fs from "node:fs"
import type { ExecutionResult } from "../../src/domain/execution"
import { ProviderBalancer } from "../../src/services/balancer/ProviderBalancer"
import { balancerSettings } from "../../src/services/balancer/strategies"
import { Config } from "../../src/services/config/Config"
import { Paths } from "../../src/services/config/Paths"
import { DaemonClient } from "../../src/services/daemon/DaemonClient"
import { readLaunchState, recordLaunch } from "../../src/services/daemon/daemonLaunch"
import type { DaemonState } from "../../src/services/daemon/daemonState"
import { Delegator } from "../../src/services/daemon/Delegator"
import { OpenCodeClient } from "../../src/services/pool/OpenCodeClient"
import { makeTempHome, type TempHome } from "../support/tempHome"

// The first delegation right after SessionStart launched the pool daemon waits for that daemon instead of starting
// an OpenCode server of its own (which would race the daemon for the machine and, before, for its port).

const daemon: DaemonState = { pid: process.pid, startTicks: null, apiPort: 1, token: "t", startedAt: 0, projectDir: "/p", servers: [] }
const result: ExecutionResult = {
  stdout: "done on the daemon",
  stderr: "",
  exitCode: 0,
  executionTime: 1,
  tokens: { input: 1, output: 1, reasoning: 0, cacheRead: 0, cacheWrite: 0 },
  cost: null,
  provider: "openai",
  model: "gpt-5.2-codex",
  serverPort: 1
}

const homes: Array<TempHome> = []
afterEach(() => homes.splice(0).forEach((h) => h.cleanup()))

/** a Delegator whose daemon shows up after `upAfterMs`, and whose own pool cannot start (no OpenCode binary) */
const delegatorWith = (upAfterMs: number | null, waitSeconds: number) => {
  const home = makeTempHome("omcm-startup-")
  homes.push(home)
  const started = Date.now()
  let finds = 0
  const client = Layer.succeed(DaemonClient, {
    find: Effect.sync(() => {
      finds++
      return upAfterMs !== null && Date.now() - started >= upAfterMs ? Option.some(daemon) : Option.none()
    }),
    status: () => Effect.die("unused"),
    execute: () => Effect.succeed(result),
    shutdown: () => Effect.void
  })
  const config = Config.make({ pool: { opencodeBin: "/nonexistent/opencode" }, delegation: { daemonStartWaitSeconds: waitSeconds } })
  const layer = Delegator.layerWithoutDependencies.pipe(
    Layer.provide(Layer.mergeAll(
      client,
      Layer.succeed(Config, config),
      Layer.succeed(Paths, home.paths),
      NodeContext.layer,
      ProviderBalancer.make(balancerSettings({}))
    )),
    Layer.provide(Layer.succeed(OpenCodeClient, {} as OpenCodeClient["Type"]))
  )
  const delegate = Effect.flatMap(Delegator, (d) =>
    d.delegate({ prompt: "p", model: "openai/gpt-5.2-codex", directory: home.root, timeoutMs: 10_000 })).pipe(Effect.provide(layer))
  return { home, delegate, finds: () => finds }
}

describe("the launch file says whether a daemon is starting", () => {
  it.effect("none, starting (a live pid), failed (a dead one)", () =>
    Effect.gen(function*() {
      const home = makeTempHome("omcm-launch-")
      homes.push(home)
      expect(yield* readLaunchState(home.paths.daemonLaunchFile)).toEqual({ _tag: "none" })
      yield* recordLaunch(home.paths.daemonLaunchFile, process.pid)
      expect(yield* readLaunchState(home.paths.daemonLaunchFile)).toEqual({ _tag: "starting", pid: process.pid })
      fs.writeFileSync(home.paths.daemonLaunchFile, `${2 ** 22 + 17}\n`)
      expect((yield* readLaunchState(home.paths.daemonLaunchFile))._tag).toBe("failed")
    }))
})

describe("Delegator and a daemon that is starting", () => {
  it.live("with no launch under way it does not wait: its own pool is tried at once", () =>
    Effect.gen(function*() {
      const { delegate, finds } = delegatorWith(null, 5)
      const error = yield* Effect.flip(delegate)
      expect(error._tag).toBe("OpenCodeNotFound")
      // a second look only: a daemon that came up between the two is taken, no waiting
      expect(finds()).toBe(2)
    }))

  it.live("waits for a daemon being launched and delegates to it", () =>
    Effect.gen(function*() {
      const { delegate, home } = delegatorWith(600, 5)
      yield* recordLaunch(home.paths.daemonLaunchFile, process.pid)
      const done = yield* delegate
      expect(done).toMatchObject({ via: "daemon", result: { stdout: "done on the daemon" } })
    }))

  it.live("gives up waiting after delegation.daemonStartWaitSeconds and uses a pool of its own", () =>
    Effect.gen(function*() {
      const { delegate, home } = delegatorWith(null, 1)
      yield* recordLaunch(home.paths.daemonLaunchFile, process.pid)
      const started = Date.now()
      expect((yield* Effect.flip(delegate))._tag).toBe("OpenCodeNotFound")
      expect(Date.now() - started).toBeGreaterThanOrEqual(900)
    }))
})
