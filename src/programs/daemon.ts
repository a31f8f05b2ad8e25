import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as Console from "effect/Console"
import * as Deferred from "effect/Deferred"
import * as Cause from "effect/Cause"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as http from "node:http"
import {
  DaemonApi,
  DaemonAuthorization,
  DaemonLauncher,
  DaemonStartFailed,
  type DaemonState,
  RemoteExecutionError,
  type RelayRequest,
  Unauthorized,
  announceDaemonPort,
  claimDaemon,
  releaseDaemon,
  type Activity,
  makeActivity,
  stopWhenIdle,
  type RelayAnswer,
  serveRelay,
  clearLaunch,
  makeLiveSettings,
  watchConfig
} from "../services/daemon"
import { writeFileAtomic } from "../lib/jsonFile"
import { processStartTicks } from "../lib/processes"
import type { RelayServices } from "../layers/core"
import { poolOptionsFromConfig, type PoolOverrides, makeServerPool, type ServerPoolShape } from "../services/pool"
import { Config, Paths } from "../services/config"
import { makeCatalogCache, makeModelCatalog, type ModelCatalogShape } from "../services/models"
import { Store } from "../services/store"
import { recordFailure } from "../services/claude-code"
import { makeHookContexts } from "../layers/hookContexts"
import { hookPartsInBundle } from "./hooks/inBundle"
import { describeFailure, runHookText } from "./hooks/main"
import { statuslineLine } from "./statusline"
import { readCatalog } from "./catalogReading"

/** a pool error, as the API answers it: its tag, one-line message, and what the balancer needs of it */
const remoteError = (error: { readonly _tag: string; readonly message: string }) => {
  const extra = error as { kind?: unknown; retryAfterMs?: unknown; afterOutput?: unknown }
  return new RemoteExecutionError({
    tag: error._tag,
    message: error.message,
    ...(typeof extra.kind === "string" ? { kind: extra.kind } : {}),
    ...(typeof extra.retryAfterMs === "number" ? { retryAfterMs: extra.retryAfterMs } : {}),
    ...(extra.afterOutput === true ? { afterOutput: true } : {})
  })
}

/** OpenCode's provider list as a server of the daemon's pool sees it */
const readDaemonCatalog = (pool: ServerPoolShape) => readCatalog(pool, (port) => `the pool daemon's server on port ${port}`)

/** how often config.json and agent-mapping.json are looked at */
const CONFIG_POLL_MS = 1_000

/** every hour, and at start: a key added to OpenCode (`opencode auth login`) or a newer catalog shows up */
const CATALOG_REFRESH = "60 minutes"

/**
 * The daemon's API (services/daemon/api.ts DaemonApi), on 127.0.0.1 only. Every route needs the bearer token from
 * the 0600 state file. A client that disconnects interrupts its request, which aborts the OpenCode session.
 */
const makeApi = (
  pool: ServerPoolShape,
  restartNeeded: Effect.Effect<ReadonlyArray<string>>,
  models: ModelCatalogShape,
  token: string,
  stop: Effect.Effect<void>,
  activity: Activity
) => {
  const status = Effect.zipWith(pool.getStatus, restartNeeded, (s, pending) => (pending.length === 0 ? s : { ...s, restartNeeded: pending }))
  const handlers = HttpApiBuilder.group(DaemonApi, "pool", (routes) =>
    routes
      .handle("status", () => activity.track(status))
      .handle("execute", ({ payload: body }) =>
        activity.track(
          pool.execute(body.prompt, {
            model: body.model,
            agent: body.agent,
            timeout: body.timeoutMs,
            directory: body.directory,
            title: body.title,
            policy: body.policy,
            idleTimeoutMs: body.idleTimeoutMs,
            firstOutputTimeoutMs: body.firstOutputTimeoutMs
          }).pipe(Effect.mapError(remoteError))
        ))
      .handle("models", () => activity.track(models.refresh(readDaemonCatalog(pool)).pipe(Effect.mapError(remoteError))))
      .handle("shutdown", () => activity.track(Effect.as(Effect.forkDaemon(Effect.delay(stop, "50 millis")), { stopping: true }))))
  const authorization = Layer.succeed(DaemonAuthorization, {
    bearer: (given) =>
      Redacted.value(given) === token ? Effect.void : Effect.fail(new Unauthorized({ message: "missing or wrong token" }))
  })
  return Layer.mergeAll(
    HttpApiBuilder.api(DaemonApi).pipe(Layer.provide(handlers), Layer.provide(authorization)),
    HttpApiBuilder.Router.Live,
    HttpApiBuilder.Middleware.layer
  )
}

export interface DaemonOptions {
  /** stop after this many minutes without a request (none in flight); undefined: run until stopped */
  readonly idleExitMinutes?: number | undefined
}

/**
 * A relayed call, answered as in its own process: a hook with the same fail-open rule (the call proceeds, and why is
 * logged), the statusline always with a line (naming the problem if there is one).
 */
const answerRelayed = (contextFor: (env: NodeJS.ProcessEnv) => Effect.Effect<Context.Context<RelayServices>, unknown>) =>
(request: typeof RelayRequest.Type): Effect.Effect<RelayAnswer> => {
  const env = { ...process.env, ...request.env }
  const failed = (cause: Cause.Cause<unknown>) => describeFailure(Cause.squash(cause))
  const withCallerServices = <A, E>(effect: Effect.Effect<A, E, RelayServices>) =>
    Effect.flatMap(contextFor(env), (context) => Effect.provide(effect, context))
  if (request.kind === "statusline") {
    return withCallerServices(statuslineLine(request.text, request.env)).pipe(
      Effect.catchAllCause((cause) => Effect.succeed(`omcm │ ${failed(cause)}`)),
      Effect.map((text) => ({ text }))
    )
  }
  const hook = runHookText(request.event, request.text).pipe(
    Effect.provide(DaemonLauncher.none),
    // a relayed PreToolUse delegates, a relayed Stop writes its handoff, on the daemon's own runtime (git: the caller's env)
    Effect.provide(hookPartsInBundle(env))
  )
  return withCallerServices(hook).pipe(
    Effect.catchAllCause((cause) =>
      recordFailure(request.event, undefined, failed(cause)).pipe(Effect.provide(Paths.layerFrom(env)), Effect.as(Option.none()))
    ),
    Effect.map((output) => ({ output: Option.getOrNull(output) }))
  )
}

/**
 * `omcm pool start` in the foreground: claims the single-daemon lock, starts the pool, serves the API, writes
 * `daemon.json` (0600) and waits until interrupted or asked to stop. Everything it started ends with its scope.
 */
export const runDaemon = (overrides: PoolOverrides, daemonOptions: DaemonOptions = {}, announce: (state: DaemonState) => Effect.Effect<void> = (s) =>
  Console.log(`omcm pool: ${s.servers.length} opencode server(s) on port(s) ${s.servers.map((x) => x.port).join(", ")}; API on 127.0.0.1:${s.apiPort} (pid ${s.pid})`)) =>
  Effect.scoped(
    Effect.gen(function*() {
      const loaded = yield* Config
      const { config } = loaded
      const paths = yield* Paths
      const store = yield* Store
      yield* claimDaemon(store)
      yield* Effect.addFinalizer(() => releaseDaemon(store))
      yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(paths.daemonFile, { force: true })))

      const options = yield* poolOptionsFromConfig(config, paths, overrides)
      const pool = yield* makeServerPool(options)
      yield* pool.initialize
      const settings = yield* makeLiveSettings(loaded, pool, (line) => Console.log(`omcm pool: ${line}`))
      yield* watchConfig(
        { configFile: paths.configFile, mappingFile: paths.mappingFile, intervalMs: CONFIG_POLL_MS },
        (reread) =>
          reread.pipe(
            Effect.flatMap(settings.apply),
            Effect.catchAll((e) => Console.log(`omcm pool: ${e.message}; keeping the settings in use`))
          )
      )
      // routing reads the saved catalog: hooks never start a server for it
      const models = makeModelCatalog(config, makeCatalogCache(paths.modelsFile))
      yield* models.refresh(readDaemonCatalog(pool)).pipe(
        Effect.tapError((e) => Console.error(`omcm pool: cannot read OpenCode's model catalog: ${e.message}`)),
        Effect.ignore,
        Effect.repeat(Schedule.spaced(CATALOG_REFRESH)),
        Effect.forkScoped
      )

      const token = randomBytes(32).toString("base64url")
      const stopped = yield* Deferred.make<void>()
      const server = yield* NodeHttpServer.make(() => http.createServer(), { port: 0, host: "127.0.0.1" }).pipe(
        Effect.mapError((e) => new DaemonStartFailed({ message: `cannot open the daemon API: ${String(e.cause)}` }))
      )
      const hookContexts = yield* makeHookContexts
      const activity = yield* makeActivity
      const stop = Deferred.succeed(stopped, undefined).pipe(Effect.asVoid)
      const app = yield* HttpApiBuilder.httpApp.pipe(Effect.provide(yield* Layer.build(makeApi(pool, settings.restartNeeded, models, token, stop, activity))))
      const platform = yield* Layer.build(NodeHttpServer.layerContext)
      yield* serveRelay(paths.relayDir, answerRelayed(hookContexts.contextFor), activity.track)
      yield* server.serve(Effect.provide(app, platform))
      const apiPort = server.address._tag === "TcpAddress" ? server.address.port : 0
      yield* announceDaemonPort(store, apiPort)

      const status = yield* pool.getStatus
      const state: DaemonState = {
        pid: process.pid,
        startTicks: processStartTicks(process.pid),
        apiPort,
        token,
        startedAt: Date.now(),
        projectDir: options.projectDir,
        idleExitMinutes: daemonOptions.idleExitMinutes ?? null,
        servers: status.servers.map((s) => ({ port: s.port, pid: s.pid }))
      }
      yield* writeFileAtomic(paths.daemonFile, JSON.stringify(state), 0o600).pipe(
        Effect.mapError((e) => new DaemonStartFailed({ message: `${paths.daemonFile}: cannot write (${e.code ?? e.message})` }))
      )
      // a daemon a hook launched is up: the next launch need not wait (see hooks/ensureDaemon)
      yield* clearLaunch(paths.daemonLaunchFile)
      yield* announce(state)
      if (daemonOptions.idleExitMinutes !== undefined) {
        yield* stopWhenIdle(activity, pool, daemonOptions.idleExitMinutes * 60_000, stop).pipe(Effect.forkScoped)
      }
      yield* Deferred.await(stopped)
    })
  )
