import * as Schema from "effect/Schema"
import * as Effect from "effect/Effect"
import * as FiberSet from "effect/FiberSet"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Schedule from "effect/Schedule"
import * as fs from "node:fs"
import * as path from "node:path"
import { decodeUnknown, parseJson, writeFileAtomic } from "../../lib/jsonFile"
import { ensurePrivateDir } from "../../lib/privateFiles"
import { isAlive } from "../../lib/processes"
import type { HookOutput } from "../claude-code"

/**
 * A call relayed to the daemon (src/relay), `<relayDir>/<id>.req`: a hook (its event) or the statusline, the raw
 * input, the calling process (the daemon drops the call if it dies) and the caller's environment the answer depends
 * on. The answer, `<id>.res`, is `{ output }` for a hook (its JSON output or null) and `{ text }` for the statusline.
 */
export const RelayRequest = Schema.Struct({
  kind: Schema.optionalWith(Schema.Literal("hook", "statusline"), { default: () => "hook" as const }),
  event: Schema.String,
  text: Schema.String,
  pid: Schema.Number,
  env: Schema.Struct({
    HOME: Schema.optional(Schema.String),
    OMCM_HOME: Schema.optional(Schema.String),
    OMCM_CONFIG_DIR: Schema.optional(Schema.String),
    CLAUDE_CONFIG_DIR: Schema.optional(Schema.String),
    OMCM_CLAUDE_USAGE: Schema.optional(Schema.String),
    // the statusline prints plain text when the caller's environment asks for it
    NO_COLOR: Schema.optional(Schema.String),
    TERM: Schema.optional(Schema.String)
  })
})

/** what `<id>.res` holds: a hook's output (null: no decision, the call proceeds), or the statusline's line */
export type RelayAnswer = { readonly output: HookOutput | null } | { readonly text: string }

/** files older than this are left over from calls nobody waits for any more */
const STALE_MS = 10 * 60_000

/**
 * The daemon's side of the hook relay (src/relay/hookRelay.ts). A hook process leaves its call as `<id>.req` in the
 * relay directory (0700: only this user can put a call there) and waits for `<id>.res`. Files rather than a socket:
 * the hook process then loads no networking code at all, which is most of what a socket would cost it.
 *
 * - The daemon claims a call by renaming it to `<id>.work`; a hook that gets tired of waiting for its call to be
 *   claimed deletes `<id>.req` and answers in-process. Exactly one of the two renames or deletes succeeds, so a call is
 *   never answered twice.
 * - A call whose hook process dies (Claude Code's timeout, the user's Ctrl-C) is interrupted: a delegation is
 *   aborted.
 * - Directory events wake the daemon; a scan every second catches what events missed and removes stale files.
 */
export const serveRelay = (
  dir: string,
  answer: (request: typeof RelayRequest.Type) => Effect.Effect<RelayAnswer>,
  track: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
) =>
  Effect.gen(function*() {
    yield* Effect.sync(() => {
      ensurePrivateDir(dir)
      fs.chmodSync(dir, 0o700)
    })
    const names = yield* Queue.unbounded<string>()
    const watching = yield* Effect.acquireRelease(
      Effect.sync(() => {
        try {
          const watcher = fs.watch(dir, (_, name) => {
            if (typeof name === "string" && name.endsWith(".req")) Queue.unsafeOffer(names, name)
          })
          watcher.on("error", () => undefined)
          return Option.some(watcher)
        } catch {
          return Option.none<fs.FSWatcher>()
        }
      }),
      (watcher) => Effect.sync(() => Option.map(watcher, (w) => w.close()))
    )

    const scan = Effect.sync(() => {
      const now = Date.now()
      for (const name of safeReaddir(dir)) {
        const file = path.join(dir, name)
        const age = now - (safeMtime(file) ?? now)
        if (age > STALE_MS) fs.rmSync(file, { force: true })
        else if (name.endsWith(".req")) Queue.unsafeOffer(names, name)
      }
    })
    // without directory events, scanning is the only way to see calls: then often
    yield* scan.pipe(Effect.repeat(Schedule.spaced(Option.isSome(watching) ? "1 second" : "50 millis")), Effect.forkScoped)

    const calls = yield* FiberSet.make()
    const serve = (name: string) =>
      Effect.gen(function*() {
        const id = name.slice(0, -".req".length)
        const work = path.join(dir, `${id}.work`)
        const text = yield* Effect.sync(() => claim(path.join(dir, name), work))
        if (text === undefined) return
        const request = yield* parseJson(text).pipe(Effect.flatMap(decodeUnknown(RelayRequest, { strict: false })), Effect.option)
        const respond = (reply: RelayAnswer) =>
          writeFileAtomic(path.join(dir, `${id}.res`), JSON.stringify(reply), 0o600, false).pipe(Effect.ignore)
        if (Option.isNone(request)) return yield* respond({ output: null })
        const callerGone = Effect.sync(() => isAlive(request.value.pid)).pipe(
          Effect.repeat({ schedule: Schedule.spaced("500 millis"), while: (alive) => alive }),
          Effect.asVoid
        )
        yield* Effect.race(Effect.flatMap(answer(request.value), respond), callerGone)
        // an answer that crossed its caller's death has no reader: leave nothing behind
        if (!isAlive(request.value.pid)) yield* Effect.sync(() => fs.rmSync(path.join(dir, `${id}.res`), { force: true }))
      })
    yield* Queue.take(names).pipe(
      Effect.flatMap((name) => FiberSet.run(calls, track(serve(name)))),
      Effect.forever,
      Effect.forkScoped
    )
  })

/** take the call: rename it so nobody else can, read it, delete it; undefined when it is gone (taken or withdrawn) */
const claim = (request: string, work: string): string | undefined => {
  try {
    fs.renameSync(request, work)
  } catch {
    return undefined
  }
  try {
    return fs.readFileSync(work, "utf8")
  } catch {
    return undefined
  } finally {
    fs.rmSync(work, { force: true })
  }
}

const safeReaddir = (dir: string): ReadonlyArray<string> => {
  try {
    return fs.readdirSync(dir)
  } catch {
    return []
  }
}

const safeMtime = (file: string): number | undefined => {
  try {
    return fs.statSync(file).mtimeMs
  } catch {
    return undefined
  }
}
