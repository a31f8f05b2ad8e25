import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { type UsageCache, StatuslineInput, ClaudeUsage, Sessions } from "../services/router"
import { Store, type StoreRecovery } from "../services/store"
import { decodeUnknown, parseJson } from "../lib/jsonFile"
import { readStdin } from "../lib/stdin"
import { MetricsCollector, type SessionSummary } from "../services/tracker"
import { formatTokens } from "../lib/format"

const pct = (n: number | null | undefined) => (n === null || n === undefined ? "?" : `${Math.round(n)}%`)

export const formatHud = (parts: {
  readonly cache: Option.Option<UsageCache>
  readonly mode: string
  readonly last: Option.Option<{ readonly agent?: string | null | undefined; readonly target?: string | null | undefined; readonly provider?: string | null | undefined; readonly model?: string | null | undefined }>
  readonly extra?: string | undefined
  /** something the user should know about (a corrupt database moved aside) */
  readonly notice?: string | undefined
}): string => {
  const usage = Option.match(parts.cache, {
    onNone: () => "Claude usage n/a",
    onSome: (c) => {
      const five = c.fiveHour?.percent ?? null
      const week = c.sevenDay?.percent ?? null
      return `Claude ${pct(Math.max(five ?? 0, week ?? 0))} (5h ${pct(five)} · wk ${pct(week)})`
    }
  })
  const last = Option.match(parts.last, {
    onNone: () => "no routing yet",
    onSome: (l) => `last ${l.agent ?? "?"} → ${l.target === "claude" ? "Claude" : `${l.provider}/${l.model}`}`
  })
  return ["omcm", usage, `mode ${parts.mode}`, last, parts.extra, parts.notice].filter((p) => p !== undefined && p.length > 0)
    .join(" │ ")
}

/** how long the statusline mentions a corrupt database that was moved aside */
export const RECOVERY_NOTICE_MS = 24 * 60 * 60_000

const twoDigits = (n: number) => String(n).padStart(2, "0")

/** `⚠ omcm.db was corrupt: moved aside at 14:05 (see logs/store.log)`, for a day after it happened */
export const recoveryNotice = (recovery: Option.Option<StoreRecovery>, now: number): string | undefined =>
  Option.match(recovery, {
    onNone: () => undefined,
    onSome: (r) => {
      if (now - r.at > RECOVERY_NOTICE_MS) return undefined
      const at = new Date(r.at)
      return `⚠ omcm.db was corrupt: moved aside at ${twoDigits(at.getHours())}:${twoDigits(at.getMinutes())} (see logs/store.log)`
    }
  })

/** `routed 3 → OpenCode · saved 12.3k tok`; nothing before the session routed anything */
export const formatSessionSummary = (s: SessionSummary): string | undefined =>
  s.routedToOpencode === 0 && s.savings.tokens === 0
    ? undefined
    : `routed ${s.routedToOpencode} → OpenCode · saved ${formatTokens(s.savings.tokens)} tok`

/**
 * `omcm statusline`: Claude Code's statusline command. Stores the rate limits it is given for every other omcm
 * process, then prints one HUD line. It never fails the status bar: a bad input still prints a line.
 */
export const statuslineLine = (text: string) => Effect.gen(function*() {
  const usage = yield* ClaudeUsage
  const input = yield* parseJson(text).pipe(
    Effect.flatMap(decodeUnknown(StatuslineInput, { strict: false })),
    Effect.option
  )
  const saved = Option.isSome(input) ? yield* usage.saveStatusline(input.value).pipe(Effect.orElseSucceed(() => Option.none())) : Option.none()
  const cache = Option.isSome(saved) ? saved : yield* usage.readStatuslineCache
  const sessionId = Option.flatMap(input, (i) => Option.fromNullable(i.session_id))
  const sessions = yield* Sessions
  const mode = yield* Option.match(sessionId, {
    onNone: () => Effect.succeed("off"),
    onSome: (id) => sessions.getMode(id).pipe(Effect.map(Option.match({ onNone: () => "off", onSome: (m) => m.mode })))
  }).pipe(Effect.orElseSucceed(() => "off"))
  const collector = yield* MetricsCollector
  const last = yield* collector.lastRouting(Option.getOrUndefined(sessionId)).pipe(Effect.orElseSucceed(() => Option.none()))
  const extra = yield* Option.match(sessionId, {
    onNone: () => Effect.succeed(undefined),
    onSome: (id) => collector.sessionSummary(id).pipe(Effect.map(formatSessionSummary))
  }).pipe(Effect.orElseSucceed(() => undefined))
  const recovery = yield* Effect.flatMap(Store, (store) => store.lastRecovery).pipe(Effect.orElseSucceed(() => Option.none()))
  const notice = recoveryNotice(recovery, yield* Clock.currentTimeMillis)
  return formatHud({ cache, mode, last, extra, notice })
})

/** the statusline in this process: stdin (or what the relay already read of it) in, one line out */
export const statuslineProgram = (stdin?: string) =>
  Effect.flatMap(
    stdin !== undefined ? Effect.succeed(stdin) : readStdin(1_000_000).pipe(Effect.orElseSucceed(() => "")),
    statuslineLine
  ).pipe(Effect.flatMap(Console.log))
