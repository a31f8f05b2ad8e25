import * as CommandExecutor from "@effect/platform/CommandExecutor"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import { randomBytes } from "node:crypto"
import type { ExecutionResult } from "../../domain/execution"
import { splitModelId } from "../../domain/model"
import { Config, Paths } from "../config"
import type { OpenCodeError, OpenCodeServer, SessionPolicy } from "./opencodeApi"
import { NoServerAvailable, PortsExhausted, type ServerStartFailed } from "./errors"
import { OpenCodeClient, type ProviderListing, type RequestError, type SessionWatcher } from "./OpenCodeClient"
import { isPortFree, isUsablePort } from "./portProbe"
import { cleanStalePools, leftoverNoteFile, makePoolRegistry, POOL_MARKER, type StaleCleanup } from "./poolRegistry"
import { startPoolWatchdog } from "./poolWatchdog"
import { processStartTicks } from "../../lib/processes"
import { type PoolOptions, type PoolOverrides, poolOptionsFromConfig } from "./poolOptions"
import type { PoolStatus, ServerInfo } from "./poolStatus"
import { makeServerSlot, type ServerSlot } from "./serverSlot"

export { PoolStatus, ServerInfo, ServerStatus } from "./poolStatus"
export type { PoolOptions } from "./poolOptions"

export interface ExecuteOptions {
  /** `provider/model` */
  readonly model: string
  readonly agent?: string | undefined
  /** ms; default: the pool's request timeout */
  readonly timeout?: number | undefined
  /** the project OpenCode works in; default: the pool's projectDir */
  readonly directory?: string | undefined
  readonly title?: string | undefined
  /** what the session may do and who it is (see SessionPolicy) */
  readonly policy?: SessionPolicy | undefined
  /** ms without an event of the session before it is given up (OpenCodeStalled) */
  readonly idleTimeoutMs?: number | undefined
  /** ms without any output of the model before it is given up (OpenCodeStalled) */
  readonly firstOutputTimeoutMs?: number | undefined
}

export type PoolExecuteError = OpenCodeError | NoServerAvailable

export interface ServerPoolShape {
  /** start `minServers` (idempotent); also kills what a pool whose owner died left behind */
  readonly initialize: Effect.Effect<PoolStatus, ServerStartFailed | PortsExhausted>
  readonly execute: (prompt: string, options: ExecuteOptions) => Effect.Effect<ExecutionResult, PoolExecuteError>
  /** round-robin among the least busy healthy servers */
  readonly getAvailableServer: Effect.Effect<Option.Option<ServerInfo>>
  readonly getStatus: Effect.Effect<PoolStatus>
  /** how many calls run at once from now on (calls beyond wait their turn); running calls are not stopped */
  readonly setMaxWorkers: (count: number) => Effect.Effect<void>
  /**
   * OpenCode's provider list (`GET /config/providers`) as a healthy server of the pool sees it for `directory` (the
   * pool's project by default): the servers share one environment and so one set of credentials.
   */
  readonly providers: (directory?: string) => Effect.Effect<ProviderListing, RequestError | NoServerAvailable>
  /** every provider of OpenCode's catalog, connected or not (`GET /provider`, 6 MB): for prices only */
  readonly providerList: (directory?: string) => Effect.Effect<unknown, RequestError | NoServerAvailable>
  /** the address (and password) of a healthy server, for calls of the OpenCodeClient's own (context handoffs) */
  readonly server: Effect.Effect<OpenCodeServer, NoServerAvailable>
  /** stop every server (closing the pool's scope does the same) */
  readonly shutdown: Effect.Effect<void>
  readonly staleCleanup: Effect.Effect<StaleCleanup>
}

export class ServerPool extends Context.Tag("omcm/ServerPool")<ServerPool, ServerPoolShape>() {
  /** a pool that is started (initialize) when the layer is built and shut down with it */
  static readonly layerWithoutDependencies = (options: PoolOptions) =>
    Layer.scoped(ServerPool, Effect.tap(makeServerPool(options), (pool) => pool.initialize))

  static readonly layer = (options: PoolOptions) =>
    ServerPool.layerWithoutDependencies(options).pipe(Layer.provide([OpenCodeClient.layer, NodeContext.layer]))

  /** a pool as config.json's `pool` section says, for the project `overrides.projectDir` (default: the current directory) */
  static readonly layerFromConfig = (overrides: PoolOverrides = {}) =>
    Layer.unwrapEffect(
      Effect.gen(function*() {
        const { config } = yield* Config
        return ServerPool.layer(yield* poolOptionsFromConfig(config, yield* Paths, overrides))
      })
    ).pipe(Layer.provide([Config.layer, Paths.layer]))
}

const PORT_RANGE = 200
type Slot = ServerSlot<SessionWatcher>
/** the process a call was on when its server went away */
interface DeadServer {
  readonly port: number
  readonly pid: number | null
}

export const makeServerPool = (
  options: PoolOptions
): Effect.Effect<ServerPoolShape, never, Scope.Scope | CommandExecutor.CommandExecutor | OpenCodeClient> =>
  Effect.gen(function*() {
    const client = yield* OpenCodeClient
    const executor = yield* CommandExecutor.CommandExecutor
    const poolScope = yield* Effect.scope
    const poolId = `${process.pid}-${randomBytes(6).toString("hex")}`
    const password = randomBytes(24).toString("base64url")
    const registry = makePoolRegistry(options.registryDir, poolId)
    const slots = yield* Ref.make<ReadonlyArray<Slot>>([])
    const reservedPorts = yield* Ref.make<ReadonlySet<number>>(new Set())
    const roundRobin = yield* Ref.make(0)
    const stats = yield* Ref.make({ totalRequests: 0, completed: 0, totalMs: 0, inFlight: 0 })
    const workers = yield* Effect.makeSemaphore(options.maxWorkers)
    const maxWorkers = yield* Ref.make(options.maxWorkers)
    const closed = yield* Ref.make(false)
    const staleCleanup = yield* Ref.make<StaleCleanup>({ pools: 0, killed: [] })

    const serverOf = (slot: { baseUrl: string }) => ({ baseUrl: slot.baseUrl, password })
    const probe = (baseUrl: string, timeoutMs: number) =>
      client.health({ baseUrl, password }, { timeoutMs }).pipe(Effect.map((h) => h.healthy), Effect.orElseSucceed(() => false))

    const persist = Effect.gen(function*() {
      const infos = yield* Effect.forEach(yield* Ref.get(slots), (s) => s.info)
      yield* registry.write(infos.filter((i) => i.pid !== null).map((i) => ({ pid: i.pid!, port: i.port })))
    })
    yield* Effect.addFinalizer(() => registry.remove)
    // stops the servers within half a health interval of this process dying without closing the pool
    yield* startPoolWatchdog({
      ownerPid: process.pid,
      ownerStartTicks: processStartTicks(process.pid),
      marker: POOL_MARKER,
      poolId,
      noteFile: leftoverNoteFile(options.registryDir, poolId),
      intervalMs: Math.max(200, Math.min(5_000, options.healthIntervalMs / 2))
    })

    const slotOptions = {
      process: {
        bin: options.opencodeBin,
        projectDir: options.projectDir,
        env: { ...options.env, OPENCODE_SERVER_PASSWORD: password },
        poolId,
        startTimeoutMs: options.startTimeoutMs,
        probe
      },
      // boot the project's instance, then open its event subscription: one per process, shared by every call (calls
      // in other directories open theirs on first use); a lease for the life of the process keeps it open
      warmUp: (baseUrl: string) =>
        Effect.gen(function*() {
          const server = { baseUrl, password }
          yield* client.bootInstance(server, options.projectDir).pipe(Effect.ignore)
          const watcher = yield* client.sessionWatcher(server)
          const project = yield* watcher.directory(options.projectDir)
          // live before the server takes calls (`ready` gives up after 2 s: then it catches up once it is live)
          yield* project.ready
          return watcher
        }),
      healthIntervalMs: options.healthIntervalMs,
      healthTimeoutMs: Math.min(10_000, Math.max(2_000, options.healthIntervalMs / 2))
    }

    const reservePort = Effect.gen(function*() {
      for (let port = options.basePort; port < options.basePort + PORT_RANGE; port++) {
        const taken = yield* Ref.get(reservedPorts)
        if (taken.has(port) || !isUsablePort(port)) continue
        if (!(yield* isPortFree(port))) continue
        const won = yield* Ref.modify(reservedPorts, (ports) =>
          ports.has(port) ? [false, ports] as const : [true, new Set([...ports, port])] as const)
        if (won) return port
      }
      return yield* new PortsExhausted({ from: options.basePort, to: options.basePort + PORT_RANGE - 1 })
    })
    const releasePort = (port: number) =>
      Ref.update(reservedPorts, (ports) => new Set([...ports].filter((p) => p !== port)))

    /** start one more server; a port that turns out to be taken is skipped */
    const addServer: Effect.Effect<Slot, ServerStartFailed | PortsExhausted> = Effect.gen(function*() {
      for (;;) {
        const port = yield* reservePort
        const slot = yield* makeServerSlot(port, slotOptions, persist).pipe(
          Scope.extend(poolScope),
          Effect.provideService(CommandExecutor.CommandExecutor, executor)
        )
        const started = yield* Effect.exit(slot.firstStart)
        if (Exit.isSuccess(started)) {
          yield* Ref.update(slots, (all) => [...all, slot])
          yield* persist
          return slot
        }
        yield* slot.close
        yield* releasePort(port)
        const error = Cause.failureOption(started.cause)
        if (Option.isSome(error) && error.value.reason === "port in use") continue
        return yield* Effect.failCause(started.cause)
      }
    })

    const removeServer = (slot: Slot) =>
      Effect.gen(function*() {
        yield* Ref.update(slots, (all) => all.filter((s) => s !== slot))
        yield* slot.stop
        yield* releasePort(slot.port)
        yield* persist
      })

    const infos = Effect.flatMap(Ref.get(slots), (all) => Effect.forEach(all, (s) => s.info))

    const getStatus = Effect.gen(function*() {
      const servers = yield* infos
      const s = yield* Ref.get(stats)
      const up = servers.filter((i) => i.status === "idle" || i.status === "busy")
      return {
        activeServers: up.length,
        idleServers: up.filter((i) => i.status === "idle").length,
        busyServers: up.filter((i) => i.status === "busy").length,
        totalRequests: s.totalRequests,
        averageResponseTime: s.completed === 0 ? 0 : Math.round(s.totalMs / s.completed),
        inFlight: s.inFlight,
        servers,
        maxWorkers: yield* Ref.get(maxWorkers)
      }
    })

    /** the least busy healthy server `accept` allows, round-robin among ties */
    const pick = (accept: (slot: Slot, pid: number | null) => boolean = () => true) =>
      Effect.gen(function*() {
        const all = yield* Ref.get(slots)
        const candidates: Array<{ slot: Slot; busy: number }> = []
        for (const slot of all) {
          if (!(yield* slot.isHealthy) || !accept(slot, (yield* slot.info).pid)) continue
          candidates.push({ slot, busy: yield* Ref.get(slot.busy) })
        }
        if (candidates.length === 0) return Option.none<Slot>()
        const least = Math.min(...candidates.map((c) => c.busy))
        const tied = candidates.filter((c) => c.busy === least)
        const turn = yield* Ref.getAndUpdate(roundRobin, (n) => n + 1)
        return Option.some(tied[turn % tied.length]!.slot)
      })

    const getAvailableServer = Effect.flatMap(pick(), (slot) =>
      Option.match(slot, { onNone: () => Effect.succeedNone, onSome: (s) => Effect.map(s.info, Option.some) }))

    const load = Effect.gen(function*() {
      const all = yield* Ref.get(slots)
      const { inFlight } = yield* Ref.get(stats)
      return all.length === 0 ? 1 : inFlight / (all.length * options.slotsPerServer)
    })

    const scaling = yield* Ref.make(false)
    /** at most one server starts at a time because of autoscaling */
    const scaleUp = Effect.gen(function*() {
      if (!options.autoScale || (yield* Ref.get(closed))) return
      const count = (yield* Ref.get(slots)).length
      if (count >= options.maxServers) return
      if (!(yield* Ref.getAndSet(scaling, true))) {
        yield* addServer.pipe(Effect.ignore, Effect.ensuring(Ref.set(scaling, false)), Effect.forkIn(poolScope))
      }
    })

    /**
     * wait for a healthy server, also when every server is restarting; with `dead` (a process that died under a call)
     * another server if one is up, else the first to be up that is not that process (its slot restarted)
     */
    const awaitServer = (deadline: number, dead?: DeadServer) =>
      Effect.gen(function*() {
        for (;;) {
          const chosen = yield* pick((slot) => slot.port !== dead?.port)
          if (Option.isSome(chosen)) return chosen.value
          if (dead !== undefined) {
            const reborn = yield* pick((slot, pid) => pid !== null && !(slot.port === dead.port && pid === dead.pid))
            if (Option.isSome(reborn)) return reborn.value
          }
          const now = yield* Clock.currentTimeMillis
          if (now >= deadline) return yield* new NoServerAvailable({ waitedMs: now - (deadline - options.requestTimeoutMs) })
          if ((yield* Ref.get(slots)).length < options.minServers) yield* scaleUp
          yield* Effect.sleep("100 millis")
        }
      })

    const runOn = (slot: Slot, prompt: string, o: ExecuteOptions, timeoutMs: number) => {
      const { model, provider } = splitModelId(o.model)
      return Effect.acquireUseRelease(
        Ref.update(slot.busy, (n) => n + 1),
        () =>
          Effect.flatMap(slot.attached, (watcher) =>
            client.run(serverOf(slot), {
              directory: o.directory ?? options.projectDir,
              text: prompt,
              model: { providerID: provider, modelID: model },
              agent: o.agent,
              title: o.title ?? `omcm: ${prompt.slice(0, 60)}`,
              timeoutMs,
              policy: o.policy,
              idleTimeoutMs: o.idleTimeoutMs,
              firstOutputTimeoutMs: o.firstOutputTimeoutMs
            }, { watcher: Option.getOrUndefined(watcher) })),
        () => Ref.update(slot.busy, (n) => n - 1)
      )
    }

    const execute = (prompt: string, o: ExecuteOptions) =>
      workers.withPermits(1)(
        Effect.gen(function*() {
          const started = yield* Clock.currentTimeMillis
          const timeoutMs = o.timeout ?? options.requestTimeoutMs
          const deadline = started + timeoutMs
          yield* Ref.update(stats, (s) => ({ ...s, totalRequests: s.totalRequests + 1, inFlight: s.inFlight + 1 }))
          if ((yield* load) > 0.8) yield* scaleUp
          const first = yield* awaitServer(deadline)
          const attempt = (slot: Slot) =>
            Effect.flatMap(Clock.currentTimeMillis, (now) => runOn(slot, prompt, o, Math.max(1, deadline - now))).pipe(
              Effect.map((result) => ({ result, port: slot.port }))
            )
          const firstPid = (yield* first.info).pid
          const { port, result } = yield* attempt(first).pipe(
            Effect.catchTag("OpenCodeUnreachable", (error) =>
              // the server died under this call (not the provider's fault): have that process restarted, and run the
              // call once more on another server, or on this one once it is back
              Effect.gen(function*() {
                yield* first.restart(error.message, firstPid)
                const second = yield* awaitServer(deadline, { port: first.port, pid: firstPid })
                return yield* attempt(second)
              }))
          )
          const finished = yield* Clock.currentTimeMillis
          yield* Ref.update(stats, (s) => ({ ...s, completed: s.completed + 1, totalMs: s.totalMs + (finished - started) }))
          return {
            stdout: result.text,
            stderr: "",
            exitCode: 0,
            executionTime: finished - started,
            tokens: result.tokens,
            cost: result.cost,
            provider: result.providerID,
            model: result.modelID,
            serverPort: port,
            ...(result.refused.length === 0 ? {} : { refused: result.refused }),
            ...(result.changedFiles.length === 0 ? {} : { changedFiles: result.changedFiles })
          } satisfies ExecutionResult
        }).pipe(Effect.ensuring(Ref.update(stats, (s) => ({ ...s, inFlight: s.inFlight - 1 }))))
      )

    const initialize = Effect.gen(function*() {
      const cleaned = yield* cleanStalePools(options.registryDir)
      yield* Ref.set(staleCleanup, cleaned)
      const missing = options.minServers - (yield* Ref.get(slots)).length
      // the first server alone: servers starting together on a fresh OpenCode data directory race in its database
      // migration and the losers exit
      if (missing > 0 && (yield* Ref.get(slots)).length === 0) yield* addServer
      const rest = options.minServers - (yield* Ref.get(slots)).length
      if (rest > 0) yield* Effect.all(Array.from({ length: rest }, () => addServer), { concurrency: "unbounded" })
      return yield* getStatus
    })

    // autoscale down: load under 30% for scaleDownAfterMs stops the newest idle server, down to minServers
    if (options.autoScale) {
      const lowSince = yield* Ref.make<number | null>(null)
      const tick = Effect.gen(function*() {
        const all = yield* Ref.get(slots)
        const now = yield* Clock.currentTimeMillis
        if ((yield* load) >= 0.3 || all.length <= options.minServers) return yield* Ref.set(lowSince, null)
        const since = yield* Ref.get(lowSince)
        if (since === null) return yield* Ref.set(lowSince, now)
        if (now - since < options.scaleDownAfterMs) return
        const newestFirst = [...all].reverse()
        const busyCounts = yield* Effect.forEach(newestFirst, (s) => Ref.get(s.busy))
        const idle = newestFirst.find((_, i) => busyCounts[i] === 0)
        if (idle !== undefined) yield* removeServer(idle)
        yield* Ref.set(lowSince, null)
      })
      yield* tick.pipe(
        Effect.repeat(Schedule.spaced(options.autoscaleTickMs ?? 1_000)),
        Effect.forkIn(poolScope)
      )
    }

    const onServer = <A, E>(directory: string | undefined, f: (server: OpenCodeServer, directory: string) => Effect.Effect<A, E>) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => awaitServer(now + options.requestTimeoutMs)).pipe(
        Effect.flatMap((slot) => f(serverOf(slot), directory ?? options.projectDir))
      )
    const providers = (directory?: string) => onServer(directory, client.providers)
    const providerList = (directory?: string) => onServer(directory, client.providerList)

    const server = Effect.flatMap(Clock.currentTimeMillis, (now) => awaitServer(now + options.requestTimeoutMs)).pipe(
      Effect.map(serverOf)
    )

    const shutdown = Effect.gen(function*() {
      yield* Ref.set(closed, true)
      const all = yield* Ref.getAndSet(slots, [])
      yield* Effect.forEach(all, (s) => s.close, { concurrency: "unbounded", discard: true })
      yield* registry.remove
    })
    yield* Effect.addFinalizer(() => shutdown)

    return {
      initialize,
      execute,
      getAvailableServer,
      getStatus,
      setMaxWorkers: (count) => Effect.zipRight(Ref.set(maxWorkers, count), workers.resize(count)),
      providers,
      providerList,
      server,
      shutdown,
      staleCleanup: Ref.get(staleCleanup)
    }
  })
