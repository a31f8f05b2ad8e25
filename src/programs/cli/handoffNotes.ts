/** The handoff's decisions and learnings by the LOW-tier model (`omcm handoff`), else the deterministic ones, saying which. */
import * as Effect from "effect/Effect"
import { type HandoffContext, notingSource, withSessionNotes } from "../../services/context"
import { NoteSummarizer } from "../../services/context-sync"

export interface NotesChoice {
  /** false: `--no-summary` */
  readonly summary: boolean
  readonly timeoutMs: number
}

export interface SummarizedContext {
  readonly context: HandoffContext
  /** where the notes came from, in words; null when there is no transcript to take them from */
  readonly notes: { readonly by: "summary" | "deterministic"; readonly text: string } | null
}

export const summarizeNotes = (context: HandoffContext, choice: NotesChoice): Effect.Effect<SummarizedContext, never, NoteSummarizer> =>
  Effect.gen(function*() {
    const transcriptPath = context.meta.transcript
    if (transcriptPath === null) return { context, notes: null }
    const deterministic = (why: string) => ({
      context: notingSource(context, `no model summary: ${why}`),
      notes: { by: "deterministic" as const, text: `from the transcript (deterministic; no model summary: ${why})` }
    })
    if (!choice.summary) return deterministic("--no-summary")
    const outcome = yield* Effect.flatMap(NoteSummarizer, (s) =>
      s.summarize({ transcriptPath, projectPath: context.meta.projectPath, timeoutMs: choice.timeoutMs, sessionId: context.meta.sessionId }))
    if (outcome._tag === "NoSummary") return deterministic(outcome.reason)
    return {
      context: withSessionNotes(context, outcome.notes, `summary by ${outcome.model} of transcript ${transcriptPath}`),
      notes: { by: "summary" as const, text: `summary by ${outcome.model}` }
    }
  })
