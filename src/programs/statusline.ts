import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import {
  ClaudeUsage,
  type Forecast,
  forecastWindow,
  makeUsageHistory,
  Sessions,
  StatuslineInput,
  sparedText,
  type UsageCache,
  type UsageWindow,
  WINDOW_MS,
  type WindowSpared
} from "../services/router"
import { Store, type StoreRecovery } from "../services/store"
import { decodeUnknown, parseJson } from "../lib/jsonFile"
import { readStdin } from "../lib/stdin"
import { type LastExecutor, MetricsCollector, type SessionSummary, shortEstimate } from "../services/tracker"
import { formatSpan, formatTokens } from "../lib/format"
import { autoHandoffLine } from "./autoHandoffLine"
import { windowSparedNow } from "./windowSparedNow"

const twoDigits = (n: number) => String(n).padStart(2, "0")

const pct = (n: number | null | undefined) => (n === null || n === undefined ? "?" : `${Math.round(n)}%`)

/** The characters of the line: Unicode, or ASCII when Claude Code asks for plain text (NO_COLOR, TERM=dumb). */
interface Glyphs {
  readonly separator: string
  readonly arrow: string
  readonly dot: string
  readonly warning: string
}
const UNICODE: Glyphs = { separator: " │ ", arrow: "→", dot: "·", warning: "⚠" }
const PLAIN: Glyphs = { separator: " | ", arrow: "->", dot: "-", warning: "!" }

/** Claude Code runs the statusline command with the user's environment: these ask for text without decorations. */
export const wantsPlainText = (env: NodeJS.ProcessEnv): boolean =>
  (env.NO_COLOR !== undefined && env.NO_COLOR.length > 0) || env.TERM === "dumb"

type Window = NonNullable<UsageCache["fiveHour"]>

/** local `HH:MM` */
export const clockTime = (ms: number): string => {
  const at = new Date(ms)
  return `${twoDigits(at.getHours())}:${twoDigits(at.getMinutes())}`
}

/** `, 90% at 14:05 before reset`: where the window's burn rate leads, when it is rising */
export const forecastText = (f: Forecast | null | undefined): string =>
  f === null || f === undefined || f.crossesAt === null
    ? ""
    : `, ${f.threshold}% at ${clockTime(f.crossesAt)} ${f.beforeReset ? "before" : "after"} reset`

const windowText = (label: string, w: Window | null, now: number, forecast?: Forecast | null, spared?: WindowSpared | null): string =>
  w === null
    ? `${label} ?`
    : `${label} ${pct(w.percent)}${w.resetsAt === null ? "" : ` resets ${formatSpan(w.resetsAt - now)}`}${forecastText(forecast)}${
      spared === null || spared === undefined ? "" : `, ${sparedText(spared)}`
    }`

export interface UsageForecasts {
  readonly fiveHour?: Forecast | null | undefined
  readonly sevenDay?: Forecast | null | undefined
  /** the share of the 5-hour window the delegated calls spared */
  readonly spared?: WindowSpared | null | undefined
}

/** `Claude 45% (5h 45% resets 2h10m, 90% at 14:05 before reset · wk 20% resets 3d4h)` */
export const usageText = (cache: Option.Option<UsageCache>, now: number, glyphs: Glyphs = UNICODE, forecasts: UsageForecasts = {}): string =>
  Option.match(cache, {
    onNone: () => "Claude usage n/a",
    onSome: (c) => {
      const five = c.fiveHour?.percent ?? null
      const week = c.sevenDay?.percent ?? null
      return `Claude ${pct(Math.max(five ?? 0, week ?? 0))} (${windowText("5h", c.fiveHour, now, forecasts.fiveHour, forecasts.spared)} ${glyphs.dot} ${
        windowText("wk", c.sevenDay, now, forecasts.sevenDay)
      })`
    }
  })

/** `last executor → openai/gpt-6-sol`; a failed delegation ran on Claude: `last executor → Claude (delegation failed)` */
export const lastText = (last: Option.Option<LastExecutor>, glyphs: Glyphs = UNICODE): string =>
  Option.match(last, {
    onNone: () => "no routing yet",
    onSome: (l) => {
      const where = l.ran === "opencode"
        ? `${l.provider}/${l.model}`
        : l.ran === "running"
        ? `${l.provider}/${l.model} (running)`
        : l.fellBack
        ? "Claude (delegation failed)"
        : "Claude"
      return `last ${l.agent ?? "?"} ${glyphs.arrow} ${where}`
    }
  })

export const formatHud = (parts: {
  readonly cache: Option.Option<UsageCache>
  readonly mode: string
  readonly last: Option.Option<LastExecutor>
  readonly extra?: string | undefined
  /** something the user should know about (a corrupt database moved aside) */
  readonly notice?: string | undefined
  readonly now: number
  readonly plain?: boolean | undefined
  readonly forecasts?: UsageForecasts | undefined
}): string => {
  const glyphs = parts.plain === true ? PLAIN : UNICODE
  const line = ["omcm", usageText(parts.cache, parts.now, glyphs, parts.forecasts), `mode ${parts.mode}`, lastText(parts.last, glyphs), parts.extra, parts.notice]
    .filter((p) => p !== undefined && p.length > 0)
    .join(glyphs.separator)
  return parts.plain === true ? toPlain(line) : line
}

/** what is left of Unicode once the glyphs are ASCII (a notice's own arrows and dots) */
const toPlain = (text: string): string =>
  text.replaceAll("│", "|").replaceAll("→", "->").replaceAll("·", "-").replaceAll("⚠", "!").replaceAll("—", "-").replaceAll("≈", "~")

/** how long the statusline mentions a corrupt database that was moved aside */
export const RECOVERY_NOTICE_MS = 24 * 60 * 60_000

/** `⚠ omcm.db was corrupt: moved aside at 14:05 (see logs/store.log)`, for a day after it happened */
export const recoveryNotice = (recovery: Option.Option<StoreRecovery>, now: number): string | undefined =>
  Option.match(recovery, {
    onNone: () => undefined,
    onSome: (r) => {
      if (now - r.at > RECOVERY_NOTICE_MS) return undefined
      return `⚠ omcm.db was corrupt: moved aside at ${clockTime(r.at)} (see logs/store.log)`
    }
  })

/**
 * `delegated 3 → OpenCode · 1 fell back to Claude · saved 12.3k tok (from 8 Claude runs)`: only delegations that succeeded ran on
 * OpenCode; a failed one ran on Claude. Nothing before the session routed anything to OpenCode.
 */
export const formatSessionSummary = (s: SessionSummary): string | undefined => {
  if (s.routedToOpencode === 0 && s.savings.calls === 0 && s.savings.failedCalls === 0) return undefined
  const fellBack = s.savings.failedCalls > 0 ? ` · ${s.savings.failedCalls} fell back to Claude` : ""
  const saved = s.savings.calls > 0
    ? ` · saved ${formatTokens(s.savings.counterfactual.claudeTokens)} tok (${shortEstimate(s.savings.counterfactual)})`
    : ""
  return `delegated ${s.savings.calls} → OpenCode${fellBack}${saved}`
}

/**
 * The session's mode as the statusline shows it: the mode it has, or had when it ended (`hulw (ended)`); a session
 * the sessions table no longer holds shows the mode of its newest routing decision.
 */
export const sessionMode = (
  recorded: Option.Option<{ readonly mode: string; readonly ended: boolean }>,
  last: Option.Option<LastExecutor>
): string =>
  Option.match(recorded, {
    onSome: (m) => (m.ended ? `${m.mode} (ended)` : m.mode),
    onNone: () => Option.getOrElse(Option.flatMap(last, (l) => Option.fromNullable(l.mode)), () => "off")
  })

/**
 * `omcm statusline`: Claude Code's statusline command. Stores the rate limits it is given for every other omcm
 * process, then prints one HUD line. It never fails the status bar: a bad input still prints a line.
 */
export const statuslineLine = (text: string, env: NodeJS.ProcessEnv = process.env) => Effect.gen(function*() {
  const usage = yield* ClaudeUsage
  const input = yield* parseJson(text).pipe(
    Effect.flatMap(decodeUnknown(StatuslineInput, { strict: false })),
    Effect.option
  )
  const saved = Option.isSome(input) ? yield* usage.saveStatusline(input.value).pipe(Effect.orElseSucceed(() => Option.none())) : Option.none()
  const cache = Option.isSome(saved) ? saved : yield* usage.readStatuslineCache
  const history = makeUsageHistory(yield* Store)
  if (Option.isSome(saved)) yield* history.record(saved.value).pipe(Effect.ignore)
  const sessionId = Option.flatMap(input, (i) => Option.fromNullable(i.session_id))
  const sessionCost = Option.flatMap(input, (i) => Option.fromNullable(i.cost?.total_cost_usd))
  if (Option.isSome(sessionId) && Option.isSome(sessionCost)) {
    const ts = Option.isSome(saved) ? saved.value.updatedAt : yield* Clock.currentTimeMillis
    yield* history.recordSessionCost({ sessionId: sessionId.value, ts, usd: sessionCost.value }).pipe(Effect.ignore)
  }
  const sessions = yield* Sessions
  const collector = yield* MetricsCollector
  const last = yield* collector.lastExecutor(Option.getOrUndefined(sessionId)).pipe(Effect.orElseSucceed(() => Option.none()))
  const recorded = yield* Option.match(sessionId, {
    onNone: () => Effect.succeed(Option.none()),
    onSome: (id) => sessions.lastMode(id)
  }).pipe(Effect.orElseSucceed(() => Option.none()))
  const mode = sessionMode(recorded, Option.isSome(sessionId) ? last : Option.none())
  const extra = yield* Option.match(sessionId, {
    onNone: () => Effect.succeed(undefined),
    onSome: (id) => collector.sessionSummary(id).pipe(Effect.map(formatSessionSummary))
  }).pipe(Effect.orElseSucceed(() => undefined))
  const recovery = yield* Effect.flatMap(Store, (store) => store.lastRecovery).pipe(Effect.orElseSucceed(() => Option.none()))
  const now = yield* Clock.currentTimeMillis
  const handoff = yield* autoHandoffLine(sessionId, Option.getOrUndefined(Option.flatMapNullable(input, (i) => i.workspace?.current_dir)))
  const notice = [recoveryNotice(recovery, now), handoff].filter((n) => n !== undefined).join(" │ ") || undefined
  const samples = (window: UsageWindow) => history.since(window, now - WINDOW_MS[window]).pipe(Effect.orElseSucceed(() => []))
  const fiveHour = yield* samples("5h")
  const spared = yield* windowSparedNow(history, collector, fiveHour, now).pipe(Effect.orElseSucceed(() => null))
  const forecasts = { fiveHour: forecastWindow(fiveHour, now), sevenDay: forecastWindow(yield* samples("wk"), now), spared }
  return formatHud({ cache, mode, last, extra, notice, now, plain: wantsPlainText(env), forecasts })
})

/** the statusline in this process: stdin (or what the relay already read of it) in, one line out */
export const statuslineProgram = (stdin?: string) =>
  Effect.flatMap(
    stdin !== undefined ? Effect.succeed(stdin) : readStdin(1_000_000).pipe(Effect.orElseSucceed(() => "")),
    statuslineLine
  ).pipe(Effect.flatMap(Console.log))
