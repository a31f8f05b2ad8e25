import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { Config } from "../../services/config"
import type { BuildContextInput } from "../../services/context"

/** what a failed write tells the Stop hook, which logs it and goes on */
export interface AutoHandoffFailure {
  readonly _tag: string
  readonly message: string
}

export interface WrittenAutoHandoff {
  /** the handoff's `context.md` */
  readonly markdown: string
}

/** the environment git and the transcript lookup run with: the hook caller's */
export type HandoffEnv = Readonly<Record<string, string | undefined>>

export interface AutoHandoffWriterShape {
  /** build the session's handoff from its transcript and git, redact it and write it under `<project>/.omcm/handoff/` */
  readonly write: (request: BuildContextInput) => Effect.Effect<WrittenAutoHandoff, AutoHandoffFailure, Config>
}

/**
 * How the Stop hook writes ulw's automatic handoff once it decided one is due (programs/hooks/autoHandoff.ts). Nothing
 * else of a hook needs the context builder (transcript, git, the handoff's Markdown, redaction) or a command
 * executor, so the hook's code does not import them: whoever runs the hook says where they come from. The CLI's
 * payload, the daemon and tests load them from their own bundle (`lazy`); the hook payload of dist/omcm.js loads the
 * separate handoff payload through the loader (src/payloads/hook.ts).
 */
export class AutoHandoffWriter extends Context.Tag("omcm/AutoHandoffWriter")<AutoHandoffWriter, AutoHandoffWriterShape>() {
  /**
   * `load` is called on the first write only, e.g. `() => import("./programs/hooks/writeAutoHandoff")`; `env` is the
   * hook caller's environment (the daemon answers for other processes)
   */
  static readonly lazy = (
    load: () => Promise<{ readonly writeAutoHandoff: (request: BuildContextInput, env: HandoffEnv) => ReturnType<AutoHandoffWriterShape["write"]> }>,
    env: HandoffEnv = process.env
  ): Layer.Layer<AutoHandoffWriter> =>
    Layer.succeed(AutoHandoffWriter, {
      write: (request) => Effect.flatMap(Effect.promise(load), (m) => m.writeAutoHandoff(request, env))
    })
}
