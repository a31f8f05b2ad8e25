import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import { type DaemonState, DaemonUnreachable, type ExecuteBody } from "../../src/services/daemon"
import type { ExecutionResult } from "../../src/domain/execution"
import { ClaudeExecutor, type ClaudeRequest } from "../../src/services/executor/ClaudeExecutor"
import { ProviderBalancer } from "../../src/services/balancer/ProviderBalancer"
import { balancerSettings } from "../../src/services/balancer/strategies"
import { Config } from "../../src/services/config/Config"
import { DaemonClient } from "../../src/services/daemon/DaemonClient"
import { Paths } from "../../src/services/config/Paths"
import { TaskBackends } from "../../src/services/executor/TaskBackends"
import { Delegator } from "../../src/services/daemon/Delegator"
import { PoolDeps } from "../support/poolFixture"
import { makeTempHome } from "../support/tempHome"

const result = (provider: string, model: string): ExecutionResult => ({
  stdout: "done",
  stderr: "",
  exitCode: 0,
  executionTime: 5,
  tokens: { input: 1, output: 1, reasoning: 0, cacheRead: 0, cacheWrite: 0 },
  cost: null,
  provider,
  model,
  serverPort: null
})

const daemon: DaemonState = { pid: 1, startTicks: null, apiPort: 1, token: "t", startedAt: 0, projectDir: "/p", servers: [] }

/** TaskBackends over a scripted daemon and claude; the pool's own dependencies are real but never used */
const backendsWith = (daemonAnswer: (body: ExecuteBody) => Effect.Effect<ExecutionResult, DaemonUnreachable>) => {
  const home = makeTempHome("omcm-backends-")
  const sent: Array<ExecuteBody> = []
  const claudeRuns: Array<ClaudeRequest> = []
  const layer = TaskBackends.layerWithoutDependencies.pipe(
    Layer.provide(Delegator.layerSharingPoolWithoutDependencies({ projectDir: home.root })),
    Layer.provide(Layer.mergeAll(
      ProviderBalancer.make(balancerSettings({})),
      Layer.succeed(Config, Config.make()),
      Layer.succeed(Paths, home.paths),
      Layer.succeed(DaemonClient, {
        find: Effect.succeed(Option.some(daemon)),
        status: () => Effect.die("unused"),
        execute: (_, body) => Effect.suspend(() => {
          sent.push(body)
          return daemonAnswer(body)
        }),
        shutdown: () => Effect.void
      }),
      Layer.succeed(ClaudeExecutor, {
        execute: (request) => Effect.sync(() => {
          claudeRuns.push(request)
          return result("anthropic", "claude-opus")
        })
      }),
      PoolDeps
    ))
  )
  return { home, sent, claudeRuns, layer }
}

describe("TaskBackends over Delegator, sharing one pool", () => {
  it.scoped("OpenCode work goes to the running daemon; Claude work runs with OMCM_DELEGATED=1", () =>
    Effect.gen(function*() {
      const { claudeRuns, home, layer, sent } = backendsWith((body) => Effect.succeed(result("openai", body.model.split("/")[1]!)))
      yield* Effect.addFinalizer(() => Effect.sync(home.cleanup))
      const backends = yield* Effect.provide(TaskBackends, layer)
      const r = yield* backends.opencode("build it", { model: "openai/gpt-5.2-codex", timeout: 9_000, directory: "/work/p" })
      expect(r.model).toBe("gpt-5.2-codex")
      // the stall watchdog of config.json `delegation` goes with every call
      expect(sent).toEqual([{ prompt: "build it", model: "openai/gpt-5.2-codex", agent: undefined, timeoutMs: 9_000, directory: "/work/p", idleTimeoutMs: 60_000, firstOutputTimeoutMs: 45_000 }])
      yield* backends.claude("plan it", { model: "opus", cwd: "/work/p", timeout: 5_000 })
      expect(claudeRuns).toEqual([{ prompt: "plan it", model: "opus", cwd: "/work/p", timeoutMs: 5_000, env: { OMCM_DELEGATED: "1" } }])
    }))

  it.scoped("a daemon error other than a refused connection is the task's error (no second run in-process)", () =>
    Effect.gen(function*() {
      const { home, layer, sent } = backendsWith(() => Effect.fail(new DaemonUnreachable({ reason: "timeout", message: "pool daemon did not answer in time" })))
      yield* Effect.addFinalizer(() => Effect.sync(home.cleanup))
      const backends = yield* Effect.provide(TaskBackends, layer)
      const error = yield* Effect.flip(backends.opencode("x", { model: "openai/gpt-5.2-codex", timeout: 1_000, directory: "/p" }))
      expect(error.message).toBe("pool daemon did not answer in time")
      expect(sent).toHaveLength(1)
    }))
})
