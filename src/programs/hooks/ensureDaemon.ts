import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as fs from "node:fs"
import { isAlive } from "../../lib/processes"
import { Config, Paths } from "../../services/config"
import { DaemonLauncher, findRunningDaemon } from "../../services/daemon"
import { recordFailure } from "../../services/claude-code"

/** a daemon that could not start (no OpenCode, a bad config) is not tried again by every prompt */
const RETRY_FAILED_AFTER_MS = 10 * 60_000
const STARTING_AT_MOST_MS = 5 * 60_000

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
    const stamp = paths.daemonLaunchFile
    // the daemon deletes this file once it is up: still here, the last launch is starting, or it failed
    const skip = yield* Effect.sync(() => {
      try {
        const pid = Number(fs.readFileSync(stamp, "utf8").trim())
        const age = Date.now() - fs.statSync(stamp).mtimeMs
        // past the longest start-up, a live pid is more likely reused than still starting
        const starting = Number.isInteger(pid) && pid > 0 && isAlive(pid) && age < STARTING_AT_MOST_MS
        return starting || age < RETRY_FAILED_AFTER_MS
      } catch {
        return false
      }
    })
    if (skip) return false
    const { pid } = yield* launcher.launch({ cwd: cwd ?? process.cwd(), idleExitMinutes: config.hooks.daemonIdleMinutes, logDir: paths.logDir })
    yield* Effect.sync(() => {
      fs.mkdirSync(paths.stateDir, { recursive: true })
      fs.writeFileSync(stamp, `${pid}\n`)
    })
    return true
  }).pipe(
    Effect.catchAll((error) => Effect.as(recordFailure(event, undefined, error instanceof Error ? error.message : String(error)), false))
  )
