import * as Data from "effect/Data"

/** A configuration or mapping file that cannot be used. `message` is already one line for the user. */
export class ConfigError extends Data.TaggedError("ConfigError")<{
  readonly file: string
  readonly message: string
}> {}

/** Shared state (SQLite database, cache or state file) that cannot be read or written. */
export class StateError extends Data.TaggedError("StateError")<{
  readonly file: string
  readonly message: string
}> {}

/** Input given to a command that cannot be used (bad flag value, bad hook input...). */
export class InputError extends Data.TaggedError("InputError")<{
  readonly message: string
}> {}

/** The OAuth usage endpoint failed; only ever recorded, usage then counts as unknown. */
export class UsageFetchError extends Data.TaggedError("UsageFetchError")<{
  readonly reason: "no-credentials" | "unauthorized" | "rate-limited" | "timeout" | "bad-response" | "unreachable"
  readonly message: string
}> {}

/** Claude Code's settings file cannot be changed as asked: the user's own entry is in the way, or a write failed. */
export class SettingsError extends Data.TaggedError("SettingsError")<{
  readonly file: string
  readonly message: string
}> {}
