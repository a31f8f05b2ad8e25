import * as Schema from "effect/Schema"

/** One hook `omcm install --hooks` added to a settings file: the matcher group it lives in and its command. */
export const RecordedHook = Schema.Struct({
  event: Schema.String,
  matcher: Schema.optional(Schema.String),
  command: Schema.String,
  /** the event's list did not exist before: uninstall removes it again when it is left empty */
  createdEvent: Schema.Boolean
})
export type RecordedHook = typeof RecordedHook.Type

/** What omcm changed in one settings file, so that uninstall takes back exactly that. */
export const InstallEntry = Schema.Struct({
  settingsFile: Schema.String,
  installedAt: Schema.String,
  /** a copy of the file as it was before omcm first changed it */
  backup: Schema.optional(Schema.String),
  /** the file did not exist: uninstall deletes it again when nothing else is left in it */
  createdFile: Schema.Boolean,
  /** `hooks` did not exist: uninstall removes it again when it is left empty */
  createdHooksKey: Schema.Boolean,
  statusLine: Schema.optional(Schema.Struct({
    installed: Schema.Unknown,
    /** the user's statusLine that `install --force` replaced; None when there was none */
    previous: Schema.optionalWith(Schema.Unknown, { as: "Option" })
  })),
  hooks: Schema.Array(RecordedHook)
})
export type InstallEntry = typeof InstallEntry.Type

/** `$OMCM_HOME/install-record.json`, one entry per settings file (key: its absolute path) */
export const InstallRecordFile = Schema.Struct({
  version: Schema.Literal(1),
  installs: Schema.Record({ key: Schema.String, value: InstallEntry })
})
export type InstallRecordFile = typeof InstallRecordFile.Type
