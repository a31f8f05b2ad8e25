import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { StopInput } from "../../services/claude-code"
import { Config } from "../../services/config"
import { autoHandoffStep, makeAutoHandoffs } from "../../services/context"
import { ClaudeUsage, Sessions } from "../../services/router"
import { Store } from "../../services/store"
import { AutoHandoffWriter } from "./autoHandoffWriter"

/**
 * ulw's automatic handoff, at the end of a turn: once Claude usage reaches `routing.heavyThreshold`, the session's
 * handoff is written to `<project>/.omcm/handoff/` (once a crossing) and recorded for the statusline. Built from the
 * transcript and git alone: no model is asked here (a hook must stay fast). Deciding is cheap and done here; only the
 * writing loads the context builder (AutoHandoffWriter).
 */
export const autoHandoff = (input: typeof StopInput.Type) =>
  Effect.gen(function*() {
    const projectPath = input.cwd
    if (input.hook_event_name !== "Stop" || projectPath === undefined) return
    const { config } = yield* Config
    const session = yield* Effect.flatMap(Sessions, (s) => s.getMode(input.session_id))
    const usage = yield* Effect.flatMap(ClaudeUsage, (u) => u.current({ allowNetwork: false }))
    const handoffs = makeAutoHandoffs(yield* Store)
    const written = yield* handoffs.read(input.session_id)
    const mode = Option.map(session, (s) => s.mode)
    const step = autoHandoffStep({ mode, usage, routing: config.routing, written: Option.isSome(written) })
    if (step === "rearm") return yield* handoffs.forget(input.session_id)
    if (step === "none") return
    const files = yield* Effect.flatMap(AutoHandoffWriter, (writer) =>
      writer.write({
        sessionId: input.session_id,
        projectPath,
        // the writer falls back on DEFAULT_HANDOFF_TASK
        ...Option.match(Option.flatMapNullable(session, (s) => s.task), { onNone: () => ({}), onSome: (defaultTask) => ({ defaultTask }) }),
        ...(input.transcript_path === undefined ? {} : { transcriptPath: input.transcript_path }),
        claudeUsage: { fiveHourUsage: usage.fiveHour, weeklyUsage: usage.weekly },
        mode: "ulw"
      }))
    const at = yield* Clock.currentTimeMillis
    yield* handoffs.record(input.session_id, { markdown: files.markdown, projectPath, at, usage: usage.percent })
  })
