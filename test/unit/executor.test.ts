import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Layer, TestClock } from "effect"
import { ClaudeFailed } from "../../src/services/executor/ClaudeExecutor"
import { type ExecuteTasksOptions, Executor } from "../../src/services/executor/Executor"
import { OpenCodeProviderError } from "../../src/services/pool/opencodeApi"
import type { TaskInput } from "../../src/services/executor/task"
import { ProviderBalancer } from "../../src/services/balancer/ProviderBalancer"
import { balancerSettings } from "../../src/services/balancer/strategies"
import { TaskBackends } from "../../src/services/executor/TaskBackends"
import { recordingBackends, routingFromValues, type Script } from "../support/taskBackends"

/** run the tasks on recording backends under the TestClock, advancing it until everything is done */
const run = (tasks: ReadonlyArray<TaskInput>, options: ExecuteTasksOptions, script: Script = {}) =>
  Effect.gen(function*() {
    const backends = yield* recordingBackends(script)
    const executor = yield* Executor.pipe(
      Effect.provide(Executor.layerWithoutDependencies.pipe(Layer.provide(Layer.mergeAll(backends.layer, routingFromValues()))))
    )
    const fiber = yield* Effect.fork(executor.executeTasks(tasks, { mode: "hulw", ...options }))
    yield* TestClock.adjust("10 minutes")
    const results = yield* Fiber.join(fiber)
    return { results, ...backends }
  })

const task = (id: string, extra: Partial<TaskInput> = {}): TaskInput => ({ id, description: id, agent: "executor", ...extra })

describe("Executor ordering", () => {
  it.effect("a task starts only after all its dependencies ended (seed example: 3 after 1 and 2)", () =>
    Effect.gen(function*() {
      const tasks = [
        task("task-1", { files: ["src/services/user.ts"] }),
        task("task-2", { files: ["src/services/auth.ts"] }),
        task("task-3", { files: ["src/__tests__/integration.test.ts"], dependsOn: ["task-1", "task-2"] })
      ]
      const durations: Record<string, number> = { "task-1": 100, "task-2": 300, "task-3": 50 }
      const { callOf, results } = yield* run(tasks, { maxConcurrent: 3, strategy: "parallel" }, { durationMs: (p) => durations[p]! })
      const [c1, c2, c3] = [yield* callOf("task-1"), yield* callOf("task-2"), yield* callOf("task-3")]
      expect([c1.start, c2.start]).toEqual([0, 0])
      expect(c3.start).toBe(Math.max(c1.end, c2.end))
      expect(c3.start).toBe(300)
      expect(results.map((r) => [r.taskId, r.success])).toEqual([["task-1", true], ["task-2", true], ["task-3", true]])
      expect(results[1]!.executionTime).toBe(300)
    }))

  it.effect("results come back in input order even when the graph runs in another order", () =>
    Effect.gen(function*() {
      const tasks = [task("c", { dependsOn: ["b"] }), task("b", { dependsOn: ["a"] }), task("a")]
      const { calls, results } = yield* run(tasks, { strategy: "parallel" })
      expect((yield* calls).map((c) => c.prompt)).toEqual(["a", "b", "c"])
      expect(results.map((r) => r.taskId)).toEqual(["c", "b", "a"])
    }))

  it.effect("sequential runs one task at a time in dependency order", () =>
    Effect.gen(function*() {
      const tasks = [task("x"), task("y", { dependsOn: ["z"] }), task("z")]
      const { calls, maxInFlight } = yield* run(tasks, { strategy: "sequential", maxConcurrent: 5 })
      expect((yield* calls).map((c) => [c.prompt, c.start])).toEqual([["x", 0], ["z", 100], ["y", 200]])
      expect(yield* maxInFlight).toBe(1)
    }))
})

describe("Executor limits", () => {
  it.effect("tasks whose file globs overlap never run at the same time; disjoint ones do", () =>
    Effect.gen(function*() {
      const tasks = [
        task("auth-all", { files: ["src/auth/**"] }),
        task("auth-login", { files: ["src/auth/login.ts"] }),
        task("api", { files: ["src/api/**"] }),
        task("ui", { files: ["src/ui/**/*.tsx"] })
      ]
      const { callOf } = yield* run(tasks, { maxConcurrent: 4, strategy: "parallel" })
      const [all, login, api, ui] = [yield* callOf("auth-all"), yield* callOf("auth-login"), yield* callOf("api"), yield* callOf("ui")]
      expect(login.start).toBeGreaterThanOrEqual(all.end)
      expect([all.start, api.start, ui.start]).toEqual([0, 0, 0])
    }))

  it.effect("never more than maxConcurrent calls in flight", () =>
    Effect.gen(function*() {
      const tasks = Array.from({ length: 9 }, (_, i) => task(`t${i}`))
      const { calls, maxInFlight, results } = yield* run(tasks, { maxConcurrent: 2, strategy: "parallel" })
      expect(yield* maxInFlight).toBe(2)
      expect((yield* calls).map((c) => c.start)).toEqual([0, 0, 100, 100, 200, 200, 300, 300, 400])
      expect(results.every((r) => r.success)).toBe(true)
    }))

  it.effect("hybrid runs Claude-routed tasks one at a time while OpenCode ones run in parallel", () =>
    Effect.gen(function*() {
      const tasks = [
        task("plan-a", { agent: "architect" }),
        task("plan-b", { agent: "architect" }),
        task("code-a"),
        task("code-b")
      ]
      const { callOf } = yield* run(tasks, { maxConcurrent: 4, strategy: "hybrid" })
      const starts = [yield* callOf("plan-a"), yield* callOf("plan-b"), yield* callOf("code-a"), yield* callOf("code-b")].map((c) => c.start)
      expect(starts).toEqual([0, 100, 0, 0])
    }))
})

describe("Executor failures", () => {
  it.effect("a failed task skips its dependents, transitively, with the reason; others go on", () =>
    Effect.gen(function*() {
      const tasks = [
        task("build"),
        task("test", { dependsOn: ["build"] }),
        task("deploy", { dependsOn: ["test"] }),
        task("docs")
      ]
      const { calls, results } = yield* run(tasks, { strategy: "parallel" }, {
        fail: (p) =>
          p === "build"
            ? new OpenCodeProviderError({ kind: "rate-limit", providerID: "openai", modelID: "gpt-5.2-codex", message: "openai rate limit (429)" })
            : undefined
      })
      expect((yield* calls).map((c) => c.prompt).sort()).toEqual(["build", "docs"])
      expect(results.map((r) => ({ id: r.taskId, success: r.success, skipped: r.skipped ?? false, error: r.error }))).toEqual([
        { id: "build", success: false, skipped: false, error: "openai rate limit (429)" },
        { id: "test", success: false, skipped: true, error: `skipped: dependency "build" failed` },
        { id: "deploy", success: false, skipped: true, error: `skipped: dependency "test" was skipped` },
        { id: "docs", success: true, skipped: false, error: undefined }
      ])
      // a skipped task still says where it would have run
      expect(results[1]).toMatchObject({ target: "opencode", provider: "openai", model: "gpt-5.2-codex", executionTime: 0 })
    }))

  it.effect("a task whose dependency failed is not started even if its other dependency succeeds later", () =>
    Effect.gen(function*() {
      const tasks = [task("slow"), task("bad"), task("join", { dependsOn: ["slow", "bad"] })]
      const { calls, results } = yield* run(tasks, { strategy: "parallel" }, {
        durationMs: (p) => (p === "slow" ? 500 : 10),
        fail: (p) => (p === "bad" ? new ClaudeFailed({ exitCode: 1, stderrTail: "", message: "claude exited 1" }) : undefined)
      })
      expect((yield* calls).map((c) => c.prompt)).toEqual(["bad", "slow"])
      expect(results[2]).toMatchObject({ skipped: true, error: `skipped: dependency "bad" failed` })
    }))

  it.effect("cycles, unknown dependencies and duplicate ids are typed errors, and nothing runs", () =>
    Effect.gen(function*() {
      const cycle = yield* Effect.flip(run([task("a", { dependsOn: ["c"] }), task("b", { dependsOn: ["a"] }), task("c", { dependsOn: ["b"] }), task("free")], {}))
      expect(cycle._tag).toBe("DependencyCycle")
      expect(cycle.message).toBe("dependency cycle: a -> c -> b -> a (each task waits for the next)")
      const unknown = yield* Effect.flip(run([task("a", { dependsOn: ["ghost"] })], {}))
      expect(unknown.message).toBe(`task "a" depends on "ghost", which is not in the task list`)
      const duplicate = yield* Effect.flip(run([task("a"), task("b"), task("a")], {}))
      expect(duplicate.message).toBe(`task id "a" is used by more than one task (tasks #1, #3)`)
    }))

  it.effect("a bad task list fails with one line naming the task and the field", () =>
    Effect.gen(function*() {
      const bad = [task("ok"), { id: "slow", description: "x", timeout: -5 }] as unknown as ReadonlyArray<TaskInput>
      const error = yield* Effect.flip(run(bad, {}))
      expect(error.message).toBe(`task "slow" (#2): timeout: expected a whole number of milliseconds above 0, got -5`)
      const badProvider = [{ id: "p", description: "x", provider: "mistral" }] as unknown as ReadonlyArray<TaskInput>
      expect((yield* Effect.flip(run(badProvider, {}))).message).toBe(
        `task "p" (#1): provider: expected one of "claude", "openai", "google", "auto", got "mistral"`
      )
      const badOptions = yield* Effect.flip(run([task("a")], { maxConcurrent: 0 }))
      expect(badOptions.message).toBe("executeTasks options: maxConcurrent: expected a whole number from 1 to 64, got 0")
    }))
})

describe("Executor routing", () => {
  it.effect("HIGH agents go to the Claude backend, MEDIUM and LOW to OpenCode with the configured models", () =>
    Effect.gen(function*() {
      const tasks = [
        task("design", { agent: "planner" }),
        task("implement", { agent: "executor" }),
        task("look", { agent: "explore" })
      ]
      const { callOf, results } = yield* run(tasks, { strategy: "parallel" })
      expect(yield* callOf("design")).toMatchObject({ backend: "claude", model: "opus" })
      expect(yield* callOf("implement")).toMatchObject({ backend: "opencode", model: "openai/gpt-5.2-codex" })
      expect(yield* callOf("look")).toMatchObject({ backend: "opencode", model: "google/gemini-3-flash" })
      expect(results.map((r) => [r.target, r.agent])).toEqual([["claude", "planner"], ["opencode", "executor"], ["opencode", "explore"]])
      expect(results[0]!.reason).toContain("HIGH")
      expect(results[1]).toMatchObject({ provider: "openai", model: "gpt-5.2-codex", output: "done: implement", cost: 0.001 })
    }))

  it.effect("a task's provider forces the backend and takes that provider's configured model", () =>
    Effect.gen(function*() {
      const tasks = [
        task("to-claude", { agent: "explore", provider: "claude" }),
        task("to-google", { agent: "executor", provider: "gemini" }),
        task("to-openai", { agent: "architect", provider: "openai" })
      ]
      const { callOf } = yield* run(tasks, { strategy: "parallel" })
      expect(yield* callOf("to-claude")).toMatchObject({ backend: "claude", model: "haiku" })
      expect(yield* callOf("to-google")).toMatchObject({ backend: "opencode", model: "google/gemini-3-flash" })
      expect(yield* callOf("to-openai")).toMatchObject({ backend: "opencode", model: "openai/gpt-5.2" })
    }))

  it.effect("without a mode keyword and with fusionDefault false, everything stays on Claude", () =>
    Effect.gen(function*() {
      const { calls } = yield* run([task("a", { agent: "architect-low" })], { mode: undefined })
      expect((yield* calls).map((c) => c.backend)).toEqual(["claude"])
    }))

  it.effect("a task without agent gets the one its description suggests; the timeout reaches the backend", () =>
    Effect.gen(function*() {
      const { callOf, results } = yield* run([{ id: "t", description: "Write integration tests", timeout: 1234 }], {})
      expect(results[0]!.agent).toBe("qa-tester")
      expect((yield* callOf("Write integration tests")).timeout).toBe(1234)
    }))

  it.effect("the preamble goes before each description", () =>
    Effect.gen(function*() {
      const { calls } = yield* run([task("a")], { preamble: "# Task Handoff Context" })
      expect((yield* calls)[0]!.prompt).toBe("# Task Handoff Context\n\n---\n\na")
    }))

  it.effect("finished Claude tasks feed the ProviderBalancer's latency and usage (OpenCode ones are fed by the Delegator's failover)", () =>
    Effect.gen(function*() {
      const backends = yield* recordingBackends({ durationMs: (p) => (p === "design" ? 700 : 200) })
      const layer = Executor.layerWithoutDependencies.pipe(
        Layer.provideMerge(Layer.mergeAll(backends.layer, routingFromValues(), ProviderBalancer.make(balancerSettings({}))))
      )
      const { balancer, executor } = yield* Effect.all({ executor: Executor, balancer: ProviderBalancer }).pipe(Effect.provide(layer))
      const fiber = yield* Effect.fork(executor.executeTasks([task("design", { agent: "architect" }), task("code")], { mode: "hulw" }))
      yield* TestClock.adjust("1 minute")
      yield* Fiber.join(fiber)
      const stats = yield* balancer.getStats
      expect(stats.latencies).toEqual({ claude: 700, openai: null, gemini: null })
      expect(stats.tokenUsage).toEqual({ claude: 15, openai: 0, gemini: 0 })
    }))

  it.effect("a backend that never answers is given up after its timeout plus grace, as a failed task", () =>
    Effect.gen(function*() {
      const hang = yield* Deferred.make<never>()
      const layer = Executor.layerWithoutDependencies.pipe(Layer.provide(Layer.mergeAll(
        TaskBackends.make({ claude: () => Deferred.await(hang), opencode: () => Deferred.await(hang) }),
        routingFromValues()
      )))
      const executor = yield* Executor.pipe(Effect.provide(layer))
      const fiber = yield* Effect.fork(executor.executeTasks([task("stuck", { timeout: 1000 }), task("after", { dependsOn: ["stuck"] })], { mode: "hulw" }))
      yield* TestClock.adjust("11 seconds")
      const results = yield* Fiber.join(fiber)
      expect(results.map((r) => r.error)).toEqual(["no answer within 1000 ms", `skipped: dependency "stuck" failed`])
      expect(results[0]!.executionTime).toBe(11_000)
    }))
})
