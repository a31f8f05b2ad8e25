/**
 * ulw's automatic handoff: when Claude usage reaches `routing.heavyThreshold`, the Stop hook writes the session's
 * handoff once, and the statusline says where it is. Once a crossing: usage must fall below `recoverThreshold` (the
 * same hysteresis as ulw's OpenCode-heavy state) before another crossing writes it again.
 */
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type { OmcmConfig } from "../../domain/configSchema"
import type { StateError } from "../../domain/errors"
import type { Mode, Usage } from "../../domain/model"
import type { Store } from "../store"

/** the handoff a crossing wrote, as the shared database keeps it (meta `handoff.auto:<session>`) */
export const AutoHandoff = Schema.Struct({
  /** the Markdown file */
  markdown: Schema.String,
  projectPath: Schema.String,
  /** when it was written (ms) */
  at: Schema.Number,
  /** the usage % that crossed */
  usage: Schema.Number
})
export type AutoHandoff = typeof AutoHandoff.Type

export type AutoHandoffStep = "write" | "rearm" | "none"

/** What a Stop does: write the handoff (ulw, usage at or above heavyThreshold, none written since the crossing), forget
 * the one written (usage back below recoverThreshold), or nothing. Unknown usage changes nothing. */
export const autoHandoffStep = (input: {
  readonly mode: Option.Option<Mode>
  readonly usage: Usage
  readonly routing: Pick<OmcmConfig["routing"], "heavyThreshold" | "recoverThreshold">
  readonly written: boolean
}): AutoHandoffStep => {
  if (input.usage.source === "unknown") return "none"
  if (input.written) return input.usage.percent < input.routing.recoverThreshold ? "rearm" : "none"
  const ulw = Option.isSome(input.mode) && input.mode.value === "ulw"
  return ulw && input.usage.percent >= input.routing.heavyThreshold ? "write" : "none"
}

const keyOf = (sessionId: string) => `handoff.auto:${sessionId}`
const decode = Schema.decodeUnknownOption(Schema.parseJson(AutoHandoff))

/** The automatic handoff of each session, in the shared database's `meta` table. */
export const makeAutoHandoffs = (store: Context.Tag.Service<Store>) => ({
  /** the handoff written since the session's last crossing; None when none (or the row is not one) */
  read: (sessionId: string): Effect.Effect<Option.Option<AutoHandoff>, StateError> =>
    store.use("read the automatic handoff", (db) => {
      const row = db.prepare("SELECT value FROM meta WHERE key = ?").get(keyOf(sessionId)) as { value: string } | undefined
      return row === undefined ? Option.none() : decode(row.value)
    }),
  record: (sessionId: string, handoff: AutoHandoff): Effect.Effect<void, StateError> =>
    store.use("record the automatic handoff", (db) => {
      db.prepare(
        "INSERT INTO meta (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"
      ).run(keyOf(sessionId), JSON.stringify(Schema.encodeSync(AutoHandoff)(handoff)), handoff.at)
    }),
  forget: (sessionId: string): Effect.Effect<void, StateError> =>
    store.use("forget the automatic handoff", (db) => {
      db.prepare("DELETE FROM meta WHERE key = ?").run(keyOf(sessionId))
    }),
  /** forget the records written before `before` (ms), with the sessions they belong to */
  clearStale: (before: number): Effect.Effect<number, StateError> =>
    store.use("forget old automatic handoffs", (db) =>
      db.prepare("DELETE FROM meta WHERE key LIKE 'handoff.auto:%' AND updated_at < ?").run(before).changes)
})
export type AutoHandoffs = ReturnType<typeof makeAutoHandoffs>

/** where the handoff is, relative to the directory the statusline runs in when it is inside it */
const shownPath = (handoff: AutoHandoff, cwd: string | undefined): string =>
  cwd !== undefined && handoff.markdown.startsWith(`${cwd.replace(/\/$/, "")}/`) ? handoff.markdown.slice(cwd.replace(/\/$/, "").length + 1) : handoff.markdown

/** the statusline's line: `handoff at 92%: .omcm/handoff/context.md · continue in OpenCode: omcm handoff --to opencode --open` */
export const autoHandoffNotice = (handoff: AutoHandoff, cwd: string | undefined): string =>
  `handoff at ${Math.round(handoff.usage)}%: ${shownPath(handoff, cwd)} · continue in OpenCode: omcm handoff --to opencode --open`
