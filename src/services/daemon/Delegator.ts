import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import { type ExecutionResult, totalTokens } from "../../domain/execution"
import { type CandidatesExhausted, ProviderBalancer } from "../balancer"
import type { EnvFileUnreadable, InvalidSecretPattern } from "../../lib/redact"
import { Config, Paths } from "../config"
import {
  makeServerPool,
  type OpenCodeClient,
  type OpenCodeNotFound,
  type PoolExecuteError,
  type PoolOverrides,
  poolOptionsFromConfig,
  PoolRuntimeLive,
  type PortsExhausted,
  type ServerPoolShape,
  type ServerStartFailed,
  type SessionPolicy
} from "../pool"
import { DaemonClient } from "./DaemonClient"
import { classifyDelegationFailure, type DelegationAttemptError } from "./delegationFailure"

export type { DelegationAttemptError } from "./delegationFailure"
import { readLaunchState } from "./daemonLaunch"
import { redactOutgoing } from "./redaction"
import type { DaemonState } from "./daemonState"

export interface DelegationRequest {
  readonly prompt: string
  /** `provider/model` */
  readonly model: string
  readonly agent?: string | undefined
  /** the project OpenCode works in */
  readonly directory: string
  readonly timeoutMs: number
  readonly title?: string | undefined
  /**
   * the tier's OpenCode candidates (`provider/model`), in the configured order; `model` is the one the router named.
   * Absent: `model` alone. Each is tried while the time lasts, a failed or cooling one left for the next.
   */
  readonly candidates?: ReadonlyArray<string> | undefined
  /** what the session may do and who it is: the agent's role, tools and permissions */
  readonly policy?: SessionPolicy | undefined
  readonly idleTimeoutMs?: number | undefined
  readonly firstOutputTimeoutMs?: number | undefined
}

export interface Delegation {
  readonly result: ExecutionResult
  readonly via: "daemon" | "in-process pool"
}


export type DelegationError = DelegationAttemptError | CandidatesExhausted<DelegationAttemptError> | InvalidSecretPattern | EnvFileUnreadable

/** Runs work on OpenCode: on the pool daemon when one runs, else on a pool of this process. */
export interface DelegatorShape {
  readonly delegate: (request: DelegationRequest) => Effect.Effect<Delegation, DelegationError>
}

type PoolStartError = ServerStartFailed | PortsExhausted | OpenCodeNotFound
type PoolDependencies = Config | Paths | CommandExecutor.CommandExecutor | OpenCodeClient

export interface SharedPoolOptions {
  /** the project the in-process pool's servers start in; default: the current directory */
  readonly projectDir?: string | undefined
}

export class Delegator extends Context.Tag("omcm/Delegator")<Delegator, DelegatorShape>() {
  /** without a daemon, each call starts a one-server pool of its own and stops it after (a hook, `omcm run`) */
  static readonly layerWithoutDependencies: Layer.Layer<Delegator, never, PoolDependencies | DaemonClient | ProviderBalancer> = Layer.effect(
    Delegator,
    Effect.flatMap(Effect.context<PoolDependencies>(), (context) =>
      makeDelegator((request, run) =>
        Effect.scoped(Effect.flatMap(startPool({ minServers: 1, maxServers: 1, projectDir: request.directory }), run)).pipe(
          Effect.provide(context)
        )))
  )

  static readonly layer = Delegator.layerWithoutDependencies.pipe(
    Layer.provide([Config.layer, Paths.layer, DaemonClient.layer, ProviderBalancer.layer, PoolRuntimeLive])
  )

  /**
   * without a daemon, every call shares ONE pool of this process for the layer's lifetime (1 server up to
   * `pool.maxServers`, started on first use): `omcm tasks run`
   */
  static readonly layerSharingPoolWithoutDependencies = (
    options: SharedPoolOptions = {}
  ): Layer.Layer<Delegator, never, PoolDependencies | DaemonClient | ProviderBalancer> =>
    Layer.scoped(
      Delegator,
      Effect.gen(function*() {
        const { config } = yield* Config
        const scope = yield* Effect.scope
        const context = yield* Effect.context<PoolDependencies>()
        // started once, however many calls ask for it at the same time
        const shared = yield* Effect.cached(
          startPool({ minServers: 1, maxServers: config.pool.maxServers, projectDir: options.projectDir ?? process.cwd() }).pipe(
            Scope.extend(scope),
            Effect.provide(context)
          )
        )
        return yield* makeDelegator((_, run) => Effect.flatMap(shared, run))
      })
    )

  static readonly layerSharingPool = (options: SharedPoolOptions = {}) =>
    Delegator.layerSharingPoolWithoutDependencies(options).pipe(
      Layer.provide([Config.layer, Paths.layer, DaemonClient.layer, ProviderBalancer.layer, PoolRuntimeLive])
    )
}

const startPool = (overrides: PoolOverrides) =>
  Effect.gen(function*() {
    const { config } = yield* Config
    const options = yield* poolOptionsFromConfig(config, yield* Paths, { ...overrides, inProcess: true })
    const pool = yield* makeServerPool({ ...options, autoScale: options.autoScale && options.maxServers > 1 })
    yield* pool.initialize
    return pool
  })

type WithPool = (
  request: DelegationRequest,
  run: (pool: ServerPoolShape) => Effect.Effect<ExecutionResult, PoolExecuteError>
) => Effect.Effect<ExecutionResult, PoolExecuteError | PoolStartError>

/** the daemon when one runs; else, or when it died between the lookup and the call, a pool of this process */
const makeDelegator = (withPool: WithPool) =>
  Effect.gen(function*() {
    const daemons = yield* DaemonClient
    const { config } = yield* Config
    // a stalled session is given up long before the overall timeout (config.json `delegation`)
    const withWatchdog = (request: DelegationRequest): DelegationRequest => ({
      ...request,
      idleTimeoutMs: request.idleTimeoutMs ?? config.delegation.idleTimeoutSeconds * 1000,
      firstOutputTimeoutMs: request.firstOutputTimeoutMs ?? config.delegation.firstTokenTimeoutSeconds * 1000
    })
    const inProcess = (request: DelegationRequest) =>
      withPool(request, (pool) =>
        pool.execute(request.prompt, {
          model: request.model,
          agent: request.agent,
          timeout: request.timeoutMs,
          directory: request.directory,
          title: request.title,
          policy: request.policy,
          idleTimeoutMs: request.idleTimeoutMs,
          firstOutputTimeoutMs: request.firstOutputTimeoutMs
        })).pipe(Effect.map((result): Delegation => ({ result, via: "in-process pool" })))

    const paths = yield* Paths
    // a daemon being started (SessionStart launched it a moment ago) is waited for: a server of this process now
    // would only compete with it for the machine
    const startWait = Duration.seconds(config.delegation.daemonStartWaitSeconds)
    const findDaemon: Effect.Effect<Option.Option<DaemonState>> = Effect.flatMap(daemons.find, (found) =>
      Option.isSome(found) ? Effect.succeed(found) : Effect.flatMap(readLaunchState(paths.daemonLaunchFile), (launch) =>
        // not starting (any more): it may have come up between the two looks
        launch._tag !== "starting" ? daemons.find : daemons.find.pipe(
          Effect.flatMap((up) => (Option.isSome(up) ? Effect.succeed(up.value) : Effect.fail("starting" as const))),
          Effect.retry(Schedule.spaced("200 millis")),
          Effect.timeoutOption(startWait),
          Effect.orElseSucceed(() => Option.none<DaemonState>())
        )))
    const delegate = (request: DelegationRequest) =>
        Effect.flatMap(findDaemon, Option.match({
          onNone: () => inProcess(request),
          onSome: (daemon) =>
            daemons.execute(daemon, {
              prompt: request.prompt,
              model: request.model,
              agent: request.agent,
              timeoutMs: request.timeoutMs,
              directory: request.directory,
              title: request.title,
              policy: request.policy,
              idleTimeoutMs: request.idleTimeoutMs,
              firstOutputTimeoutMs: request.firstOutputTimeoutMs
            }).pipe(
              Effect.map((result): Delegation => ({ result, via: "daemon" })),
              Effect.catchIf((e) => e._tag === "DaemonUnreachable" && e.reason === "connect", () => inProcess(request))
            )
        }))
    const balancer = yield* ProviderBalancer
    /**
     * The tier's candidates in the balancer's order, cooling ones left out; a failure before any output moves the call
     * to the next one within the overall time; when none answers, the call is Claude's (CandidatesExhausted).
     */
    const withFailover = (request: DelegationRequest) =>
      balancer.failover({
        candidates: request.candidates !== undefined && request.candidates.length > 0 ? request.candidates : [request.model],
        budgetMs: request.timeoutMs,
        attempt: (model, remainingMs) => delegate({ ...request, model, timeoutMs: remainingMs }),
        classify: classifyDelegationFailure,
        measure: (done) => ({ latencyMs: done.result.executionTime, tokens: totalTokens(done.result.tokens) })
      }).pipe(
        Effect.map(({ attempts, id, value }): Delegation =>
          attempts.length === 0 ? value : {
            ...value,
            result: { ...value.result, requestedModel: attempts[0]!.id === id ? request.model : attempts[0]!.id, failovers: attempts }
          }),
        // the balancer's state could not be kept: the call itself is still worth making
        Effect.catchTag("StateError", () => delegate(request))
      )
    return {
      delegate: (request) =>
        Effect.flatMap(redactOutgoing(config.delegation.redact, withWatchdog(request)), ({ findings, request: safe }) =>
          Effect.map(withFailover(safe), (done): Delegation =>
            findings.length === 0 ? done : { ...done, result: { ...done.result, redacted: findings } }))
    } satisfies DelegatorShape
  })
