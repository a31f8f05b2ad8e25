import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { Config, Paths } from "../../services/config"
import type { Delegation, DelegationRequest } from "../../services/daemon"

/** what a failed delegation tells the hook: it records the tag and logs the message, then lets the call run on Claude */
export interface DelegationFailure {
  readonly _tag: string
  readonly message: string
}

/** One Agent call to run on OpenCode: the prompt and where, and what the sub-agent is on Claude */
export interface HookDelegationRequest extends DelegationRequest {
  /** the Agent call's `subagent_type`: its definition gives the session its role, tools and permissions */
  readonly subagentType?: string | undefined
  /** the hook input's `permission_mode` (`plan` is read-only) */
  readonly permissionMode?: string | undefined
}

export interface HookDelegated extends Delegation {
  /** which definition of the sub-agent the session was given, in words (or that none was found) */
  readonly role: string
}

export interface HookDelegationShape {
  /** run a sub-agent's prompt on OpenCode (the pool daemon, else a pool of this process) with the hook's config */
  readonly run: (request: HookDelegationRequest) => Effect.Effect<HookDelegated, DelegationFailure, Config | Paths>
}

/**
 * How a PreToolUse hook delegates. Nothing else of a hook needs the pool, the daemon client or an HTTP client, so
 * the hook's code does not import them: whoever runs the hook says where they come from. The CLI's payload, the
 * daemon and tests load them from their own bundle (`lazy`); the hook payload of dist/omcm.js loads the separate
 * delegation payload through the loader (src/payloads/hook.ts).
 */
export class HookDelegation extends Context.Tag("omcm/HookDelegation")<HookDelegation, HookDelegationShape>() {
  /** `load` is called on the first delegation only, e.g. `() => import("./programs/hooks/delegate")` */
  static readonly lazy = (
    load: () => Promise<{ readonly runDelegation: HookDelegationShape["run"] }>
  ): Layer.Layer<HookDelegation> =>
    Layer.succeed(HookDelegation, {
      run: (request) => Effect.flatMap(Effect.promise(load), (m) => m.runDelegation(request))
    })
}
