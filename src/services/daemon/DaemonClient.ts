import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpApiClient from "@effect/platform/HttpApiClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import type { ExecutionResult } from "../../domain/execution"
import { Paths } from "../config"
import type { OpencodeCatalog } from "../models"
import type { PoolStatus } from "../pool"
import { DaemonApi, type ExecuteBody, RemoteExecutionError } from "./api"
import { type DaemonState, findRunningDaemon } from "./daemonState"
import { DaemonUnreachable } from "./errors"

export type DaemonError = DaemonUnreachable | RemoteExecutionError

/** How the CLI and a delegating hook use a running pool daemon. */
export interface DaemonClientShape {
  /** the running daemon, if any (a state file left by a dead daemon counts as none) */
  readonly find: Effect.Effect<Option.Option<DaemonState>>
  readonly status: (daemon: DaemonState) => Effect.Effect<PoolStatus, DaemonError>
  readonly execute: (daemon: DaemonState, body: ExecuteBody) => Effect.Effect<ExecutionResult, DaemonError>
  readonly shutdown: (daemon: DaemonState) => Effect.Effect<void, DaemonError>
}

export class DaemonClient extends Context.Tag("omcm/DaemonClient")<DaemonClient, DaemonClientShape>() {
  static readonly layerWithoutDependencies = Layer.effect(
    DaemonClient,
    Effect.gen(function*() {
      const paths = yield* Paths
      const client = yield* HttpClient.HttpClient
      return makeDaemonClient(paths.daemonFile, client)
    })
  )

  static readonly layer = DaemonClient.layerWithoutDependencies.pipe(Layer.provide([Paths.layer, FetchHttpClient.layer]))
}

const poolApi = (httpClient: HttpClient.HttpClient, daemon: DaemonState) =>
  HttpApiClient.group(DaemonApi, {
    group: "pool",
    httpClient: HttpClient.mapRequest(httpClient, HttpClientRequest.bearerToken(daemon.token)),
    baseUrl: `http://127.0.0.1:${daemon.apiPort}`
  })
type PoolApi = Effect.Effect.Success<ReturnType<typeof poolApi>>

const callDaemon = (httpClient: HttpClient.HttpClient) =>
<A, E>(
  daemon: DaemonState,
  timeout: Duration.DurationInput,
  f: (api: PoolApi) => Effect.Effect<A, E>
): Effect.Effect<A, DaemonError> =>
  poolApi(httpClient, daemon).pipe(
    Effect.flatMap(f),
    Effect.catchAll((e: unknown): Effect.Effect<never, DaemonError> =>
      e instanceof RemoteExecutionError
        ? Effect.fail(e)
        : Effect.fail(
          new DaemonUnreachable({
            // nothing answered (no work was started) only when the request could not be sent
            reason: isRequestError(e) ? "connect" : "protocol",
            message: `pool daemon on 127.0.0.1:${daemon.apiPort}: ${describe(e)}`
          })
        )),
    Effect.timeoutFail({
      duration: timeout,
      onTimeout: () => new DaemonUnreachable({ reason: "timeout", message: "pool daemon did not answer in time" })
    })
  )

/**
 * OpenCode's model catalog, read now by the daemon from one of its servers (and saved by it for every process):
 * `GET /models` of the daemon's API (`omcm models`).
 */
export const daemonModels = (httpClient: HttpClient.HttpClient, daemon: DaemonState): Effect.Effect<OpencodeCatalog, DaemonError> =>
  callDaemon(httpClient)(daemon, "90 seconds", (api) => api.models())

export const makeDaemonClient = (daemonFile: string, httpClient: HttpClient.HttpClient): DaemonClientShape => {
  const call = callDaemon(httpClient)
  return {
    find: findRunningDaemon(daemonFile),
    status: (daemon) => call(daemon, "10 seconds", (api) => api.status()),
    execute: (daemon, body) =>
      call(daemon, Duration.millis((body.timeoutMs ?? 600_000) + 15_000), (api) => api.execute({ payload: body })),
    shutdown: (daemon) => call(daemon, "10 seconds", (api) => api.shutdown()).pipe(Effect.asVoid)
  }
}

const isRequestError = (e: unknown) => typeof e === "object" && e !== null && "_tag" in e && e._tag === "RequestError"

const describe = (e: unknown): string =>
  typeof e === "object" && e !== null && "message" in e && typeof e.message === "string" && e.message.length > 0
    ? e.message.split("\n")[0]!
    : typeof e === "object" && e !== null && "_tag" in e ? String(e._tag) : String(e)
