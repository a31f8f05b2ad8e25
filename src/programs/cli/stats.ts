import { Command, Options } from "@effect/cli"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { InputError } from "../../domain/errors"
import {
  type Breakdown,
  BREAKDOWNS,
  type Period,
  PERIODS,
  type TrackerStats,
  MetricsCollector,
  RealtimeTracker,
  Tracker
} from "../../services/tracker"
import { ConfigLive, StateLive, TrackingLive } from "../../layers/core"
import { Config } from "../../services/config"
import { CatalogCache } from "../../services/models"
import { currentWindowSpared, sparedLine } from "../windowSparedNow"
import { breakdownCsv, formatBreakdown, formatReport, liveLine, reportCsv } from "../statsFormat"

export const FORMATS = ["text", "csv", "json"] as const
export type StatsFormat = typeof FORMATS[number]

export interface StatsArgs {
  readonly period: Period
  readonly json: boolean
  /** default: text (json with --json) */
  readonly format?: Option.Option<StatsFormat> | undefined
  readonly by?: Option.Option<Breakdown> | undefined
  readonly watch: boolean
  readonly interval: Option.Option<number>
}

/** Compaction keeps the file small; a busy database must not stop the numbers from being shown. */
const compactQuietly = Effect.flatMap(Tracker, (t) => t.compact).pipe(
  Effect.catchAll((error) => Console.error(`omcm: compaction skipped (${error.message})`))
)

const formatOf = (args: StatsArgs): StatsFormat =>
  Option.getOrElse(args.format ?? Option.none(), () => (args.json ? "json" as const : "text" as const))

export const printStats = (args: StatsArgs) =>
  Effect.gen(function*() {
    yield* compactQuietly
    const collector = yield* MetricsCollector
    const format = formatOf(args)
    const by = Option.getOrUndefined(args.by ?? Option.none())
    if (by !== undefined) {
      const breakdown = yield* collector.getBreakdown(args.period, by)
      return yield* Console.log(format === "json" ? JSON.stringify(breakdown) : format === "csv" ? breakdownCsv(breakdown) : formatBreakdown(breakdown))
    }
    const report = yield* collector.getReport(args.period)
    if (format === "csv") return yield* Console.log(reportCsv(report))
    const spared = yield* currentWindowSpared.pipe(Effect.orElseSucceed(() => null))
    yield* Console.log(format === "json" ? JSON.stringify({ ...report, window5h: spared }) : [formatReport(report), ...(spared === null ? [] : [sparedLine(spared)])].join("\n"))
  })

const CLEAR = "\u001b[2J\u001b[H"

/** Redraw on every emission of the tracker's stats stream, which follows what every process records. */
export const watchStats = (args: StatsArgs, intervalSeconds: number) =>
  Effect.gen(function*() {
    const realtime = yield* RealtimeTracker
    const collector = yield* MetricsCollector
    const tty = process.stdout.isTTY === true
    const draw = (live: TrackerStats) =>
      Effect.gen(function*() {
        const report = yield* collector.getReport(args.period)
        if (formatOf(args) === "json") return yield* Console.log(JSON.stringify({ report, live }))
        const now = new Date(yield* Clock.currentTimeMillis).toISOString().slice(11, 19)
        yield* Console.log(
          `${tty ? CLEAR : "\n"}${formatReport(report)}\n\n${liveLine(live)}\nupdated ${now} UTC · every ${intervalSeconds}s · Ctrl-C to stop`
        )
      })
    const redraws = Effect.flatMap(realtime.getStats("minute"), draw).pipe(
      Effect.zipRight(realtime.stats.pipe(Stream.filter((s) => s.period === "minute"), Stream.runForEach(draw)))
    )
    yield* compactQuietly
    return yield* Effect.raceFirst(realtime.follow("250 millis"), redraws)
  })

const watchLayer = (intervalSeconds: number) =>
  Layer.mergeAll(
    Layer.unwrapEffect(Effect.map(Config, ({ config }) =>
      RealtimeTracker.layerWith({ capacity: config.tracker.capacity, emitInterval: Duration.seconds(intervalSeconds) }))),
    MetricsCollector.layerWithoutDependencies
  ).pipe(Layer.provideMerge(StateLive), Layer.provideMerge(CatalogCache.layer), Layer.provideMerge(ConfigLive))

const statsProgram = (args: StatsArgs) =>
  Effect.gen(function*() {
    if (args.json && Option.isSome(args.format ?? Option.none()) && formatOf(args) !== "json") {
      return yield* new InputError({ message: "--json and --format: give one of them" })
    }
    if (!args.watch) return yield* printStats(args).pipe(Effect.provide(TrackingLive))
    if (Option.isSome(args.by ?? Option.none()) || formatOf(args) === "csv") {
      return yield* new InputError({ message: "--watch: redraws the default report only (no --by, no --format csv)" })
    }
    const chosen = Option.getOrUndefined(args.interval)
    if (chosen !== undefined && !(chosen >= 0.1 && chosen <= 3600)) {
      return yield* new InputError({ message: `--interval: expected seconds from 0.1 to 3600, got ${chosen}` })
    }
    const seconds = chosen ?? (yield* Effect.provide(Config, ConfigLive)).config.tracker.emitIntervalSeconds
    return yield* watchStats(args, seconds).pipe(Effect.provide(watchLayer(seconds)))
  })

export const statsCommand = Command.make(
  "stats",
  {
    period: Options.choice("period", PERIODS).pipe(
      Options.withDescription("the window to report on, ending now"),
      Options.withDefault("day" as Period)
    ),
    json: Options.boolean("json").pipe(Options.withDescription("print one JSON object (one per redraw with --watch); the same as --format json")),
    format: Options.choice("format", FORMATS).pipe(
      Options.withDescription("text (default), csv (one line per row) or json"),
      Options.optional
    ),
    by: Options.choice("by", BREAKDOWNS).pipe(
      Options.withDescription("one row per model, agent, session or UTC day instead of the default tables"),
      Options.optional
    ),
    watch: Options.boolean("watch").pipe(Options.withDescription("redraw live from the stats stream until Ctrl-C")),
    interval: Options.float("interval").pipe(
      Options.withDescription("seconds between --watch redraws (default: tracker.emitIntervalSeconds)"),
      Options.optional
    )
  },
  statsProgram
).pipe(Command.withDescription("Calls, errors, latency, tokens and cost per provider and agent, and what routing saved"))
