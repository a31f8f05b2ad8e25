import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as fs from "node:fs"
import type { OmcmConfig } from "../../domain/configSchema"
import { type LoadedConfig, loadConfig } from "../config"
import type { ConfigError } from "../../domain/errors"

/** what tells one version of a file from the next (an editor may replace it: the inode changes) */
const fingerprint = (file: string): string => {
  try {
    const s = fs.statSync(file)
    return `${s.ino}:${s.size}:${s.mtimeMs}`
  } catch {
    return "missing"
  }
}

export interface ConfigWatchOptions {
  readonly configFile: string
  readonly mappingFile: string
  /** how often the files are looked at */
  readonly intervalMs: number
}

/**
 * Calls `onChange` with config.json and agent-mapping.json read again at start and each time either file changes
 * (polled: an editor's atomic rename escapes fs.watch), or with why they cannot be read, for the life of the scope.
 */
export const watchConfig = (
  options: ConfigWatchOptions,
  onChange: (loaded: Effect.Effect<LoadedConfig, ConfigError>) => Effect.Effect<void>
): Effect.Effect<void, never, Scope.Scope> =>
  Stream.repeatEffectWithSchedule(
    Effect.sync(() => `${fingerprint(options.configFile)} ${fingerprint(options.mappingFile)}`),
    Schedule.spaced(options.intervalMs)
  ).pipe(
    // the first look too: the files may have changed since the daemon read them
    Stream.changes,
    Stream.runForEach(() => onChange(loadConfig(options.configFile, options.mappingFile))),
    Effect.forkScoped,
    Effect.asVoid
  )

/**
 * The `pool` settings that differ between two configs: the servers run with the ones they were started with, so
 * these apply only after a restart of the daemon.
 */
export const poolSettingsNeedingRestart = (running: OmcmConfig, next: OmcmConfig): ReadonlyArray<string> =>
  Object.keys(next.pool)
    .filter((key) =>
      JSON.stringify((running.pool as Record<string, unknown>)[key]) !== JSON.stringify((next.pool as Record<string, unknown>)[key]))
    .map((key) => `pool.${key}`)

export interface LiveSettings {
  /** apply a config read again; says in the log what changed and what waits for a restart */
  readonly apply: (loaded: LoadedConfig) => Effect.Effect<void>
  /** the changed settings that apply only after a restart */
  readonly restartNeeded: Effect.Effect<ReadonlyArray<string>>
}

/**
 * The daemon's settings as config.json and agent-mapping.json say now. The worker limit is applied to the pool at
 * once; routing, models and thresholds need nothing here (each relayed hook reads the files it finds, see
 * layers/hookContexts.ts); the `pool` section is the servers' own and waits for a restart.
 */
export const makeLiveSettings = (
  started: LoadedConfig,
  pool: { readonly setMaxWorkers: (count: number) => Effect.Effect<void> },
  log: (line: string) => Effect.Effect<void>
): Effect.Effect<LiveSettings> =>
  Effect.gen(function*() {
    const current = yield* Ref.make(started)
    const pending = yield* Ref.make<ReadonlyArray<string>>([])
    const apply = (next: LoadedConfig) =>
      Effect.gen(function*() {
        const before = yield* Ref.getAndSet(current, next)
        if (JSON.stringify([before.config, before.mapping]) === JSON.stringify([next.config, next.mapping])) return
        const changes: Array<string> = []
        const workers = [before.config.routing.maxOpencodeWorkers, next.config.routing.maxOpencodeWorkers] as const
        if (workers[0] !== workers[1]) {
          yield* pool.setMaxWorkers(workers[1])
          changes.push(`routing.maxOpencodeWorkers ${workers[0]} -> ${workers[1]} (applied)`)
        }
        const restart = poolSettingsNeedingRestart(started.config, next.config)
        const previous = yield* Ref.getAndSet(pending, restart)
        yield* log(`config changed: ${[
          ...changes,
          "routing, models and thresholds apply from the next call",
          ...(restart.length > 0 && restart.join() !== previous.join()
            ? [`${restart.join(", ")} apply only after a restart (omcm pool stop, then omcm pool start)`]
            : [])
        ].join("; ")}`)
      })
    return { apply, restartNeeded: Ref.get(pending) }
  })
