import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { StopInput } from "../../services/claude-code"
import { Config } from "../../services/config"
import {
  autoHandoffStep,
  ContextBuilder,
  DEFAULT_HANDOFF_TASK,
  makeAutoHandoffs,
  notingSource,
  redactContext
} from "../../services/context"
import { ClaudeUsage, Sessions } from "../../services/router"
import { Store } from "../../services/store"

/**
 * ulw's automatic handoff, at the end of a turn: once Claude usage reaches `routing.heavyThreshold`, the session's
 * handoff is written to `<project>/.omcm/handoff/` (once a crossing) and recorded for the statusline. Built from the
 * transcript and git alone: no model is asked here (a hook must stay fast).
 */
export const autoHandoff = (input: typeof StopInput.Type) =>
  Effect.gen(function*() {
    if (input.hook_event_name !== "Stop" || input.cwd === undefined) return
    const { config } = yield* Config
    const session = yield* Effect.flatMap(Sessions, (s) => s.getMode(input.session_id))
    const usage = yield* Effect.flatMap(ClaudeUsage, (u) => u.current({ allowNetwork: false }))
    const handoffs = makeAutoHandoffs(yield* Store)
    const written = yield* handoffs.read(input.session_id)
    const mode = Option.map(session, (s) => s.mode)
    const step = autoHandoffStep({ mode, usage, routing: config.routing, written: Option.isSome(written) })
    if (step === "rearm") return yield* handoffs.forget(input.session_id)
    if (step === "none") return
    const builder = yield* ContextBuilder
    const built = yield* builder.buildContext({
      sessionId: input.session_id,
      projectPath: input.cwd,
      defaultTask: Option.getOrElse(Option.flatMapNullable(session, (s) => s.task), () => DEFAULT_HANDOFF_TASK),
      ...(input.transcript_path === undefined ? {} : { transcriptPath: input.transcript_path }),
      claudeUsage: { fiveHourUsage: usage.fiveHour, weeklyUsage: usage.weekly },
      mode: "ulw"
    })
    const { context } = yield* redactContext(config.delegation.redact, notingSource(built, "written by the Stop hook, which asks no model"))
    const files = yield* builder.writeHandoff(context)
    const at = yield* Clock.currentTimeMillis
    yield* handoffs.record(input.session_id, { markdown: files.markdown, projectPath: input.cwd, at, usage: usage.percent })
  })
