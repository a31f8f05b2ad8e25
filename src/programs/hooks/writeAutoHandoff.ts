// Loaded only when the Stop hook writes ulw's automatic handoff (see AutoHandoffWriter): keeps the context builder
// (transcript, git status, the handoff's Markdown, redaction) and @effect/platform-node's command executor out of
// every other hook call; dist/omcm.js even has it in a payload of its own (src/payloads/handoff.ts).
import * as Effect from "effect/Effect"
import { Config } from "../../services/config"
import { ContextBuilder, type BuildContextInput, DEFAULT_HANDOFF_TASK, notingSource, redactContext } from "../../services/context"
import type { HandoffEnv } from "./autoHandoffWriter"

/** the input names the transcript; git is not waited on for long (a hook must stay fast) */
const HOOK_CONTEXT_OPTIONS = { gitTimeoutMs: 5_000, findTranscript: false } as const

/**
 * Built from the transcript and git alone: no model is asked here. The task defaults to the session's (`defaultTask`),
 * else DEFAULT_HANDOFF_TASK. Config is the hook's own (its redaction settings).
 */
export const writeAutoHandoff = (request: BuildContextInput, env: HandoffEnv) =>
  Effect.gen(function*() {
    const { config } = yield* Config
    const builder = yield* ContextBuilder
    const built = yield* builder.buildContext({ ...request, defaultTask: request.defaultTask ?? DEFAULT_HANDOFF_TASK })
    const { context } = yield* redactContext(config.delegation.redact, notingSource(built, "written by the Stop hook, which asks no model"))
    const files = yield* builder.writeHandoff(context)
    return { markdown: files.markdown }
  }).pipe(Effect.provide(ContextBuilder.layerLean({ ...HOOK_CONTEXT_OPTIONS, gitEnv: env, claudeEnv: env })))
