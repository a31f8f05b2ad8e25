import * as Option from "effect/Option"
import * as Stream from "effect/Stream"

/**
 * The `data` of each server-sent event in a byte stream (multi-line data joined with "\n"). Comments, `event:`,
 * `id:` and `retry:` fields are dropped: OpenCode puts everything in the JSON of `data`.
 */
export const sseData = <E, R>(bytes: Stream.Stream<Uint8Array, E, R>): Stream.Stream<string, E, R> =>
  bytes.pipe(
    Stream.decodeText(),
    Stream.splitLines,
    Stream.mapAccum([] as ReadonlyArray<string>, (pending, line): [ReadonlyArray<string>, Option.Option<string>] => {
      if (line === "") return [[], pending.length > 0 ? Option.some(pending.join("\n")) : Option.none()]
      if (line.startsWith("data:")) return [[...pending, line.slice(line.startsWith("data: ") ? 6 : 5)], Option.none()]
      return [pending, Option.none()]
    }),
    Stream.filterMap((data) => data)
  )
