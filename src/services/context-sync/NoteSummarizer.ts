import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { splitModelId } from "../../domain/model"
import { readTextIfExists } from "../../lib/jsonFile"
import { Config } from "../config"
import { readTranscript, type SessionNotes } from "../context"
import { Delegator } from "../daemon"
import { CatalogCache, routingModel } from "../models"
import { Tracker } from "../tracker"
import { decodeSummary, notesOfSummary, SUMMARY_SYSTEM, summaryPrompt, transcriptDigest } from "./noteSummary"

export interface SummaryRequest {
  readonly transcriptPath: string
  /** the Claude Code session the handoff is of, for the tracker's record of the call */
  readonly sessionId?: string | null | undefined
  /** the project the summary's OpenCode session runs in */
  readonly projectPath: string
  /** the whole attempt, a server started for it included */
  readonly timeoutMs: number
}

/** The model's notes, or why there are none (the caller keeps the deterministic ones). */
export type SummaryOutcome =
  | { readonly _tag: "Summary"; readonly model: string; readonly notes: SessionNotes }
  | { readonly _tag: "NoSummary"; readonly reason: string }

export interface NoteSummarizerShape {
  /** never fails: any failure is a NoSummary saying why */
  readonly summarize: (request: SummaryRequest) => Effect.Effect<SummaryOutcome>
}

/** the agent name the summary calls are recorded under */
export const SUMMARY_AGENT = "omcm-handoff-summary"

/** no tool of the session's may run: the answer is text alone */
const NO_TOOLS = [{ permission: "*", pattern: "*", action: "deny" as const }]

const errorText = (error: unknown): string =>
  typeof error === "object" && error !== null && "message" in error && typeof error.message === "string" && error.message.length > 0
    ? error.message.split("\n")[0]!
    : typeof error === "object" && error !== null && "_tag" in error
    ? String(error._tag)
    : String(error)

/**
 * A handoff's decisions and learnings written by a LOW-tier OpenCode model (a cheap one) from the session's
 * transcript, through the Delegator (the pool daemon, else a server of this process): secrets are replaced in what
 * leaves, as for any delegated prompt.
 */
export class NoteSummarizer extends Context.Tag("omcm/NoteSummarizer")<NoteSummarizer, NoteSummarizerShape>() {
  static readonly layerWithoutDependencies = Layer.effect(
    NoteSummarizer,
    Effect.gen(function*() {
      const { config } = yield* Config
      const delegator = yield* Delegator
      const catalogs = yield* CatalogCache
      const tracker = yield* Tracker
      const none = (reason: string): SummaryOutcome => ({ _tag: "NoSummary", reason })

      const summarize = (request: SummaryRequest): Effect.Effect<SummaryOutcome> =>
        Effect.gen(function*() {
          const text = yield* Effect.orElseSucceed(readTextIfExists(request.transcriptPath), () => Option.none<string>())
          if (Option.isNone(text)) return none(`cannot read ${request.transcriptPath}`)
          const digest = transcriptDigest(readTranscript(text.value))
          if (digest.lines.size === 0) return none("the transcript has nothing to summarise")
          const chosen = routingModel("LOW", config.models.LOW.opencode, Option.getOrUndefined(yield* catalogs.read))
          if (chosen._tag === "None") return none(`no LOW-tier OpenCode model (${chosen.why})`)
          const done = yield* delegator.delegate({
            prompt: summaryPrompt(digest),
            model: chosen.id,
            candidates: chosen.candidates,
            directory: request.projectPath,
            timeoutMs: request.timeoutMs,
            title: "omcm handoff: decisions and learnings",
            policy: { system: SUMMARY_SYSTEM, permission: NO_TOOLS }
          }).pipe(
            Effect.timeoutFail({ duration: Duration.millis(request.timeoutMs), onTimeout: () => `no answer within ${Math.round(request.timeoutMs / 1000)} s` }),
            Effect.either
          )
          // the call is tracked like any other, under its own source: omcm's cost, not work moved off Claude
          const context = { source: "handoff" as const, agent: SUMMARY_AGENT, tier: "LOW" as const, sessionId: request.sessionId ?? null }
          if (Either.isLeft(done)) {
            yield* tracker.recordCall({
              ...context,
              target: "opencode",
              ...splitModelId(chosen.id),
              tokens: { input: 0, output: 0 },
              durationMs: 0,
              success: false,
              error: errorText(done.left)
            }).pipe(Effect.ignore)
            return none(`the LOW-tier model failed: ${errorText(done.left)}`)
          }
          yield* tracker.recordExecution(done.right.result, { ...context, target: "opencode" }).pipe(Effect.ignore)
          const model = `${done.right.result.provider}/${done.right.result.model}`
          return Either.match(decodeSummary(done.right.result.stdout), {
            onLeft: (why) => none(`${model}'s answer is ${why}`),
            onRight: (answer): SummaryOutcome => ({
              _tag: "Summary",
              model,
              notes: notesOfSummary(answer, model, `transcript ${request.transcriptPath}`, digest)
            })
          })
        })

      return { summarize }
    })
  )

  static readonly layer = NoteSummarizer.layerWithoutDependencies.pipe(Layer.provide([Config.layer, Delegator.layer, CatalogCache.layer, Tracker.layer]))
}
