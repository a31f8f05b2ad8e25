import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as ParseResult from "effect/ParseResult"
import type * as Schema from "effect/Schema"
import {
  PostToolUseInput,
  PreToolUseInput,
  SessionEndInput,
  SessionStartInput,
  StopInput,
  UserPromptSubmitInput,
  describeFailure,
  recordFailure,
  type HookOutput
} from "../../services/claude-code"
import { decodeUnknown, parseJson } from "../../lib/jsonFile"
import { readStdin } from "../../lib/stdin"
import { HookLive } from "../../layers/hook"
import { DaemonLauncher } from "../../services/daemon"
import type { AutoHandoffWriter } from "./autoHandoffWriter"
import type { HookDelegation } from "./delegation"
import { postToolUse } from "./postToolUse"
import { preToolUse } from "./preToolUse"
import { sessionEnd, sessionStart, stop } from "./sessionHooks"
import { userPromptSubmit } from "./userPromptSubmit"

/** what a hook's run loads only on the call that needs it: delegating to OpenCode, writing ulw's automatic handoff */
export type HookLoadedParts = HookDelegation | AutoHandoffWriter
export type HookServices = Layer.Layer.Success<typeof HookLive> | DaemonLauncher | HookLoadedParts
type Handler = (input: unknown) => Effect.Effect<Option.Option<HookOutput>, unknown, HookServices>

const handle = <A, I>(schema: Schema.Schema<A, I>, f: (input: A) => Effect.Effect<Option.Option<HookOutput>, unknown, HookServices>): Handler =>
(input) =>
  decodeUnknown(schema, { strict: false })(input).pipe(
    Effect.mapError((e: ParseResult.ParseError) => new Error(`hook input: ${e.message.split("\n")[0]}`)),
    Effect.flatMap(f)
  )

export const HOOK_EVENTS: Readonly<Record<string, Handler>> = {
  "pre-tool-use": handle(PreToolUseInput, preToolUse),
  "post-tool-use": handle(PostToolUseInput, postToolUse),
  "user-prompt-submit": handle(UserPromptSubmitInput, userPromptSubmit),
  "session-start": handle(SessionStartInput, sessionStart),
  "stop": handle(StopInput, stop),
  "session-end": handle(SessionEndInput, sessionEnd)
}

/** larger than any hook input Claude Code sends; past it the input is dropped, never buffered without end */
const STDIN_LIMIT = 8 * 1024 * 1024

/** One hook call on its raw input text: parse, decode with the event's schema, decide. */
export const runHookText = (event: string, text: string): Effect.Effect<Option.Option<HookOutput>, unknown, HookServices> =>
  Effect.gen(function*() {
    const handler = HOOK_EVENTS[event]
    if (handler === undefined) return yield* Effect.fail(new Error(`unknown hook event ${JSON.stringify(event)}`))
    if (text.trim().length === 0) return yield* Effect.fail(new Error("empty hook input"))
    const input = yield* parseJson(text).pipe(Effect.mapError((why) => new Error(`hook input is ${why}`)))
    return yield* handler(input)
  })

export { describeFailure } from "../../services/claude-code"

/**
 * `omcm hook <event>`: one Claude Code hook call. Whatever happens inside omcm, the process exits 0 and prints
 * either a decision Claude Code understands or nothing (the call proceeds unchanged); failures are logged.
 * `stdin` is the input when a relay already read it (see src/relay); `loaded` is where a PreToolUse hook's
 * delegation code and the Stop hook's handoff writer come from (see HookDelegation, AutoHandoffWriter).
 */
export const main = (args: ReadonlyArray<string>, stdin: string | undefined, loaded: Layer.Layer<HookLoadedParts>) => {
  const event = args[0] ?? ""
  const program = Effect.gen(function*() {
    if (HOOK_EVENTS[event] === undefined) {
      process.stderr.write(`omcm hook: unknown event ${JSON.stringify(event)} (expected one of ${Object.keys(HOOK_EVENTS).join(", ")})\n`)
      return
    }
    // omcm's own `claude -p` children must not be routed a second time
    if (process.env.OMCM_DELEGATED === "1") return
    const text = stdin ?? (yield* readStdin(STDIN_LIMIT).pipe(Effect.mapError(() => new Error(`hook input larger than ${STDIN_LIMIT} bytes`))))
    const output = yield* runHookText(event, text).pipe(
      Effect.provide(HookLive),
      // this process runs dist/omcm.js: a SessionStart may start the daemon with it
      Effect.provide(DaemonLauncher.layerFor(process.argv[1] ?? "")),
      Effect.provide(loaded)
    )
    if (Option.isSome(output)) process.stdout.write(`${JSON.stringify(output.value)}\n`)
  })
  Effect.runPromiseExit(program).then((exit) => {
    if (Exit.isSuccess(exit)) return
    return Effect.runPromise(recordFailure(event, undefined, describeFailure(Cause.squash(exit.cause))))
  }).catch(() => undefined).finally(() => {
    process.exitCode = 0
  })
}
