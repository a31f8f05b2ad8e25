import { Command, Options } from "@effect/cli"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { randomBytes } from "node:crypto"
import { InputError } from "../../domain/errors"
import { ConfigLive, StateLive } from "../../layers/core"
import { ProviderBalancer } from "../../services/balancer"
import { DaemonClient } from "../../services/daemon"
import { CatalogCache } from "../../services/models"
import { ClaudeUsage } from "../../services/router"
import { MetricsCollector, RealtimeTracker } from "../../services/tracker"
import { openBrowser } from "../dashboard/openBrowser"
import { serveDashboard } from "../dashboard/server"

/** what the dashboard reads: the tracker (following the database), the report, usage, the pool and the balancer */
const DashboardLive = Layer.mergeAll(
  RealtimeTracker.layerWithoutDependencies,
  MetricsCollector.layerWithoutDependencies,
  ProviderBalancer.layerWithoutDependencies,
  ClaudeUsage.layerWithoutDependencies,
  DaemonClient.layer
).pipe(Layer.provideMerge(StateLive), Layer.provideMerge(CatalogCache.layer), Layer.provideMerge(ConfigLive))

export interface DashboardArgs {
  readonly port: number
  readonly noOpen: boolean
}

/** `omcm dashboard`: serve the page on 127.0.0.1 behind a random token, print its URL, open it, run until Ctrl-C */
export const dashboardProgram = (args: DashboardArgs) =>
  Effect.gen(function*() {
    if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) {
      return yield* new InputError({ message: `--port: expected an integer from 0 to 65535 (0: any free port), got ${args.port}` })
    }
    const token = randomBytes(24).toString("base64url")
    const { url } = yield* serveDashboard({ port: args.port, token })
    yield* Console.log(`omcm dashboard: ${url}`)
    yield* Console.log("Ctrl-C to stop")
    if (!args.noOpen) yield* openBrowser(url)
    return yield* Effect.never
  }).pipe(Effect.scoped, Effect.provide(DashboardLive))

export const dashboardCommand = Command.make(
  "dashboard",
  {
    port: Options.integer("port").pipe(Options.withDescription("port on 127.0.0.1 (default 0: any free port)"), Options.withDefault(0)),
    noOpen: Options.boolean("no-open").pipe(Options.withDescription("print the URL without opening a browser"))
  },
  dashboardProgram
).pipe(
  Command.withDescription(
    "A live local web page: calls, tokens, cost and savings, Claude usage and its forecast, the pool, the balancer and the latest delegations"
  )
)
