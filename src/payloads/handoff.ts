// The handoff payload of dist/omcm.js (see build.mjs): what a Stop hook that runs in its own process (no pool daemon
// took the call through the relay) loads to write ulw's automatic handoff, once it decided one is due. It is a bundle
// of its own, with its own copy of `effect`, so the hook payload, which every tool call reads, holds none of the
// context builder (transcript, git status, the handoff's Markdown, redaction) or a command executor. Only plain data
// and a promise cross between the two bundles, never an Effect value: the request, the hook's config, the outcome.
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type { AutoHandoffFailure, WrittenAutoHandoff } from "../programs/hooks/autoHandoffWriter"
import { writeAutoHandoff } from "../programs/hooks/writeAutoHandoff"
import { Config } from "../services/config"
import type { BuildContextInput } from "../services/context"

export type HandoffOutcome =
  | { readonly ok: true; readonly written: WrittenAutoHandoff }
  | { readonly ok: false; readonly error: AutoHandoffFailure }

/** Write one handoff on this bundle's runtime (git in this process's environment); an aborted `signal` interrupts it. */
export const writeHandoff = (request: BuildContextInput, loaded: Context.Tag.Service<Config>, signal?: AbortSignal): Promise<HandoffOutcome> =>
  Effect.runPromise(
    writeAutoHandoff(request, process.env).pipe(
      Effect.match({
        onFailure: (error): HandoffOutcome => ({ ok: false, error: { _tag: error._tag, message: error.message } }),
        onSuccess: (written): HandoffOutcome => ({ ok: true, written })
      }),
      Effect.provideService(Config, loaded)
    ),
    { signal }
  )
