/**
 * The backends of one `omcm tasks run`: OpenCode work goes to the pool daemon when one runs, else to one in-process
 * pool shared by the whole run (started on the first OpenCode task, stopped when the run's scope closes); Claude
 * work goes to `claude -p` with `OMCM_DELEGATED=1`, so omcm's own hooks in that child do nothing.
 */
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import { poolOptionsFromConfig } from "../layers/pool"
import { ClaudeExecutor } from "./ClaudeExecutor"
import { Config } from "./Config"
import { DaemonClient } from "./DaemonClient"
import type { OpenCodeClient } from "./OpenCodeClient"
import { Paths } from "./Paths"
import { makeServerPool } from "./ServerPool"
import type { OpencodeRunOptions, TaskBackendsShape } from "./TaskBackends"

export interface DaemonOrPoolOptions {
  /** the project the in-process pool's servers start in; default: the current directory */
  readonly projectDir?: string | undefined
}

export const makeDaemonOrPoolBackends = (options: DaemonOrPoolOptions = {}) =>
  Effect.gen(function*() {
    const { config } = yield* Config
    const paths = yield* Paths
    const daemons = yield* DaemonClient
    const claude = yield* ClaudeExecutor
    const scope = yield* Effect.scope
    const context = yield* Effect.context<CommandExecutor.CommandExecutor | OpenCodeClient>()
    const projectDir = options.projectDir ?? process.cwd()

    // one pool for the run, started once however many tasks ask for it at the same time
    const sharedPool = yield* Effect.cached(
      Effect.gen(function*() {
        const poolOptions = yield* poolOptionsFromConfig(config, paths, { minServers: 1, maxServers: config.pool.maxServers, projectDir })
        const pool = yield* makeServerPool(poolOptions)
        yield* pool.initialize
        return pool
      }).pipe(Scope.extend(scope), Effect.provide(context))
    )

    const inProcess = (prompt: string, o: OpencodeRunOptions) =>
      Effect.flatMap(sharedPool, (pool) =>
        pool.execute(prompt, { model: o.model, agent: o.agent, timeout: o.timeout, directory: o.directory }))

    const backends: TaskBackendsShape = {
      opencode: (prompt, o) =>
        Effect.flatMap(daemons.find, Option.match({
          onNone: () => inProcess(prompt, o),
          onSome: (daemon) =>
            daemons.execute(daemon, { prompt, model: o.model, agent: o.agent, timeoutMs: o.timeout, directory: o.directory }).pipe(
              // a daemon that died between the lookup and the call: do the work here instead
              Effect.catchIf((e) => e._tag === "DaemonUnreachable" && e.reason === "connect", () => inProcess(prompt, o))
            )
        })),
      claude: (prompt, o) =>
        claude.execute({ prompt, model: o.model, cwd: o.cwd, timeoutMs: o.timeout, env: { OMCM_DELEGATED: "1" } })
    }
    return backends
  })
