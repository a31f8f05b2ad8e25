import * as HttpApi from "@effect/platform/HttpApi"
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiMiddleware from "@effect/platform/HttpApiMiddleware"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as HttpApiSecurity from "@effect/platform/HttpApiSecurity"
import * as Schema from "effect/Schema"
import { ExecutionResult } from "../../domain/execution"
import { OpencodeCatalog } from "../models"
import { PoolStatus, SessionPolicy } from "../pool"

export const ExecuteBody = Schema.Struct({
  prompt: Schema.String,
  model: Schema.String,
  agent: Schema.optional(Schema.String),
  timeoutMs: Schema.optional(Schema.Number.pipe(Schema.positive())),
  directory: Schema.optional(Schema.String),
  title: Schema.optional(Schema.String),
  policy: Schema.optional(SessionPolicy),
  idleTimeoutMs: Schema.optional(Schema.Number.pipe(Schema.positive())),
  firstOutputTimeoutMs: Schema.optional(Schema.Number.pipe(Schema.positive()))
})
export type ExecuteBody = typeof ExecuteBody.Type

/** The daemon ran the request and it failed there (provider error, timeout...): the pool error's tag and message. */
export class RemoteExecutionError extends Schema.TaggedError<RemoteExecutionError>()(
  "RemoteExecutionError",
  {
    tag: Schema.String,
    message: Schema.String,
    kind: Schema.optional(Schema.String),
    retryAfterMs: Schema.optional(Schema.Number),
    /** the model had started its work (see OpenCodeProviderError) */
    afterOutput: Schema.optional(Schema.Boolean)
  },
  HttpApiSchema.annotations({ status: 502 })
) {}

export class Unauthorized extends Schema.TaggedError<Unauthorized>()(
  "Unauthorized",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 401 })
) {}

/** every route needs the bearer token of the 0600 `daemon.json` */
export class DaemonAuthorization extends HttpApiMiddleware.Tag<DaemonAuthorization>()("omcm/DaemonAuthorization", {
  failure: Unauthorized,
  security: { bearer: HttpApiSecurity.bearer }
}) {}

/** The pool daemon's API on 127.0.0.1, for the CLI and a delegating hook (hooks themselves come through the relay). */
export class DaemonApi extends HttpApi.make("omcm-daemon").add(
  HttpApiGroup.make("pool")
    .add(HttpApiEndpoint.get("status", "/status").addSuccess(PoolStatus))
    .add(
      HttpApiEndpoint.post("execute", "/execute")
        .setPayload(ExecuteBody)
        .addSuccess(ExecutionResult)
        .addError(RemoteExecutionError)
    )
    // OpenCode's model catalog, read now from a server of the pool (and saved for every process)
    .add(HttpApiEndpoint.get("models", "/models").addSuccess(OpencodeCatalog).addError(RemoteExecutionError))
    .add(HttpApiEndpoint.post("shutdown", "/shutdown").addSuccess(Schema.Struct({ stopping: Schema.Boolean }), { status: 202 }))
    .middleware(DaemonAuthorization)
) {}
