import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as fs from "node:fs"
import * as path from "node:path"
import { SettingsObject } from "./settingsFile"
import { ConfigError, SettingsError } from "../../domain/errors"
import { decodeUnknown, parseJson, readTextIfExists, writeFileAtomic } from "../../lib/jsonFile"
import type { JsonObject } from "../../lib/jsonValue"
import { Paths } from "../config"

/** Claude Code's user settings file, read and written the way omcm's install needs. */
export interface ClaudeSettingsShape {
  /** `$CLAUDE_CONFIG_DIR/settings.json`, default `~/.claude/settings.json` */
  readonly file: string
  /** the file's object; None when it does not exist */
  readonly read: Effect.Effect<Option.Option<JsonObject>, ConfigError>
  /** replace the file atomically with `settings` as 2-space JSON (through a symlink, keeping the file's mode) */
  readonly write: (settings: JsonObject) => Effect.Effect<void, SettingsError>
  readonly remove: Effect.Effect<void, SettingsError>
  /** copy the file, byte for byte, to `<file>.omcm-backup-<stamp>`; returns the copy's path */
  readonly backup: (stamp: string) => Effect.Effect<string, SettingsError>
}

const errorText = (error: unknown): string =>
  error instanceof Error ? ((error as NodeJS.ErrnoException).code ?? error.message) : String(error)

/** the real file behind a symlinked settings.json (dotfile managers), so an atomic rename keeps the link */
const target = (file: string): string => {
  try {
    return fs.realpathSync(file)
  } catch {
    return file
  }
}

export const makeClaudeSettings = (file: string): ClaudeSettingsShape => {
  const fail = (doing: string) => (error: unknown) => new SettingsError({ file, message: `${file}: cannot ${doing} (${errorText(error)})` })
  return {
    file,
    read: readTextIfExists(file).pipe(
      Effect.mapError((error) => new ConfigError({ file, message: `${file}: cannot read (${errorText(error)})` })),
      Effect.flatMap(Option.match({
        onNone: () => Effect.succeedNone,
        onSome: (text) =>
          // an empty file (`touch settings.json`) holds no settings yet
          (text.trim().length === 0 ? Effect.succeed<unknown>({}) : parseJson(text)).pipe(
            Effect.mapError((why) => new ConfigError({ file, message: `${file}: ${why}; fix or remove it, nothing was changed` })),
            Effect.flatMap(decodeUnknown(SettingsObject)),
            Effect.mapError((error) =>
              error._tag === "ConfigError" ? error : new ConfigError({ file, message: `${file}: expected a JSON object; nothing was changed` })
            ),
            Effect.map(Option.some)
          )
      }))
    ),
    write: (settings) =>
      Effect.gen(function*() {
        const real = target(file)
        const mode = yield* Effect.try(() => fs.statSync(real).mode & 0o777).pipe(Effect.orElseSucceed(() => 0o644))
        yield* writeFileAtomic(real, `${JSON.stringify(settings, null, 2)}\n`, mode)
      }).pipe(Effect.mapError(fail("write"))),
    remove: Effect.try(() => fs.rmSync(file, { force: true })).pipe(Effect.mapError(fail("remove"))),
    backup: (stamp) =>
      Effect.try(() => {
        const copy = `${file}.omcm-backup-${stamp}`
        fs.copyFileSync(target(file), copy, fs.constants.COPYFILE_EXCL)
        return copy
      }).pipe(Effect.mapError(fail("back up")))
  }
}

export class ClaudeSettings extends Context.Tag("omcm/ClaudeSettings")<ClaudeSettings, ClaudeSettingsShape>() {
  static readonly layerWithoutDependencies = Layer.effect(
    ClaudeSettings,
    Effect.map(Paths, (paths) => makeClaudeSettings(path.resolve(paths.claudeConfigDir, "settings.json")))
  )

  static readonly layer = ClaudeSettings.layerWithoutDependencies.pipe(Layer.provide(Paths.layer))
}
