import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as SubscriptionRef from "effect/SubscriptionRef"
import { timingSafeEqual } from "node:crypto"
import * as fs from "node:fs"
import * as http from "node:http"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { RealtimeTracker } from "../../services/tracker"
import { readSnapshots } from "./sources"
import { Range } from "./snapshot"

export class DashboardError extends Data.TaggedError("DashboardError")<{ readonly message: string }> {}

/** The files of the page (copied into dist/dashboard/ by build.mjs) and their content types. */
const ASSETS: Readonly<Record<string, string>> = {
  "index.html": "text/html; charset=utf-8",
  "dashboard.js": "text/javascript; charset=utf-8",
  "dashboard.css": "text/css; charset=utf-8",
  "uPlot.iife.min.js": "text/javascript; charset=utf-8",
  "uPlot.min.css": "text/css; charset=utf-8"
}

/** where the page's files are: next to the bundle (dist/dashboard), or dist/dashboard of a source checkout */
export const assetsDir = (): string => {
  const here = path.dirname(fileURLToPath(import.meta.url))
  const candidates = [path.join(here, "dashboard"), path.resolve(here, "../../../dist/dashboard")]
  return candidates.find((dir) => fs.existsSync(path.join(dir, "index.html"))) ?? candidates[0]!
}

type Assets = ReadonlyMap<string, { readonly body: Uint8Array; readonly contentType: string }>

/** the page's files, read once; the page names its files with the token (`%TOKEN%`) */
const loadAssets = (dir: string, token: string): Effect.Effect<Assets, DashboardError> =>
  Effect.try({
    try: () =>
      new Map(Object.entries(ASSETS).map(([name, contentType]) => {
        const body = fs.readFileSync(path.join(dir, name))
        return [name, { body: name === "index.html" ? Buffer.from(body.toString("utf8").replaceAll("%TOKEN%", token)) : body, contentType }]
      })),
    catch: (e) => new DashboardError({ message: `${dir}: the dashboard's page is missing (${(e as NodeJS.ErrnoException).code ?? String(e)}); run node build.mjs` })
  })

const sameToken = (given: string | null, token: string): boolean => {
  if (given === null) return false
  const a = Buffer.from(given)
  const b = Buffer.from(token)
  return a.length === b.length && timingSafeEqual(a, b)
}

const NO_STORE = { "cache-control": "no-store", "x-content-type-options": "nosniff", "referrer-policy": "no-referrer" }

const decodeRange = Schema.decodeUnknownOption(Range)
const rangeOf = (url: URL): Range => Option.getOrElse(decodeRange(url.searchParams.get("range")), () => "hour" as const)

export interface DashboardOptions {
  readonly port: number
  readonly token: string
  /** the tracker's database poll: how soon an event another process recorded is seen */
  readonly pollInterval?: Duration.DurationInput | undefined
  /** at least this often the snapshot is rebuilt (the pool, the balancer and usage change without events) */
  readonly refreshInterval?: Duration.DurationInput | undefined
}

export interface RunningDashboard {
  readonly port: number
  readonly url: string
}

/**
 * The dashboard's HTTP server on 127.0.0.1, for as long as the scope lives. Every route needs `?token=`; the page
 * (`/`), its files (`/assets/<name>`), the current snapshot (`/api/snapshot`) and a server-sent event stream of
 * snapshots (`/api/stream`), pushed whenever the tracker's ring buffer gets a new event (it follows the database,
 * so another process's too) or the tracker's stats stream emits.
 */
export const serveDashboard = (options: DashboardOptions) =>
  Effect.gen(function*() {
    const assets = yield* loadAssets(assetsDir(), options.token)
    const realtime = yield* RealtimeTracker
    yield* Effect.forkScoped(realtime.follow(options.pollInterval ?? "500 millis"))

    const snapshots = yield* SubscriptionRef.make<Option.Option<Readonly<Record<Range, string>>>>(Option.none())
    const newestId = realtime.getRecentEvents(1).pipe(Effect.map((events) => events[0]?.id ?? 0))
    const newEvents = Stream.repeatEffectWithSchedule(newestId, Schedule.spaced("200 millis")).pipe(Stream.changes, Stream.as("event"))
    const emitted = realtime.stats.pipe(Stream.filter((s) => s.period === "minute"), Stream.as("stats"))
    const ticks = Stream.fromSchedule(Schedule.spaced(options.refreshInterval ?? "5 seconds")).pipe(Stream.as("tick"))
    yield* Stream.mergeAll([newEvents, emitted, ticks], { concurrency: "unbounded" }).pipe(
      // a burst of events rebuilds once after the build under way
      Stream.buffer({ capacity: 1, strategy: "sliding" }),
      Stream.mapEffect(() =>
        readSnapshots.pipe(
          Effect.flatMap((s) => SubscriptionRef.set(snapshots, Option.some(s))),
          Effect.catchAllCause((cause) => Console.error(`omcm dashboard: cannot read the numbers (${Cause.pretty(cause).split("\n")[0]})`))
        )
      ),
      Stream.runDrain,
      Effect.forkScoped
    )
    const ofRange = (range: Range) => snapshots.changes.pipe(Stream.filterMap((s) => Option.map(s, (all) => all[range])))
    const current = (range: Range) => ofRange(range).pipe(Stream.runHead, Effect.flatten)

    const page = assets.get("index.html")!
    const router = HttpRouter.empty.pipe(
      HttpRouter.get("/", Effect.succeed(HttpServerResponse.uint8Array(page.body, { contentType: page.contentType, headers: NO_STORE }))),
      HttpRouter.get(
        "/assets/:name",
        Effect.flatMap(HttpRouter.params, ({ name }) => {
          const asset = name === undefined ? undefined : assets.get(name)
          return Effect.succeed(
            asset === undefined
              ? HttpServerResponse.text("not found\n", { status: 404 })
              : HttpServerResponse.uint8Array(asset.body, { contentType: asset.contentType, headers: NO_STORE })
          )
        })
      ),
      HttpRouter.get(
        "/api/snapshot",
        Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
          current(rangeOf(new URL(request.url, "http://127.0.0.1"))).pipe(
            Effect.timeout("10 seconds"),
            Effect.map((json) => HttpServerResponse.text(json, { contentType: "application/json", headers: NO_STORE })),
            Effect.orElseSucceed(() => HttpServerResponse.text("no snapshot yet: the numbers cannot be read (see the dashboard's output)\n", { status: 503 }))
          ))
      ),
      HttpRouter.get(
        "/api/stream",
        Effect.map(HttpServerRequest.HttpServerRequest, (request) => {
          const range = rangeOf(new URL(request.url, "http://127.0.0.1"))
          const frames = ofRange(range).pipe(
            Stream.changes,
            Stream.map((json) => `data: ${json}\n\n`)
          )
          // a comment now and then keeps proxies and idle timers from closing a quiet stream
          const keepAlive = Stream.fromSchedule(Schedule.spaced("15 seconds")).pipe(Stream.as(": keep-alive\n\n"))
          return HttpServerResponse.stream(
            Stream.merge(frames, keepAlive, { haltStrategy: "left" }).pipe(Stream.encodeText),
            { contentType: "text/event-stream", headers: { ...NO_STORE, connection: "keep-alive" } }
          )
        })
      ),
      HttpRouter.catchAll(() => Effect.succeed(HttpServerResponse.text("not found\n", { status: 404 })))
    )
    const app = Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const url = new URL(request.url, "http://127.0.0.1")
      if (!sameToken(url.searchParams.get("token"), options.token)) {
        return HttpServerResponse.text("401 Unauthorized: missing or wrong token (use the URL omcm dashboard printed)\n", {
          status: 401,
          headers: NO_STORE
        })
      }
      return yield* router
    })

    let nodeServer: http.Server | undefined
    const server = yield* NodeHttpServer.make(() => (nodeServer = http.createServer()), { port: options.port, host: "127.0.0.1" }).pipe(
      Effect.mapError((e) => new DashboardError({ message: `cannot listen on 127.0.0.1:${options.port}: ${describe(e.cause)}` }))
    )
    // an open event stream would keep the server's close waiting: end the connections first (finalizers run last-first)
    yield* Effect.addFinalizer(() => Effect.sync(() => nodeServer?.closeAllConnections()))
    yield* server.serve(app)
    const port = server.address._tag === "TcpAddress" ? server.address.port : options.port
    return { port, url: `http://127.0.0.1:${port}/?token=${options.token}` } satisfies RunningDashboard
  })

const describe = (cause: unknown): string =>
  typeof cause === "object" && cause !== null && "code" in cause && typeof cause.code === "string" ? cause.code : String(cause)
