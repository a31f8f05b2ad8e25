// The hook payload of dist/omcm.js (see build.mjs): `omcm hook <event>`, run on every Claude Code tool call when no
// pool daemon answers it through the relay. It holds the hook programs and the services they build, nothing else
// (test/unit/hookBundle.test.ts): delegating a sub-agent to OpenCode loads the delegation payload
// (src/payloads/delegate.ts), and writing ulw's automatic handoff the handoff payload (src/payloads/handoff.ts),
// through the loader, on that call only.
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { AutoHandoffWriter } from "../programs/hooks/autoHandoffWriter"
import { HookDelegation } from "../programs/hooks/delegation"
import { main } from "../programs/hooks/main"
import { Config, Paths } from "../services/config"
import type * as DelegatePayload from "./delegate"
import type * as HandoffPayload from "./handoff"

const loader = globalThis as {
  /** the relay (src/relay) may have read stdin already, when no daemon took the call */
  readonly __omcmStdin?: string
  /** the loader's: runs another payload of dist/ (with its V8 code cache) and returns its exports */
  readonly __omcmPayload?: (name: "delegate" | "handoff") => unknown
}

/** the exports of another payload; fails (a plain error the caller describes) when this bundle was not run by dist/omcm.js */
const payload = <A>(name: "delegate" | "handoff"): A => {
  if (loader.__omcmPayload === undefined) throw new Error("not run by dist/omcm.js")
  return loader.__omcmPayload(name) as A
}

const DelegationPayload = Layer.succeed(HookDelegation, {
  run: (request) =>
    Effect.gen(function*() {
      const loaded = yield* Config
      const paths = yield* Paths
      const outcome = yield* Effect.tryPromise({
        try: (signal) => payload<typeof DelegatePayload>("delegate").delegate(request, loaded, paths, signal),
        catch: (e) => ({ _tag: "DelegationUnavailable", message: `delegation payload: ${e instanceof Error ? e.message : String(e)}` })
      })
      return outcome.ok ? outcome.delegation : yield* Effect.fail(outcome.error)
    })
})

const HandoffWriterPayload = Layer.succeed(AutoHandoffWriter, {
  write: (request) =>
    Effect.gen(function*() {
      const loaded = yield* Config
      const outcome = yield* Effect.tryPromise({
        try: (signal) => payload<typeof HandoffPayload>("handoff").writeHandoff(request, loaded, signal),
        catch: (e) => ({ _tag: "HandoffUnavailable", message: `handoff payload: ${e instanceof Error ? e.message : String(e)}` })
      })
      return outcome.ok ? outcome.written : yield* Effect.fail(outcome.error)
    })
})

main(process.argv.slice(3), loader.__omcmStdin, Layer.merge(DelegationPayload, HandoffWriterPayload))
