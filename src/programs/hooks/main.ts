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
  UserPromptSubmitInput
} from "../../domain/hookInput"
import { decodeUnknown, parseJson } from "../../lib/jsonFile"
import { readStdin } from "../../lib/stdin"
import { HookLive } from "../../layers/core"
import { recordFailure } from "./failOpen"
import type { HookOutput } from "./hookOutput"
import { postToolUse } from "./postToolUse"
import { preToolUse } from "./preToolUse"
import { sessionEnd, sessionStart, stop } from "./sessionHooks"
import { userPromptSubmit } from "./userPromptSubmit"

type HookServices = Layer.Layer.Success<typeof HookLive>
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

const describe = (error: unknown): string =>
  error instanceof Error ? error.message : typeof error === "object" && error !== null && "message" in error ? String((error as { message: unknown }).message) : String(error)

/**
 * `omcm hook <event>`: one Claude Code hook call. Whatever happens inside omcm, the process exits 0 and prints
 * either a decision Claude Code understands or nothing (the call proceeds unchanged); failures are logged.
 */
export const main = (args: ReadonlyArray<string>) => {
  const event = args[0] ?? ""
  const handler = HOOK_EVENTS[event]
  const program = Effect.gen(function*() {
    if (handler === undefined) {
      process.stderr.write(`omcm hook: unknown event ${JSON.stringify(event)} (expected one of ${Object.keys(HOOK_EVENTS).join(", ")})\n`)
      return
    }
    // omcm's own `claude -p` children must not be routed a second time
    if (process.env.OMCM_DELEGATED === "1") return
    const text = yield* readStdin(STDIN_LIMIT).pipe(Effect.mapError(() => new Error(`hook input larger than ${STDIN_LIMIT} bytes`)))
    if (text.trim().length === 0) return yield* Effect.fail(new Error("empty hook input"))
    const input = yield* parseJson(text).pipe(Effect.mapError((why) => new Error(`hook input is ${why}`)))
    const output = yield* handler(input).pipe(Effect.provide(HookLive))
    if (Option.isSome(output)) process.stdout.write(`${JSON.stringify(output.value)}\n`)
  })
  Effect.runPromiseExit(program).then((exit) => {
    if (Exit.isSuccess(exit)) return
    const failure = Cause.squash(exit.cause)
    return Effect.runPromise(recordFailure(event, undefined, describe(failure)))
  }).catch(() => undefined).finally(() => {
    process.exitCode = 0
  })
}
