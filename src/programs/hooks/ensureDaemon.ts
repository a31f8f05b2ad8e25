import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as fs from "node:fs"
import { Config, Paths } from "../../services/config"
import { DaemonLauncher, findRunningDaemon, readLaunchState, recordLaunch } from "../../services/daemon"
import { recordFailure } from "../../services/claude-code"

/** a daemon that could not start (no OpenCode, a bad config) is not tried again by every prompt */
const RETRY_FAILED_AFTER_MS = 10 * 60_000

/**
 * With no daemon up, every hook call pays for a runtime of its own; with one, the relay (src/relay) hands it to the
 * daemon's warm one. So SessionStart (and UserPromptSubmit, for a session that outlived an idle daemon) starts the
 * daemon when none runs: `hooks.autoStartDaemon`, not with OMCM_NO_AUTOSTART=1, and not after `omcm pool stop`
 * until `omcm pool start`. It stops after `hooks.daemonIdleMinutes` without a request. Only a hook process provides
 * an enabled launcher (the daemon answering a relayed hook is the daemon). True when one was started (false also when one
 * is up); failing to start one changes nothing for the session.
 */
export const ensureDaemon = (event: string, cwd: string | undefined) =>
  Effect.gen(function*() {
    const launcher = yield* DaemonLauncher
    if (!launcher.enabled || process.env.OMCM_NO_AUTOSTART === "1") return false
    const { config } = yield* Config
    if (!config.hooks.autoStartDaemon) return false
    const paths = yield* Paths
    if (fs.existsSync(paths.autostartPausedFile) || Option.isSome(yield* findRunningDaemon(paths.daemonFile))) return false
    // a launch still starting, or one that failed lately (no OpenCode, a bad config): not again from every prompt
    const launch = yield* readLaunchState(paths.daemonLaunchFile)
    if (launch._tag === "starting" || (launch._tag === "failed" && launch.ageMs < RETRY_FAILED_AFTER_MS)) return false
    const { pid } = yield* launcher.launch({ cwd: cwd ?? process.cwd(), idleExitMinutes: config.hooks.daemonIdleMinutes, logDir: paths.logDir })
    yield* recordLaunch(paths.daemonLaunchFile, pid)
    return true
  }).pipe(
    Effect.catchAll((error) => Effect.as(recordFailure(event, undefined, error instanceof Error ? error.message : String(error)), false))
  )
