import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { DaemonUnreachable, RemoteExecutionError } from "../domain/daemon"
import type { ExecutionResult } from "../domain/execution"
import type { OpenCodeNotFound, PortsExhausted, ServerStartFailed } from "../domain/poolErrors"
import { poolOptionsFromConfig } from "../layers/pool"
import { Config } from "./Config"
import { DaemonClient } from "./DaemonClient"
import type { OpenCodeClient } from "./OpenCodeClient"
import { Paths } from "./Paths"
import { makeServerPool, type PoolExecuteError } from "./ServerPool"

export interface DelegationRequest {
  readonly prompt: string
  /** `provider/model` */
  readonly model: string
  readonly agent?: string | undefined
  /** the project OpenCode works in */
  readonly directory: string
  readonly timeoutMs: number
  readonly title?: string | undefined
}

export interface Delegation {
  readonly result: ExecutionResult
  readonly via: "daemon" | "in-process pool"
}

export type DelegationError =
  | DaemonUnreachable
  | RemoteExecutionError
  | PoolExecuteError
  | ServerStartFailed
  | PortsExhausted
  | OpenCodeNotFound

/** Runs work on OpenCode: on the pool daemon when one runs, else on a one-server pool started for this call. */
export interface DelegatorShape {
  readonly delegate: (request: DelegationRequest) => Effect.Effect<Delegation, DelegationError>
}

export class Delegator extends Context.Tag("omcm/Delegator")<Delegator, DelegatorShape>() {
  static readonly layer = Layer.effect(
    Delegator,
    Effect.gen(function*() {
      const { config } = yield* Config
      const paths = yield* Paths
      const daemons = yield* DaemonClient
      const context = yield* Effect.context<CommandExecutor.CommandExecutor | OpenCodeClient>()

      const inProcess = (request: DelegationRequest) =>
        Effect.scoped(
          Effect.gen(function*() {
            const options = yield* poolOptionsFromConfig(config, paths, { minServers: 1, maxServers: 1, projectDir: request.directory })
            const pool = yield* makeServerPool({ ...options, autoScale: false })
            yield* pool.initialize
            return yield* pool.execute(request.prompt, {
              model: request.model,
              agent: request.agent,
              timeout: request.timeoutMs,
              directory: request.directory,
              title: request.title
            })
          })
        ).pipe(Effect.provide(context), Effect.map((result): Delegation => ({ result, via: "in-process pool" })))

      const delegate = (request: DelegationRequest) =>
        Effect.gen(function*() {
          const daemon = yield* daemons.find
          if (Option.isNone(daemon)) return yield* inProcess(request)
          return yield* daemons.execute(daemon.value, {
            prompt: request.prompt,
            model: request.model,
            agent: request.agent,
            timeoutMs: request.timeoutMs,
            directory: request.directory,
            title: request.title
          }).pipe(
            Effect.map((result): Delegation => ({ result, via: "daemon" })),
            // a daemon that died between the lookup and the call: do the work here instead
            Effect.catchIf((e) => e._tag === "DaemonUnreachable" && e.reason === "connect", () => inProcess(request))
          )
        })

      return { delegate }
    })
  )
}
