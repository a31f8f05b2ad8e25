import { Command, Options } from "@effect/cli"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as fs from "node:fs"
import {
  DaemonAlreadyRunning,
  DaemonNotRunning,
  DaemonStartFailed,
  DaemonClient,
  recordLaunch,
  spawnDaemon
} from "../../services/daemon"
import { InputError } from "../../domain/errors"
import { ConfigLive } from "../../layers/core"
import { PoolRuntimeLive, cleanStalePools, type LeftoverNote, type PoolStatus, recentLeftovers } from "../../services/pool"
import { writePrivateFile } from "../../lib/privateFiles"
import { isAlive, killGroup } from "../../lib/processes"
import { Paths } from "../../services/config"
import { Store, type StoreRecovery } from "../../services/store"
import { runDaemon } from "../daemon"

const DaemonClientLive = Layer.merge(DaemonClient.layer, ConfigLive)
const DaemonLive = Layer.mergeAll(Store.layerWithoutDependencies, PoolRuntimeLive).pipe(Layer.provideMerge(ConfigLive))

const count = (name: string, description: string) =>
  Options.integer(name).pipe(Options.withDescription(description), Options.optional)

const checkCounts = (min: Option.Option<number>, max: Option.Option<number>) => {
  for (const [flag, value] of [["--min", min], ["--max", max]] as const) {
    if (Option.isSome(value) && (value.value < 0 || value.value > 25)) {
      return Effect.fail(new InputError({ message: `${flag}: expected an integer from 0 to 25, got ${value.value}` }))
    }
  }
  return Effect.void
}

const checkIdle = (idle: Option.Option<number>) =>
  Option.isSome(idle) && !(idle.value > 0)
    ? Effect.fail(new InputError({ message: `--idle-exit-minutes: expected a number above 0, got ${idle.value}` }))
    : Effect.void

/** starting the daemon by hand lets hooks start it again after a later idle stop */
const resumeAutostart = Effect.sync(() => fs.rmSync(Paths.fromEnv(process.env).autostartPausedFile, { force: true }))

/** Start `omcm pool start` again as a detached process and wait until its state file says it is up. */
const detach = (min: Option.Option<number>, max: Option.Option<number>, idle: Option.Option<number>) =>
  Effect.gen(function*() {
    const paths = yield* Paths
    const daemons = yield* DaemonClient
    const running = yield* daemons.find
    if (Option.isSome(running)) return yield* new DaemonAlreadyRunning({ pid: running.value.pid, apiPort: running.value.apiPort })
    const args = [...Option.match(min, { onNone: () => [], onSome: (n) => ["--min", String(n)] }),
      ...Option.match(max, { onNone: () => [], onSome: (n) => ["--max", String(n)] }),
      ...Option.match(idle, { onNone: () => [], onSome: (n) => ["--idle-exit-minutes", String(n)] })]
    const { logFile, pid } = spawnDaemon({ entry: process.argv[1]!, args, cwd: process.cwd(), logDir: paths.logDir, env: process.env })
    if (pid <= 0) return yield* new DaemonStartFailed({ message: `the pool daemon could not be started (log: ${logFile})` })
    yield* recordLaunch(paths.daemonLaunchFile, pid)
    const state = yield* daemons.find.pipe(
      Effect.flatMap(Option.match({
        onSome: (s) => (s.pid === pid ? Effect.succeed(s) : Effect.fail("not yet" as const)),
        onNone: () => (isAlive(pid) ? Effect.fail("not yet" as const) : Effect.fail("exited" as const))
      })),
      Effect.retry({ schedule: Schedule.spaced("200 millis"), while: (why) => why === "not yet" }),
      Effect.timeoutFail({ duration: "120 seconds", onTimeout: () => "timeout" as const }),
      Effect.catchAll((why) => {
        const tail = fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8").trim().split("\n").pop() ?? "" : ""
        if (why === "timeout") killGroup(pid)
        return Effect.fail(new DaemonStartFailed({
          message: why === "timeout" ? `the pool daemon did not come up within 120s (log: ${logFile})` : tail.length > 0 ? tail.replace(/^omcm: /, "") : `the pool daemon exited (log: ${logFile})`
        }))
      })
    )
    yield* Console.log(`omcm pool: started in the background (pid ${state.pid}), ${state.servers.length} server(s) on port(s) ${state.servers.map((s) => s.port).join(", ")}; log ${logFile}`)
  })

const start = Command.make(
  "start",
  {
    min: count("min", "servers to keep running (default: pool.minServers)"),
    max: count("max", "servers autoscaling may start (default: pool.maxServers)"),
    detach: Options.boolean("detach").pipe(Options.withDescription("run the daemon in the background and return once it is up")),
    idle: Options.float("idle-exit-minutes").pipe(
      Options.withDescription("stop after this many minutes without a request (default: run until stopped)"),
      Options.optional
    )
  },
  ({ detach: background, idle, max, min }) =>
    Effect.zipRight(
      Effect.zipRight(checkCounts(min, max), checkIdle(idle)).pipe(Effect.zipRight(resumeAutostart)),
      background
        ? detach(min, max, idle).pipe(Effect.provide(DaemonClientLive))
        : runDaemon(
          { minServers: Option.getOrUndefined(min), maxServers: Option.getOrUndefined(max) },
          { idleExitMinutes: Option.getOrUndefined(idle) }
        ).pipe(Effect.provide(DaemonLive))
    )
).pipe(Command.withDescription("Start the pool daemon: persistent opencode servers behind a local authenticated API"))

export const formatPoolStatus = (s: PoolStatus): string =>
  [
    `servers: ${s.activeServers} up (${s.idleServers} idle, ${s.busyServers} busy) · requests ${s.totalRequests} · average ${s.averageResponseTime} ms · in flight ${s.inFlight}`,
    ...s.servers.map((x) =>
      `  127.0.0.1:${x.port}  ${x.status.padEnd(10)} busy ${x.busyCount}  pid ${x.pid ?? "-"}  restarts ${x.restarts}${x.lastError ? `  last error: ${x.lastError}` : ""}`),
    ...(s.maxWorkers === undefined ? [] : [`workers: at most ${s.maxWorkers} delegation(s) at once (routing.maxOpencodeWorkers, applied without a restart)`]),
    ...(s.restartNeeded === undefined || s.restartNeeded.length === 0
      ? []
      : [`restart needed: ${s.restartNeeded.join(", ")} changed in config.json; they apply after: omcm pool stop, then omcm pool start`])
  ].join("\n")

/** how long `pool status` mentions a corrupt database that was moved aside */
const RECOVERY_SHOWN_MS = 7 * 24 * 60 * 60_000

export const formatRecovery = (r: StoreRecovery): string =>
  `database: ${new Date(r.at).toISOString()} the database was corrupt (${r.error}); it was moved aside to ${r.movedTo} and a new one started`

/** how long `pool status` mentions servers a dead pool left behind */
const LEFTOVERS_SHOWN_MS = 24 * 60 * 60_000

export const formatLeftovers = (n: LeftoverNote): string =>
  `leftovers: ${new Date(n.at).toISOString()} the pool of pid ${n.ownerPid} died; ${n.by === "watchdog" ? "its watchdog" : "omcm"} stopped ${n.killed.length} opencode server(s) it left running (pid ${n.killed.join(", ")})`

const status = Command.make("status", { json: Options.boolean("json") }, ({ json }) =>
  Effect.gen(function*() {
    const daemons = yield* DaemonClient
    const paths = yield* Paths
    // servers of a pool whose owner died (SIGKILL) are stopped here at the latest, and said
    yield* cleanStalePools(paths.poolStateDir)
    const leftovers = yield* recentLeftovers(paths.poolStateDir, LEFTOVERS_SHOWN_MS)
    const found = yield* daemons.find
    // an unreadable database is shown as no recovery: the status of the pool does not depend on it
    const recovery = yield* Effect.flatMap(Store, (store) => store.lastRecovery).pipe(
      Effect.map(Option.filter((r) => Date.now() - r.at <= RECOVERY_SHOWN_MS)),
      Effect.orElseSucceed(() => Option.none<StoreRecovery>())
    )
    const recoveryLine = [
      ...Option.match(recovery, { onNone: () => [], onSome: (r) => [formatRecovery(r)] }),
      ...leftovers.map(formatLeftovers)
    ].map((line) => `\n${line}`).join("")
    const storeRecovery = Option.getOrNull(recovery)
    if (Option.isNone(found)) {
      yield* Console.log(json ? JSON.stringify({ running: false, storeRecovery, leftovers }) : `pool daemon: not running${recoveryLine}`)
      return
    }
    const s = yield* daemons.status(found.value)
    yield* Console.log(
      json
        ? JSON.stringify({ running: true, pid: found.value.pid, apiPort: found.value.apiPort, ...s, storeRecovery, leftovers })
        : `pool daemon: running (pid ${found.value.pid}, API 127.0.0.1:${found.value.apiPort}, project ${found.value.projectDir}${
          typeof found.value.idleExitMinutes === "number" ? `, stops after ${found.value.idleExitMinutes} min without a request` : ""
        })\n${formatPoolStatus(s)}${recoveryLine}`
    )
  }).pipe(Effect.provide(Layer.merge(DaemonClientLive, Store.layer)))).pipe(Command.withDescription("Show the pool daemon and its servers"))

const stop = Command.make("stop", {}, () =>
  Effect.gen(function*() {
    const daemons = yield* DaemonClient
    const paths = yield* Paths
    // stopped on purpose: a session's hooks must not bring it back
    yield* Effect.sync(() => writePrivateFile(paths.autostartPausedFile, `${new Date().toISOString()}\n`))
    const found = yield* daemons.find
    if (Option.isNone(found)) {
      // a daemon killed with SIGKILL leaves its servers behind: stop them too
      const cleaned = yield* cleanStalePools(paths.poolStateDir)
      yield* Console.log(cleaned.killed.length > 0
        ? `omcm pool: no daemon was running; stopped ${cleaned.killed.length} server(s) left by a dead one`
        : new DaemonNotRunning().message)
      return
    }
    const { pid } = found.value
    yield* daemons.shutdown(found.value).pipe(Effect.ignore)
    const gone = (ms: number) =>
      Effect.sync(() => isAlive(pid)).pipe(
        Effect.repeat({ schedule: Schedule.spaced("100 millis"), while: (alive) => alive }),
        Effect.timeout(ms),
        Effect.isSuccess
      )
    if (!(yield* gone(20_000))) {
      killGroup(pid, "SIGTERM")
      if (!(yield* gone(5_000))) killGroup(pid, "SIGKILL")
    }
    yield* Console.log(`omcm pool: stopped (pid ${pid}); hooks will not start it again until: omcm pool start`)
  }).pipe(Effect.provide(DaemonClientLive))).pipe(Command.withDescription("Stop the pool daemon and every server it started"))

export const poolCommand = Command.make("pool").pipe(
  Command.withDescription("Manage the pool of persistent opencode servers"),
  Command.withSubcommands([start, status, stop])
)
