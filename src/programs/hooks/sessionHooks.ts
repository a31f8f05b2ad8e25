import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { SessionEndInput, SessionStartInput, StopInput } from "../../domain/hookInput"
import { ClaudeUsage } from "../../services/ClaudeUsage"
import { Config } from "../../services/Config"
import { DaemonLauncher } from "../../services/DaemonLauncher"
import { findRunningDaemon } from "../../services/daemonState"
import { Paths } from "../../services/Paths"
import { Sessions } from "../../services/Sessions"
import { recordFailure } from "./failOpen"
import { addContext, type HookOutput } from "./hookOutput"

const STALE_SESSION_MS = 7 * 24 * 3600 * 1000

/**
 * With no daemon up, every hook call pays for a runtime of its own; with one, the relay (src/relay) hands it to the
 * daemon's warm one. So a session starts the daemon (`hooks.autoStartDaemon`, not with OMCM_NO_AUTOSTART=1), which
 * stops after `hooks.daemonIdleMinutes` without a request. Failing to start it changes nothing for the session.
 */
const startDaemon = (cwd: string | undefined) =>
  Effect.gen(function*() {
    const launcher = yield* Effect.serviceOption(DaemonLauncher)
    const { config } = yield* Config
    const paths = yield* Paths
    if (Option.isNone(launcher) || !config.hooks.autoStartDaemon || process.env.OMCM_NO_AUTOSTART === "1") return false
    yield* launcher.value.launch({ cwd: cwd ?? process.cwd(), idleExitMinutes: config.hooks.daemonIdleMinutes, logDir: paths.logDir })
    return true
  }).pipe(
    Effect.catchAll((error) => Effect.as(recordFailure("session-start", undefined, error.message), false))
  )

/**
 * SessionStart: forget sessions untouched for a week, start this one (a new or cleared conversation starts with no
 * mode; a resumed one keeps its mode) and give the model a one-line summary.
 */
export const sessionStart = (input: typeof SessionStartInput.Type) =>
  Effect.gen(function*() {
    const sessions = yield* Sessions
    const paths = yield* Paths
    yield* sessions.clearStale(STALE_SESSION_MS)
    if (input.source === "startup" || input.source === "clear" || input.source === undefined) {
      yield* sessions.setMode(input.session_id, { mode: "off", autopilot: false, task: null }, input.cwd)
    } else {
      yield* sessions.start(input.session_id, input.cwd)
    }
    const mode = Option.match(yield* sessions.getMode(input.session_id), { onNone: () => "off", onSome: (m) => m.mode })
    const usage = yield* Effect.flatMap(ClaudeUsage, (u) => u.current({ allowNetwork: false })).pipe(Effect.option)
    const usageText = Option.match(usage, {
      onNone: () => "Claude usage unknown",
      onSome: (u) =>
        u.source === "unknown" ? "Claude usage unknown" : `Claude usage ${Math.round(u.percent)}% (5-hour ${u.fiveHour ?? "?"}%, weekly ${u.weekly ?? "?"}%)`
    })
    const daemon = yield* findRunningDaemon(paths.daemonFile)
    const started = Option.isNone(daemon) ? yield* startDaemon(input.cwd) : false
    const pool = Option.match(daemon, {
      onNone: () => started ? "OpenCode pool starting in the background" : "OpenCode pool down (a delegated call starts its own server)",
      onSome: (d) => `OpenCode pool up (${d.servers.length} server${d.servers.length === 1 ? "" : "s"})`
    })
    return Option.some(addContext(
      "SessionStart",
      `[omcm] ${usageText} · mode ${mode} · ${pool}. Say hulw or ulw in a prompt to route sub-agents to OpenCode.`
    ))
  })

/** Stop: the turn ended; keep the session fresh. SessionEnd: close its records. */
export const stop = (input: typeof StopInput.Type) =>
  Effect.flatMap(Sessions, (s) => s.start(input.session_id, input.cwd)).pipe(Effect.as(Option.none<HookOutput>()))

export const sessionEnd = (input: typeof SessionEndInput.Type) =>
  Effect.flatMap(Sessions, (s) => s.end(input.session_id)).pipe(Effect.as(Option.none<HookOutput>()))
