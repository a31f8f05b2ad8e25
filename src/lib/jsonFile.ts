import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as fs from "node:fs"
import * as path from "node:path"
import { ensurePrivateDir, PRIVATE_FILE_MODE } from "./privateFiles"

/** Read a file's text; None when it does not exist. */
export const readTextIfExists = (file: string): Effect.Effect<Option.Option<string>, NodeJS.ErrnoException> =>
  Effect.try({
    try: () => Option.some(fs.readFileSync(file, "utf8")),
    catch: (error) => error as NodeJS.ErrnoException
  }).pipe(Effect.catchIf((error) => error.code === "ENOENT", () => Effect.succeedNone))

/** Parse JSON text, with a message that says where the syntax breaks. */
export const parseJson = (text: string): Effect.Effect<unknown, string> =>
  Effect.try({ try: () => JSON.parse(text) as unknown, catch: (error) => `not valid JSON (${(error as Error).message})` })

/**
 * Write a file atomically: a temporary file in the same directory, fsync (unless `durable` is false: a file that
 * only matters while this machine is up), then rename over the target. Readers see the old or the new content,
 * never a torn one. A missing directory is created 0700; the file is `mode` (0600 unless said otherwise).
 */
export const writeFileAtomic = (
  file: string,
  content: string,
  mode = PRIVATE_FILE_MODE,
  durable = true
): Effect.Effect<void, NodeJS.ErrnoException> =>
  Effect.try({
    try: () => {
      ensurePrivateDir(path.dirname(file))
      const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`
      const fd = fs.openSync(tmp, "w", mode)
      try {
        fs.writeFileSync(fd, content)
        if (durable) fs.fsyncSync(fd)
      } finally {
        fs.closeSync(fd)
      }
      try {
        fs.renameSync(tmp, file)
      } catch (error) {
        fs.rmSync(tmp, { force: true })
        throw error
      }
    },
    catch: (error) => error as NodeJS.ErrnoException
  })

/** Decode with a schema; the error is the schema's ParseError. */
export const decodeUnknown = <A, I>(schema: Schema.Schema<A, I>, options?: { readonly strict?: boolean }) =>
  (input: unknown): Effect.Effect<A, ParseResult.ParseError> =>
    Schema.decodeUnknown(schema, { onExcessProperty: options?.strict === false ? "ignore" : "error", errors: "first" })(input)
