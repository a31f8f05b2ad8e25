import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import {
  type SessionEndInput,
  type SessionStartInput,
  type StopInput,
  addContext,
  describeFailure,
  type HookOutput,
  recordFailure
} from "../../services/claude-code"
import { ClaudeUsage, Sessions } from "../../services/router"
import { findRunningDaemon, readLaunchState } from "../../services/daemon"
import { Paths } from "../../services/config"
import { makeAutoHandoffs } from "../../services/context"
import { Store } from "../../services/store"
import { autoHandoff } from "./autoHandoff"
import { ensureDaemon } from "./ensureDaemon"
import { takePulledHandoff } from "./pulledHandoff"

const STALE_SESSION_MS = 7 * 24 * 3600 * 1000

/**
 * SessionStart: forget sessions untouched for a week, start this one (a new or cleared conversation starts with no
 * mode; a resumed one keeps its mode) and give the model a one-line summary.
 */
export const sessionStart = (input: typeof SessionStartInput.Type) =>
  Effect.gen(function*() {
    const sessions = yield* Sessions
    const paths = yield* Paths
    yield* sessions.clearStale(STALE_SESSION_MS)
    yield* makeAutoHandoffs(yield* Store).clearStale((yield* Clock.currentTimeMillis) - STALE_SESSION_MS)
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
    const started = Option.isNone(daemon) ? yield* ensureDaemon("session-start", input.cwd) : false
    const starting = started || (Option.isNone(daemon) && (yield* readLaunchState(paths.daemonLaunchFile))._tag === "starting")
    const pool = Option.match(daemon, {
      onNone: () => starting ? "OpenCode pool starting in the background" : "OpenCode pool down (a delegated call starts its own server)",
      onSome: (d) => `OpenCode pool up (${d.servers.length} server${d.servers.length === 1 ? "" : "s"})`
    })
    const summary = `[omcm] ${usageText} · mode ${mode} · ${pool}. Say hulw or ulw in a prompt to route sub-agents to OpenCode.`
    const pulled = yield* takePulledHandoff(input.cwd)
    return Option.some(addContext(
      "SessionStart",
      Option.match(pulled, {
        onNone: () => summary,
        onSome: (handoff) => `${summary}\n\n[omcm] The work went on in OpenCode; its handoff back to you:\n\n${handoff}`
      })
    ))
  })

/**
 * Stop: the turn ended; keep the session fresh, and in ulw past heavyThreshold write the handoff (its failure is
 * logged and changes nothing else). SessionEnd: close its records.
 */
export const stop = (input: typeof StopInput.Type) =>
  Effect.gen(function*() {
    yield* Effect.flatMap(Sessions, (s) => s.start(input.session_id, input.cwd))
    yield* autoHandoff(input).pipe(
      Effect.catchAllCause((cause) => recordFailure("stop", input.session_id, `automatic handoff: ${describeFailure(Cause.squash(cause))}`))
    )
    return Option.none<HookOutput>()
  })

export const sessionEnd = (input: typeof SessionEndInput.Type) =>
  Effect.flatMap(Sessions, (s) => s.end(input.session_id)).pipe(Effect.as(Option.none<HookOutput>()))
