import * as Schema from "effect/Schema"

/**
 * Claude Code's user settings file (`$CLAUDE_CONFIG_DIR/settings.json`). omcm owns only `statusLine` and some
 * entries of `hooks`; everything else is kept as it is, so the file is decoded as any JSON object.
 */
export const SettingsObject = Schema.Record({ key: Schema.String, value: Schema.Unknown })
export type SettingsObject = typeof SettingsObject.Type
