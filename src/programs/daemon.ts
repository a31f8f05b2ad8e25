import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as Console from "effect/Console"
import * as Deferred from "effect/Deferred"
import * as Cause from "effect/Cause"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as http from "node:http"
import {
  DaemonLauncher,
  DaemonStartFailed,
  type DaemonState,
  ExecuteBody,
  type RelayRequest,
  announceDaemonPort,
  claimDaemon,
  releaseDaemon,
  type Activity,
  makeActivity,
  stopWhenIdle,
  type RelayAnswer,
  serveRelay
} from "../services/daemon"
import { writeFileAtomic } from "../lib/jsonFile"
import { processStartTicks } from "../lib/processes"
import type { RelayServices } from "../layers/core"
import { poolOptionsFromConfig, type PoolOverrides, makeServerPool, type ServerPoolShape } from "../services/pool"
import { Config, Paths } from "../services/config"
import { Store } from "../services/store"
import { recordFailure } from "../services/claude-code"
import { makeHookContexts } from "../layers/hookContexts"
import { HookDelegation } from "./hooks/delegation"
import { describeFailure, runHookText } from "./hooks/main"
import { statuslineLine } from "./statusline"

const errorResponse = (error: { readonly _tag: string; readonly message: string }, status: number) => {
  const extra = error as { kind?: unknown; retryAfterMs?: unknown }
  return HttpServerResponse.unsafeJson(
    {
      error: {
        tag: error._tag,
        message: error.message,
        ...(typeof extra.kind === "string" ? { kind: extra.kind } : {}),
        ...(typeof extra.retryAfterMs === "number" ? { retryAfterMs: extra.retryAfterMs } : {})
      }
    },
    { status }
  )
}

const statusOfError = (tag: string) =>
  tag === "OpenCodeTimeout" ? 504 : tag === "NoServerAvailable" ? 503 : 502

/**
 * The daemon's API, on 127.0.0.1 only, for the CLI (hooks come through the relay directory, see relaySpool). Every
 * route needs the bearer token from the 0600 state file. A client that disconnects interrupts its request, which
 * aborts the OpenCode session.
 */
const makeApi = (
  pool: ServerPoolShape,
  token: string,
  stop: Effect.Effect<void>,
  activity: Activity
) => {
  const authorized = Effect.map(HttpServerRequest.HttpServerRequest, (req) => req.headers["authorization"] === `Bearer ${token}`)
  const guard = <E, R>(handler: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>) =>
    Effect.flatMap(authorized, (ok) =>
      ok ? activity.track(handler) : Effect.succeed(errorResponse({ _tag: "Unauthorized", message: "missing or wrong token" }, 401)))

  return HttpRouter.empty.pipe(
    HttpRouter.get("/status", guard(Effect.map(pool.getStatus, (s) => HttpServerResponse.unsafeJson(s)))),
    HttpRouter.post(
      "/execute",
      guard(
        HttpServerRequest.schemaBodyJson(ExecuteBody).pipe(
          Effect.flatMap((body) =>
            pool.execute(body.prompt, {
              model: body.model,
              agent: body.agent,
              timeout: body.timeoutMs,
              directory: body.directory,
              title: body.title
            }).pipe(
              Effect.map((result) => HttpServerResponse.unsafeJson(result)),
              Effect.catchAll((error) => Effect.succeed(errorResponse(error, statusOfError(error._tag))))
            )
          ),
          Effect.catchTags({
            ParseError: (e) => Effect.succeed(errorResponse({ _tag: "BadRequest", message: e.message.split("\n")[0] ?? "bad body" }, 400)),
            RequestError: (e) => Effect.succeed(errorResponse({ _tag: "BadRequest", message: e.message }, 400))
          })
        )
      )
    ),
    HttpRouter.post("/shutdown", guard(Effect.as(Effect.forkDaemon(Effect.delay(stop, "50 millis")), HttpServerResponse.unsafeJson({ stopping: true }, { status: 202 }))))
  )
}

export interface DaemonOptions {
  /** stop after this many minutes without a request (none in flight); undefined: run until stopped */
  readonly idleExitMinutes?: number | undefined
}

/** a relayed PreToolUse delegates on the daemon's own runtime */
const delegationInBundle = HookDelegation.lazy(() => import("./hooks/delegate"))

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
    return withCallerServices(statuslineLine(request.text)).pipe(
      Effect.catchAllCause((cause) => Effect.succeed(`omcm │ ${failed(cause)}`)),
      Effect.map((text) => ({ text }))
    )
  }
  return withCallerServices(runHookText(request.event, request.text).pipe(Effect.provide(DaemonLauncher.none), Effect.provide(delegationInBundle))).pipe(
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
      const { config } = yield* Config
      const paths = yield* Paths
      const store = yield* Store
      yield* claimDaemon(store)
      yield* Effect.addFinalizer(() => releaseDaemon(store))
      yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(paths.daemonFile, { force: true })))

      const options = yield* poolOptionsFromConfig(config, paths, overrides)
      const pool = yield* makeServerPool(options)
      yield* pool.initialize

      const token = randomBytes(32).toString("base64url")
      const stopped = yield* Deferred.make<void>()
      const server = yield* NodeHttpServer.make(() => http.createServer(), { port: 0, host: "127.0.0.1" }).pipe(
        Effect.mapError((e) => new DaemonStartFailed({ message: `cannot open the daemon API: ${String(e.cause)}` }))
      )
      const hookContexts = yield* makeHookContexts
      const activity = yield* makeActivity
      const stop = Deferred.succeed(stopped, undefined).pipe(Effect.asVoid)
      const app = yield* HttpRouter.toHttpApp(makeApi(pool, token, stop, activity))
      yield* serveRelay(paths.relayDir, answerRelayed(hookContexts.contextFor), activity.track)
      yield* server.serve(app)
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
      yield* Effect.sync(() => fs.rmSync(paths.daemonLaunchFile, { force: true }))
      yield* announce(state)
      if (daemonOptions.idleExitMinutes !== undefined) {
        yield* stopWhenIdle(activity, pool, daemonOptions.idleExitMinutes * 60_000, stop).pipe(Effect.forkScoped)
      }
      yield* Deferred.await(stopped)
    })
  )
