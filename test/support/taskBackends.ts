import { Clock, Effect, Layer, Ref } from "effect"
import type { ExecutionResult } from "../../src/domain/execution"
import { ClaudeUsage } from "../../src/services/router/ClaudeUsage"
import { Config, type DeepPartial, deepMerge } from "../../src/services/config/Config"
import { FusionRouter } from "../../src/services/router/FusionRouter"
import { RouterState } from "../../src/services/router/RouterState"
import { Sessions } from "../../src/services/router/Sessions"
import { CatalogCache } from "../../src/services/models/CatalogCache"
import { Store } from "../../src/services/store/Store"
import { ProviderBalancer } from "../../src/services/balancer/ProviderBalancer"
import { type TaskBackendError, TaskBackends } from "../../src/services/executor/TaskBackends"
import type { AgentMapping, OmcmConfig } from "../../src/domain/configSchema"
import { SIMULATED_TIER_MODELS } from "./simulatedModels"

export interface BackendCall {
  readonly backend: "claude" | "opencode"
  readonly prompt: string
  readonly model: string | undefined
  readonly timeout: number
  readonly start: number
  readonly end: number
}

export interface Script {
  /** how long the call takes (TestClock time), by prompt */
  readonly durationMs?: (prompt: string) => number
  /** fail this call with the error, by prompt */
  readonly fail?: (prompt: string) => TaskBackendError | undefined
}

/**
 * Backends that take the scripted (clock) time, record each call's start and end, and track how many calls are
 * in flight at once.
 */
export const recordingBackends = (script: Script = {}) =>
  Effect.gen(function*() {
    const calls = yield* Ref.make<ReadonlyArray<BackendCall>>([])
    const inFlight = yield* Ref.make(0)
    const maxInFlight = yield* Ref.make(0)
    const run = (backend: "claude" | "opencode", prompt: string, model: string | undefined, timeout: number) =>
      Effect.gen(function*() {
        const start = yield* Clock.currentTimeMillis
        const now = yield* Ref.updateAndGet(inFlight, (n) => n + 1)
        yield* Ref.update(maxInFlight, (m) => Math.max(m, now))
        yield* Effect.sleep(script.durationMs?.(prompt) ?? 100).pipe(Effect.ensuring(Ref.update(inFlight, (n) => n - 1)))
        const end = yield* Clock.currentTimeMillis
        yield* Ref.update(calls, (all) => [...all, { backend, prompt, model, timeout, start, end }])
        const error = script.fail?.(prompt)
        if (error !== undefined) return yield* Effect.fail(error)
        const [provider, name] = backend === "claude" ? ["anthropic", `claude-${model}`] : (model ?? "x/y").split("/")
        return {
          stdout: `done: ${prompt}`,
          stderr: "",
          exitCode: 0,
          executionTime: end - start,
          tokens: { input: 10, output: 5, reasoning: 0, cacheRead: 0, cacheWrite: 0 },
          cost: 0.001,
          provider: provider!,
          model: name!,
          serverPort: backend === "claude" ? null : 4096
        } satisfies ExecutionResult
      })
    const layer = TaskBackends.make({
      claude: (prompt, o) => run("claude", prompt, o.model, o.timeout),
      opencode: (prompt, o) => run("opencode", prompt, o.model, o.timeout)
    })
    const callOf = (prompt: string) =>
      Effect.map(Ref.get(calls), (all) => {
        const call = all.find((c) => c.prompt === prompt)
        if (call === undefined) throw new Error(`no call for ${prompt}`)
        return call
      })
    return { layer, calls: Ref.get(calls), callOf, maxInFlight: Ref.get(maxInFlight) }
  })

const unknownUsage = ClaudeUsage.of({
  current: () => Effect.succeed({ percent: 0, fiveHour: null, weekly: null, source: "unknown" }),
  saveStatusline: () => Effect.succeedNone,
  readStatuslineCache: Effect.succeedNone
})

/** FusionRouter and Config from values in code (the tiers on the simulated model ids): no files, no network, in-memory router state */
export const routingFromValues = (overrides: DeepPartial<OmcmConfig> = {}, mapping: AgentMapping = {}) =>
  Layer.mergeAll(FusionRouter.layerWithoutDependencies, ProviderBalancer.layerWithoutDependencies).pipe(
    Layer.provideMerge(Layer.mergeAll(
      Layer.succeed(ClaudeUsage, unknownUsage),
      RouterState.memory,
      CatalogCache.none,
      Sessions.layerWithoutDependencies,
      Layer.succeed(Config, Config.make(deepMerge({ models: SIMULATED_TIER_MODELS }, overrides) as DeepPartial<OmcmConfig>, mapping))
    )),
    Layer.provide(Store.layerInMemory)
  )
