import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as fs from "node:fs"
import * as path from "node:path"
import { StateError } from "../../domain/errors"
import { type InstallEntry, InstallRecordFile } from "./installRecord"
import { decodeUnknown, parseJson, readTextIfExists, writeFileAtomic } from "../../lib/jsonFile"
import { formatParseError } from "../../lib/schemaErrors"
import { Paths } from "../config"

/** What `omcm install` added to which settings file, kept in `$OMCM_HOME/install-record.json` for uninstall. */
export interface InstallRecordsShape {
  readonly file: string
  readonly get: (settingsFile: string) => Effect.Effect<Option.Option<InstallEntry>, StateError>
  readonly put: (entry: InstallEntry) => Effect.Effect<void, StateError>
  readonly remove: (settingsFile: string) => Effect.Effect<void, StateError>
}

const empty: InstallRecordFile = { version: 1, installs: {} }
const encode = Schema.encode(InstallRecordFile)

export const makeInstallRecords = (file: string): InstallRecordsShape => {
  const name = path.basename(file)
  const stateError = (message: string) => new StateError({ file, message: `${file}: ${message}` })
  const load: Effect.Effect<InstallRecordFile, StateError> = readTextIfExists(file).pipe(
    Effect.mapError((error) => stateError(`cannot read (${error.code ?? error.message})`)),
    Effect.flatMap(Option.match({
      onNone: () => Effect.succeed(empty),
      onSome: (text) =>
        parseJson(text).pipe(
          Effect.mapError(stateError),
          Effect.flatMap((raw) =>
            decodeUnknown(InstallRecordFile)(raw).pipe(
              Effect.mapError((error) => new StateError({ file, message: formatParseError(file, raw, error) }))
            )
          )
        )
    }))
  )
  const save = (record: InstallRecordFile): Effect.Effect<void, StateError> =>
    Object.keys(record.installs).length === 0
      ? Effect.try(() => fs.rmSync(file, { force: true })).pipe(Effect.mapError(() => stateError("cannot remove")))
      : encode(record).pipe(
        Effect.mapError(() => stateError(`cannot encode ${name}`)),
        Effect.flatMap((encoded) =>
          writeFileAtomic(file, `${JSON.stringify(encoded, null, 2)}\n`).pipe(
            Effect.mapError((error) => stateError(`cannot write (${error.code ?? error.message})`))
          )
        )
      )
  return {
    file,
    get: (settingsFile) => Effect.map(load, (record) => Option.fromNullable(record.installs[settingsFile])),
    put: (entry) =>
      Effect.flatMap(load, (record) => save({ ...record, installs: { ...record.installs, [entry.settingsFile]: entry } })),
    remove: (settingsFile) =>
      Effect.flatMap(load, (record) =>
        save({ ...record, installs: Object.fromEntries(Object.entries(record.installs).filter(([key]) => key !== settingsFile)) }))
  }
}

export class InstallRecords extends Context.Tag("omcm/InstallRecords")<InstallRecords, InstallRecordsShape>() {
  /** next to omcm's other state, so it survives reinstalls of the package */
  static readonly layerWithoutDependencies = Layer.effect(
    InstallRecords,
    Effect.map(Paths, (paths) => makeInstallRecords(path.resolve(paths.stateDir, "install-record.json")))
  )

  static readonly layer = InstallRecords.layerWithoutDependencies.pipe(Layer.provide(Paths.layer))
}
