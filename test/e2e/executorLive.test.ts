import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { SimulatedModel } from "../../src/simulated/openaiCompatible"
import { ClaudeExecutor } from "../../src/services/executor/ClaudeExecutor"
import { Executor } from "../../src/services/executor/Executor"
import { ServerPool } from "../../src/services/pool/ServerPool"
import { TaskBackends } from "../../src/services/executor/TaskBackends"
import { offlineClaudeEnv } from "../support/claudeHarness"
import { fakeAnthropic } from "../support/fakeAnthropic"
import { PoolDeps, startTestPool, testPoolOptions } from "../support/poolFixture"
import { routingFromValues } from "../support/taskBackends"
import { makeTempHome } from "../support/tempHome"

describe("Executor on the live backends", () => {
  it.scopedLive("a HIGH task runs through claude -p, MEDIUM and LOW ones through the OpenCode pool, in dependency order", () =>
    Effect.gen(function*() {
      const home = yield* Effect.acquireRelease(Effect.sync(() => makeTempHome("omcm-exec-live-")), (h) => Effect.sync(h.cleanup))
      const fake = yield* fakeAnthropic({})
      const model = yield* SimulatedModel.make({})
      const poolOptions = testPoolOptions(home, model)
      const pool = yield* startTestPool(poolOptions)
      const backends = TaskBackends.layerFromPool.pipe(
        Layer.provide(Layer.mergeAll(
          Layer.succeed(ServerPool, pool),
          ClaudeExecutor.layerWithoutDependencies({ inheritEnv: false, env: offlineClaudeEnv(home, fake.baseUrl) as Record<string, string> })
        ))
      )
      const executor = yield* Executor.pipe(Effect.provide(Executor.layerWithoutDependencies.pipe(Layer.provide(Layer.mergeAll(backends, routingFromValues())))))
      const results = yield* executor.executeTasks([
        { id: "plan", description: "Plan the auth module", agent: "architect" },
        { id: "build", description: "Implement the auth module", agent: "executor", dependsOn: ["plan"], files: ["src/auth/**"] },
        { id: "scan", description: "List the auth files", agent: "explore", files: ["docs/**"] }
      ], { mode: "hulw", directory: poolOptions.projectDir, defaultTimeout: 60_000 })

      expect(results.map((r) => [r.taskId, r.success, r.target, r.provider, r.error])).toEqual([
        ["plan", true, "claude", "anthropic", undefined],
        ["build", true, "opencode", "openai", undefined],
        ["scan", true, "opencode", "google", undefined]
      ])
      expect(results[0]!.output).toBe("SUBAGENT-RAN: Plan the auth module")
      expect(results[0]!.model).toMatch(/^claude-opus/)
      expect(results[1]).toMatchObject({ model: "gpt-5.2-codex" })
      expect(results[1]!.output).toContain("Implement the auth module")
      expect(results[2]).toMatchObject({ model: "gemini-3-flash" })
      expect(results.every((r) => r.tokens.input > 0 && r.executionTime > 0)).toBe(true)
    }).pipe(Effect.provide(Layer.mergeAll(PoolDeps, NodeContext.layer))), 180_000)
})
