// The delegation payload of dist/omcm.js (see build.mjs): what a PreToolUse hook that runs in its own process (no
// pool daemon took the call through the relay) loads to run a sub-agent's prompt on OpenCode. It is a bundle of its
// own, with its own copy of `effect`, so the hook payload, which every tool call reads, holds none of the pool, the
// daemon client or an HTTP client. Only plain data and a promise cross between the two bundles, never an Effect
// value: the request, the hook's config and paths (plain objects), and the outcome.
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import { runDelegation } from "../programs/hooks/delegate"
import type { DelegationFailure, HookDelegated, HookDelegationRequest } from "../programs/hooks/delegation"
import { Config, Paths, type PathsShape } from "../services/config"

export type DelegateOutcome =
  | { readonly ok: true; readonly delegation: HookDelegated }
  | { readonly ok: false; readonly error: DelegationFailure }

/** Run one delegation on this bundle's runtime; an aborted `signal` interrupts it (and stops what it started). */
export const delegate = (
  request: HookDelegationRequest,
  loaded: Context.Tag.Service<Config>,
  paths: PathsShape,
  signal?: AbortSignal
): Promise<DelegateOutcome> =>
  Effect.runPromise(
    runDelegation(request).pipe(
      Effect.match({
        onFailure: (error): DelegateOutcome => ({ ok: false, error: { _tag: error._tag, message: error.message } }),
        onSuccess: (delegation): DelegateOutcome => ({ ok: true, delegation })
      }),
      Effect.provideService(Config, loaded),
      Effect.provideService(Paths, paths)
    ),
    { signal }
  )
