import { Args, Command, Options } from "@effect/cli"
import * as Console from "effect/Console"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as path from "node:path"
import { type BuildContextInput, ContextBuilder, DEFAULT_HANDOFF_TASK, HandoffReadError, handoffFiles, redactContext } from "../../services/context"
import { Config } from "../../services/config"
import { InputError } from "../../domain/errors"
import { ConfigLive, StateLive, UsageLive } from "../../layers/core"
import { readTextIfExists } from "../../lib/jsonFile"
import { PoolRuntimeLive } from "../../services/pool"
import { ClaudeUsage, Sessions } from "../../services/router"
import { NoteSummarizer } from "../../services/context-sync"
import { summarizeNotes } from "./handoffNotes"
import { openInOpencode, pullFromOpencode, pushToOpencode } from "./handoffOpencode"

export interface HandoffArgs {
  readonly task: Option.Option<string>
  readonly goal: Option.Option<string>
  readonly json: boolean
  /** the Claude Code transcript to read (default: the project's newest) */
  readonly transcript: Option.Option<string>
  /** also push the handoff into a new OpenCode session */
  readonly to: Option.Option<"opencode">
  /** with `to`: open the session in OpenCode's terminal UI */
  readonly open: boolean
  /** read this OpenCode session back instead of writing a handoff */
  readonly from: Option.Option<"opencode">
  readonly session: Option.Option<string>
  /** keep the deterministic decisions and learnings: no LOW-tier model call */
  readonly noSummary: boolean
  /** seconds the LOW-tier summary may take (default 15) */
  readonly summaryTimeout: Option.Option<number>
}

export class NoHandoff extends Data.TaggedError("NoHandoff")<{ readonly dir: string }> {
  override get message() {
    return `no handoff in ${this.dir} (write one with: omcm handoff --task "...")`
  }
}

const DEFAULT_SUMMARY_TIMEOUT_SECONDS = 15

/** Build the handoff context of the current directory and write `.omcm/handoff/context.md` and `.json`. */
export const writeHandoffProgram = (args: HandoffArgs) =>
  Effect.gen(function*() {
    const projectPath = process.cwd()
    const session = yield* Effect.flatMap(Sessions, (s) => s.current(projectPath))
    const given = Option.map(args.task, (t) => t.trim())
    if (Option.isSome(given) && given.value.length === 0) return yield* new InputError({ message: "--task: expected a non-empty task" })
    // no --task: the transcript's prompts, else the task the session's keyword prompt gave
    const fallback = Option.getOrElse(Option.flatMapNullable(session, (s) => s.task), () => DEFAULT_HANDOFF_TASK)
    const goal = Option.match(args.goal, { onNone: () => ({}), onSome: (goal) => ({ goal }) })
    const usage = yield* Effect.flatMap(ClaudeUsage, (u) => u.current())
    const input: BuildContextInput = {
      sessionId: Option.match(session, { onNone: () => "unknown", onSome: (s) => s.sessionId }),
      projectPath,
      ...Option.match(given, {
        onNone: () => ({ defaultTask: fallback, ...goal }),
        onSome: (description) => ({ task: { description, ...goal } })
      }),
      ...Option.match(args.transcript, { onNone: () => ({}), onSome: (transcriptPath) => ({ transcriptPath: path.resolve(transcriptPath) }) }),
      ...(usage.source === "unknown" ? {} : { claudeUsage: { fiveHourUsage: usage.fiveHour, weeklyUsage: usage.weekly } }),
      ...Option.match(session, {
        onNone: () => ({}),
        onSome: (s) => ({ startTime: new Date(s.startedAt).toISOString(), mode: s.mode })
      })
    }
    const builder = yield* ContextBuilder
    const built = yield* builder.buildContext(input).pipe(Effect.mapError((e) => new InputError({ message: e.message })))
    const summarized = yield* summarizeNotes(built, {
      summary: !args.noSummary,
      timeoutMs: Option.getOrElse(args.summaryTimeout, () => DEFAULT_SUMMARY_TIMEOUT_SECONDS) * 1000
    })
    const { config } = yield* Config
    const { context } = yield* redactContext(config.delegation.redact, summarized.context).pipe(Effect.mapError((e) => new InputError({ message: e.message })))
    const written = yield* builder.writeHandoff(context)
    const pushed = Option.isSome(args.to) ? Option.some(yield* pushToOpencode(context)) : Option.none()
    const opencode = Option.map(pushed, ({ bin: _, ...session }) => session)
    yield* Console.log(
      args.json
        ? JSON.stringify({ ...written, context, notes: summarized.notes, ...Option.match(opencode, { onNone: () => ({}), onSome: (o) => ({ opencode: o }) }) })
        : [
          `omcm: handoff written to ${written.markdown} (and ${written.json}); ${context.files.modified.length} modified file(s), mode ${context.meta.mode ?? "unknown"}`,
          ...(summarized.notes === null ? [] : [`omcm: decisions and learnings: ${summarized.notes.text}`]),
          ...Option.match(opencode, {
            onNone: () => [],
            onSome: (o) => [`omcm: OpenCode session ${o.sessionId} holds the handoff; continue there with: ${o.command}`]
          })
        ].join("\n")
    )
    if (args.open && Option.isSome(pushed)) yield* openInOpencode(pushed.value)
  })

/** `--from opencode <session>` reads a session back; otherwise a handoff is written (and pushed with `--to`). */
export const handoffProgram = (args: HandoffArgs) =>
  Effect.gen(function*() {
    if (Option.isNone(args.from)) {
      if (Option.isSome(args.session)) return yield* new InputError({ message: "<session>: only with --from opencode" })
      if (args.open && Option.isNone(args.to)) return yield* new InputError({ message: "--open: only with --to opencode" })
      if (Option.isSome(args.summaryTimeout) && args.summaryTimeout.value <= 0) {
        return yield* new InputError({ message: `--summary-timeout: expected a positive number of seconds, got ${args.summaryTimeout.value}` })
      }
      return yield* writeHandoffProgram(args)
    }
    if (Option.isSome(args.to)) return yield* new InputError({ message: "--from and --to: give one of them" })
    const session = Option.map(args.session, (s) => s.trim())
    if (Option.isNone(session) || session.value.length === 0) {
      return yield* new InputError({ message: "<session>: --from opencode needs the OpenCode session id (ses_...)" })
    }
    return yield* pullFromOpencode(session.value, { json: args.json })
  })

/** The Markdown of the handoff last written in the current directory. */
export const showHandoffProgram = Effect.gen(function*() {
  const files = handoffFiles(process.cwd())
  const found = yield* readTextIfExists(files.markdown).pipe(
    Effect.mapError((e) => new HandoffReadError({ file: files.markdown, message: `cannot read ${files.markdown} (${e.code ?? e.message})` }))
  )
  if (Option.isNone(found)) return yield* new NoHandoff({ dir: process.cwd() })
  const text = found.value
  yield* Console.log(text.trimEnd())
})

const HandoffLive = Layer.mergeAll(ContextBuilder.layer, UsageLive, StateLive, ConfigLive, PoolRuntimeLive, NoteSummarizer.layer)

const show = Command.make("show", {}, () => showHandoffProgram).pipe(
  Command.withDescription("Print the Markdown of the handoff written in the current directory")
)

export const handoffCommand = Command.make(
  "handoff",
  {
    task: Options.text("task").pipe(Options.withDescription("what the next agent should do (default: the session's task)"), Options.optional),
    goal: Options.text("goal").pipe(Options.withDescription("what done looks like"), Options.optional),
    json: Options.boolean("json").pipe(Options.withDescription("print the files and the context as one JSON object")),
    transcript: Options.text("transcript").pipe(
      Options.withDescription("the Claude Code transcript (JSONL) to read: prompts, TODOs, files, decisions (default: the project's newest)"),
      Options.optional
    ),
    to: Options.choice("to", ["opencode"]).pipe(
      Options.withDescription("also create an OpenCode session holding the handoff (no model call) and print how to open it"),
      Options.optional
    ),
    open: Options.boolean("open").pipe(Options.withDescription("with --to opencode: open that session in OpenCode")),
    from: Options.choice("from", ["opencode"]).pipe(
      Options.withDescription("read an OpenCode session back into .omcm/handoff/from-opencode.md (the next Claude Code session gets it)"),
      Options.optional
    ),
    noSummary: Options.boolean("no-summary").pipe(
      Options.withDescription("keep the decisions and learnings picked from the transcript by rule: no LOW-tier model call")
    ),
    summaryTimeout: Options.integer("summary-timeout").pipe(
      Options.withDescription(`seconds the LOW-tier model may take to summarise decisions and learnings (default ${DEFAULT_SUMMARY_TIMEOUT_SECONDS}; then the rule-based ones)`),
      Options.optional
    ),
    session: Args.text({ name: "session" }).pipe(Args.withDescription("the OpenCode session id, with --from opencode"), Args.optional)
  },
  (args) => handoffProgram(args).pipe(Effect.provide(HandoffLive))
).pipe(
  Command.withDescription(
    "Write .omcm/handoff/context.md and context.json for the current directory: task, TODOs, modified and referenced files, decisions (from the Claude Code transcript and git), usage, mode"
  ),
  Command.withSubcommands([show])
)
