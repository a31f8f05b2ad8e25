import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { DaemonState, DaemonUnreachable, ErrorBody, type ExecuteBody, RemoteExecutionError } from "./api"
import { ExecutionResult } from "../../domain/execution"
import { decodeUnknown } from "../../lib/jsonFile"
import { findRunningDaemon } from "./daemonState"
import { Paths } from "../config"
import type { PoolStatus } from "../pool"

export type DaemonError = DaemonUnreachable | RemoteExecutionError

/** How the CLI and the hooks use a running pool daemon. */
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

const PoolStatusSchema = Schema.Struct({
  activeServers: Schema.Number,
  idleServers: Schema.Number,
  busyServers: Schema.Number,
  totalRequests: Schema.Number,
  averageResponseTime: Schema.Number,
  inFlight: Schema.Number,
  servers: Schema.Array(Schema.Struct({
    port: Schema.Number,
    status: Schema.Literal("starting", "idle", "busy", "error", "recovering", "stopped"),
    busyCount: Schema.Number,
    pid: Schema.NullOr(Schema.Number),
    restarts: Schema.Number,
    lastError: Schema.NullOr(Schema.String)
  }))
})

export const makeDaemonClient = (daemonFile: string, client: HttpClient.HttpClient): DaemonClientShape => {
  const request = <A, I>(
    daemon: DaemonState,
    req: HttpClientRequest.HttpClientRequest,
    schema: Schema.Schema<A, I>,
    timeout: Duration.DurationInput
  ): Effect.Effect<A, DaemonError> =>
    client.execute(req.pipe(HttpClientRequest.prependUrl(`http://127.0.0.1:${daemon.apiPort}`), HttpClientRequest.bearerToken(daemon.token))).pipe(
      Effect.mapError((e) =>
        new DaemonUnreachable({
          reason: e._tag === "RequestError" ? "connect" : "protocol",
          message: `pool daemon on 127.0.0.1:${daemon.apiPort}: ${e.message}`
        })),
      Effect.flatMap((response: HttpClientResponse.HttpClientResponse) =>
        response.json.pipe(
          Effect.mapError(() => new DaemonUnreachable({ reason: "protocol", message: `pool daemon answered HTTP ${response.status} without JSON` })),
          Effect.flatMap((body): Effect.Effect<A, DaemonError> =>
            response.status >= 200 && response.status < 300
              ? decodeUnknown(schema, { strict: false })(body).pipe(
                Effect.mapError(() => new DaemonUnreachable({ reason: "protocol", message: "pool daemon answered an unexpected body" }))
              )
              : decodeUnknown(ErrorBody, { strict: false })(body).pipe(
                Effect.mapError(() => new DaemonUnreachable({ reason: "protocol", message: `pool daemon answered HTTP ${response.status}` })),
                Effect.flatMap(({ error }) => Effect.fail(new RemoteExecutionError(error)))
              ))
        )
      ),
      Effect.scoped,
      Effect.timeoutFail({ duration: timeout, onTimeout: () => new DaemonUnreachable({ reason: "timeout", message: "pool daemon did not answer in time" }) })
    )

  return {
    find: findRunningDaemon(daemonFile),
    status: (daemon) => request(daemon, HttpClientRequest.get("/status"), PoolStatusSchema, "10 seconds"),
    execute: (daemon, body) =>
      Effect.flatMap(HttpClientRequest.post("/execute").pipe(HttpClientRequest.bodyJson(body)), (req) =>
        request(daemon, req, ExecutionResult, Duration.millis((body.timeoutMs ?? 600_000) + 15_000))).pipe(
          Effect.catchTag("HttpBodyError", (e) => Effect.fail(new DaemonUnreachable({ reason: "protocol", message: `cannot encode the request: ${String(e.reason)}` })))
        ),
    shutdown: (daemon) => request(daemon, HttpClientRequest.post("/shutdown"), Schema.Unknown, "10 seconds").pipe(Effect.asVoid)
  }
}
