/**
 * The seed's Parallel Executor: runs a task list in dependency order, never two tasks with overlapping file
 * patterns at once, at most `maxConcurrent` at a time, each routed by FusionRouter (or forced by its `provider`)
 * and run on Claude or OpenCode through `TaskBackends`.
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FiberMap from "effect/FiberMap"
import * as Layer from "effect/Layer"
import * as Queue from "effect/Queue"
import * as Schema from "effect/Schema"
import { agentName, lookupAgent, detectMode, FusionRouter } from "../router"
import type { AgentMapping, OmcmConfig } from "../../domain/configSchema"
import { type InputError, type StateError, InputError as InputErrorClass } from "../../domain/errors"
import { type ExecutionResult, totalTokens, zeroTokens } from "../../domain/execution"
import { Mode, splitModelId, type Target, type Tier, TIERS } from "../../domain/model"
import {
  decodeTaskList,
  type Task,
  type TaskGraphError,
  type TaskInput,
  type TaskListInvalid,
  type TaskProvider,
  type TaskResult
} from "./task"
import { dependentsToSkip, planTasksInterruptibly, startable, type TaskStatus } from "./taskGraph"
import { analyzeTask, type ExecutionStrategy, selectStrategy } from "./taskStrategy"
import { decodeUnknown } from "../../lib/jsonFile"
import { formatParseError } from "../../lib/schemaErrors"
import { Config } from "../config"
import { explicitIds } from "../models"
import { ProviderBalancer } from "../balancer"
import type { SharedPoolOptions } from "../daemon"
import { TaskBackends } from "./TaskBackends"

export { canRunInParallel, parallelCheck } from "./taskGraph"
export { analyzeTask, selectStrategy } from "./taskStrategy"

/**
 * - `parallel`: everything that is ready runs at once, up to `maxConcurrent`.
 * - `sequential`: one task at a time, in dependency order (list order among independent tasks).
 * - `hybrid`: like parallel, but tasks routed to Claude run one at a time among themselves, so a fan-out spreads
 *   over the OpenCode pool instead of bursting Claude usage.
 * Dependencies and file conflicts hold under every strategy.
 */
export const ExecutionStrategyName = Schema.Literal("parallel", "sequential", "hybrid")
export type ExecutionStrategyName = typeof ExecutionStrategyName.Type

export const ExecuteTasksOptions = Schema.Struct({
  /** default 3 */
  maxConcurrent: Schema.optional(
    Schema.Int.pipe(Schema.between(1, 64)).annotations({ message: () => "expected a whole number from 1 to 64" })
  ),
  /** default hybrid */
  strategy: Schema.optional(ExecutionStrategyName.annotations({ message: () => `expected "parallel", "sequential" or "hybrid"` })),
  /** the fusion mode routing uses; default: a mode keyword in the description, else the session's, else off */
  mode: Schema.optional(Mode),
  sessionId: Schema.optional(Schema.String),
  /** Claude usage %, overriding every other source */
  usage: Schema.optional(Schema.Number.pipe(Schema.between(0, 100))),
  /** the project the tasks work in; default: the current directory */
  directory: Schema.optional(Schema.String.pipe(Schema.minLength(1))),
  /** ms for tasks without `timeout`; default: pool.requestTimeoutSeconds */
  defaultTimeout: Schema.optional(Schema.Int.pipe(Schema.greaterThan(0))),
  /** put before every task's description, e.g. the Markdown of a handoff context */
  preamble: Schema.optional(Schema.String),
  /** the OpenCode agent OpenCode-routed tasks run as; default: OpenCode's default */
  opencodeAgent: Schema.optional(Schema.String.pipe(Schema.minLength(1)))
})
export type ExecuteTasksOptions = typeof ExecuteTasksOptions.Type

/** A forced provider has no model in config.json's `models` nor in agent-mapping.json's `providers`. */
export class NoModelForProvider extends Data.TaggedError("NoModelForProvider")<{
  readonly taskId: string
  readonly provider: string
}> {
  override get message() {
    return `task "${this.taskId}": no model configured for provider "${this.provider}" (add one to models in config.json or to providers.${this.provider}.models in agent-mapping.json)`
  }
}

export type ExecutorError = TaskListInvalid | TaskGraphError | NoModelForProvider | StateError | InputError

/** Where a task runs and why. */
export interface TaskRoute {
  readonly taskId: string
  readonly target: Target
  readonly provider: string
  readonly model: string
  readonly tier: Tier
  readonly agent: string
  readonly reason: string
  /** the fusion mode the route was decided under (a forced provider: the given or detected mode, else off) */
  readonly mode: Mode
  readonly strategy: ExecutionStrategy
  /** OpenCode: the tier's candidates the call may fail over across, `provider/model` first */
  readonly candidates?: ReadonlyArray<string> | undefined
}

/**
 * Told as the run goes: `started` before a task's backend call, `settled` once its result is known (skipped
 * tasks too, when they are skipped). Both run on the executor's fibers, so they should be quick and never fail.
 */
export interface TaskObserver {
  readonly started?: ((route: TaskRoute) => Effect.Effect<void>) | undefined
  readonly settled?: ((result: TaskResult, route: TaskRoute) => Effect.Effect<void>) | undefined
}

export interface ExecutorShape {
  /** results in the order of `tasks`; fails only when the list or the graph is invalid or routing fails */
  readonly executeTasks: (
    tasks: ReadonlyArray<TaskInput>,
    options?: ExecuteTasksOptions,
    observer?: TaskObserver
  ) => Effect.Effect<ReadonlyArray<TaskResult>, ExecutorError>
  /** where each task would run, without running anything (a dry run) */
  readonly planRoutes: (
    tasks: ReadonlyArray<TaskInput>,
    options?: ExecuteTasksOptions
  ) => Effect.Effect<ReadonlyArray<TaskRoute>, ExecutorError>
}

export class Executor extends Context.Tag("omcm/Executor")<Executor, ExecutorShape>() {
  /** feeds latencies and token usage to ProviderBalancer */
  static readonly layerWithoutDependencies: Layer.Layer<Executor, never, FusionRouter | Config | TaskBackends | ProviderBalancer> = Layer.effect(
    Executor,
    Effect.gen(function*() {
      const router = yield* FusionRouter
      const { config, mapping } = yield* Config
      const backends = yield* TaskBackends
      const balancer = yield* ProviderBalancer
      return makeExecutor({ router, config, mapping, backends, balancer })
    })
  )

  /** tasks on the pool daemon or one pool of this process, and on `claude -p` (see TaskBackends.layer) */
  static readonly layer = (options: SharedPoolOptions = {}) =>
    Executor.layerWithoutDependencies.pipe(
      Layer.provide([FusionRouter.layer, Config.layer, TaskBackends.layer(options), ProviderBalancer.layer])
    )
}

interface Deps {
  readonly router: FusionRouter["Type"]
  readonly config: OmcmConfig
  readonly mapping: AgentMapping
  readonly backends: TaskBackends["Type"]
  readonly balancer: ProviderBalancer["Type"]
}

/** time a backend gets beyond the task's own timeout before the executor gives up on it */
const BACKEND_GRACE_MS = 10_000

const firstLine = (text: string) => text.split("\n").find((l) => l.trim().length > 0)?.trim() ?? text

const modelIds = (config: OmcmConfig, tier: Tier): ReadonlyArray<string> => {
  const tiers = [tier, ...TIERS.filter((t) => t !== tier)]
  return tiers.flatMap((t) => [...explicitIds(config.models[t].opencode), config.models[t].claude])
}

const PROVIDER_KEYS: Readonly<Record<Exclude<TaskProvider, "auto" | "claude">, ReadonlyArray<string>>> = {
  openai: ["openai"],
  google: ["google", "gemini"]
}

/** the model a task forced to OpenAI or Google runs on: the tier's model of that provider, another tier's, or agent-mapping's */
const forcedModel = (config: OmcmConfig, mapping: AgentMapping, tier: Tier, provider: "openai" | "google") => {
  const fromConfig = modelIds(config, tier).find((id) => splitModelId(id).provider === provider)
  if (fromConfig !== undefined) return { id: fromConfig, source: "config.json models" }
  for (const key of PROVIDER_KEYS[provider]) {
    const first = mapping.providers?.[key]?.models?.[0]
    if (first !== undefined) return { id: first.includes("/") ? first : `${provider}/${first}`, source: `agent-mapping.json providers.${key}` }
  }
  return undefined
}

export const makeExecutor = ({ backends, balancer, config, mapping, router }: Deps): ExecutorShape => {
  const decodeOptions = (options: ExecuteTasksOptions | undefined) =>
    decodeUnknown(ExecuteTasksOptions)(options ?? {}).pipe(
      Effect.mapError((error) => new InputErrorClass({ message: formatParseError("executeTasks options", options, error) }))
    )

  const routeTask = (task: Task, options: ExecuteTasksOptions): Effect.Effect<TaskRoute, NoModelForProvider | StateError | InputError> =>
    Effect.gen(function*() {
      const strategy = selectStrategy(task)
      const rawAgent = analyzeTask(task).suggestedAgent
      const agent = agentName(rawAgent)
      const provider = task.provider ?? "auto"
      if (provider === "auto") {
        const d = yield* router.decide({ agent: rawAgent, prompt: task.description, mode: options.mode, usage: options.usage, sessionId: options.sessionId })
        return {
          taskId: task.id,
          target: d.target,
          provider: d.provider,
          model: d.model,
          tier: d.tier,
          agent,
          reason: d.reason,
          mode: d.mode,
          strategy,
          candidates: d.candidates
        }
      }
      const info = lookupAgent(config, mapping, rawAgent)
      const mode = options.mode ?? detectMode(task.description, config.modes)?.mode ?? "off"
      if (provider === "claude") {
        const { model, provider: p } = splitModelId(info.claudeModel)
        const reason = `provider "claude" forced by the task; ${info.tier}-tier Claude model ${info.claudeModel}`
        return { taskId: task.id, target: "claude", provider: p, model, tier: info.tier, agent, reason, mode, strategy }
      }
      const found = forcedModel(config, mapping, info.tier, provider)
      if (found === undefined) return yield* new NoModelForProvider({ taskId: task.id, provider })
      const { model, provider: p } = splitModelId(found.id)
      const reason = `provider "${provider}" forced by the task; model ${found.id} from ${found.source}`
      return { taskId: task.id, target: "opencode", provider: p, model, tier: info.tier, agent, reason, mode, strategy }
    })

  /** `conflicts`: whether the plan looks for file conflicts (a run needs them; routes alone do not) */
  const prepare = (input: ReadonlyArray<TaskInput>, rawOptions: ExecuteTasksOptions | undefined, conflicts = true) =>
    Effect.gen(function*() {
      const options = yield* decodeOptions(rawOptions)
      const tasks = yield* decodeTaskList(input)
      const plan = yield* planTasksInterruptibly(tasks, { conflicts })
      const routes = yield* Effect.forEach(tasks, (task) => routeTask(task, options))
      return { options, tasks, plan, routes }
    })

  const resultOf = (task: Task, route: TaskRoute, fields: Partial<TaskResult>): TaskResult => ({
    taskId: task.id,
    success: false,
    target: route.target,
    provider: route.provider,
    model: route.model,
    agent: route.agent,
    output: "",
    executionTime: 0,
    tokens: zeroTokens,
    cost: null,
    reason: route.reason,
    ...fields
  })

  // OpenCode calls are measured by the Delegator's failover, per candidate that answered; Claude's here
  const feedBalancer = (route: TaskRoute, result: TaskResult) =>
    result.skipped === true || route.target === "opencode"
      ? Effect.void
      : Effect.zipRight(
        balancer.recordLatency(route.provider, result.executionTime),
        balancer.addTokenUsage(route.provider, totalTokens(result.tokens))
      ).pipe(Effect.ignore)

  /** run one routed task; never fails: a failure is a result with `success: false` */
  const runTask = (task: Task, route: TaskRoute, options: ExecuteTasksOptions, observer: TaskObserver): Effect.Effect<TaskResult> =>
    Effect.gen(function*() {
      if (observer.started !== undefined) yield* observer.started(route)
      const timeout = task.timeout ?? options.defaultTimeout ?? config.pool.requestTimeoutSeconds * 1000
      const directory = options.directory ?? process.cwd()
      const prompt = options.preamble === undefined || options.preamble.length === 0
        ? task.description
        : `${options.preamble}\n\n---\n\n${task.description}`
      const call = route.target === "claude"
        ? backends.claude(prompt, { model: route.model, cwd: directory, timeout })
        : backends.opencode(prompt, {
          model: `${route.provider}/${route.model}`,
          candidates: route.candidates,
          agent: options.opencodeAgent,
          timeout,
          directory
        })
      const started = yield* Clock.currentTimeMillis
      const outcome = yield* call.pipe(
        Effect.timeoutFail({
          duration: Duration.millis(timeout + BACKEND_GRACE_MS),
          onTimeout: () => ({ message: `no answer within ${timeout} ms` })
        }),
        Effect.mapError((error) => firstLine(error.message)),
        Effect.catchAllDefect((defect) => Effect.fail(`backend failed unexpectedly: ${firstLine(String(defect))}`)),
        Effect.either
      )
      const executionTime = (yield* Clock.currentTimeMillis) - started
      const result = Either.match(outcome, {
        onLeft: (error) => resultOf(task, route, { error, executionTime }),
        onRight: (r: ExecutionResult) =>
          resultOf(task, route, {
            success: r.exitCode === 0,
            provider: r.provider,
            model: r.model,
            output: r.stdout,
            // the backend's own measure: a pool started for the run on this call does not count as the task's time
            executionTime: Math.min(r.executionTime, executionTime),
            tokens: r.tokens,
            cost: r.cost,
            ...(r.exitCode === 0 ? {} : { error: firstLine(r.stderr.length > 0 ? r.stderr : `exit code ${r.exitCode}`) })
          })
      })
      yield* feedBalancer(route, result)
      return result
    }).pipe(
      Effect.catchAllCause((cause) =>
        Cause.isInterruptedOnly(cause)
          ? Effect.failCause(cause)
          : Effect.succeed(resultOf(task, route, { error: `executor failed: ${firstLine(Cause.pretty(cause))}` }))
      )
    )

  const executeTasks = (input: ReadonlyArray<TaskInput>, rawOptions?: ExecuteTasksOptions, observer: TaskObserver = {}) =>
    Effect.scoped(Effect.gen(function*() {
      const { options, plan, routes, tasks } = yield* prepare(input, rawOptions)
      const strategy = options.strategy ?? "hybrid"
      const limits = {
        maxConcurrent: strategy === "sequential" ? 1 : options.maxConcurrent ?? 3,
        oneAtATime: strategy === "hybrid" ? routes.map((r) => r.target === "claude") : undefined
      }
      const status: Array<TaskStatus> = tasks.map(() => "pending")
      const results: Array<TaskResult | undefined> = tasks.map(() => undefined)
      const finished = yield* Queue.unbounded<readonly [number, TaskResult]>()
      const running = yield* FiberMap.make<string>()

      /** the indices whose result is now known: this one, and the dependents it makes skip */
      const settle = (index: number, result: TaskResult): ReadonlyArray<number> => {
        results[index] = result
        status[index] = result.skipped === true ? "skipped" : result.success ? "succeeded" : "failed"
        if (status[index] === "succeeded") return [index]
        const skipped = dependentsToSkip(plan, status, index)
        for (const { index: d, reason } of skipped) {
          status[d] = "skipped"
          results[d] = resultOf(tasks[d]!, routes[d]!, { error: reason, skipped: true })
        }
        return [index, ...skipped.map((s) => s.index)]
      }
      const tell = (indices: ReadonlyArray<number>) =>
        observer.settled === undefined
          ? Effect.void
          : Effect.forEach(indices, (i) => observer.settled!(results[i]!, routes[i]!), { discard: true })

      while (status.some((s) => s === "pending" || s === "running")) {
        for (const i of startable(plan, status, limits)) {
          status[i] = "running"
          yield* FiberMap.run(running, tasks[i]!.id, runTask(tasks[i]!, routes[i]!, options, observer).pipe(
            Effect.flatMap((result) => Queue.offer(finished, [i, result] as const))
          ))
        }
        // every pending task waits for a running one (failed dependencies skip their dependents at once)
        if (!status.includes("running")) break
        const [index, result] = yield* Queue.take(finished)
        yield* tell(settle(index, result))
      }
      const unreached = tasks.flatMap((task, i) => {
        if (results[i] !== undefined) return []
        results[i] = resultOf(task, routes[i]!, { error: "skipped: never became runnable", skipped: true })
        return [i]
      })
      yield* tell(unreached)
      return tasks.map((_, i) => results[i]!)
    }))

  const planRoutes = (input: ReadonlyArray<TaskInput>, rawOptions?: ExecuteTasksOptions) =>
    Effect.map(prepare(input, rawOptions, false), ({ routes }) => routes)

  return { executeTasks, planRoutes }
}
