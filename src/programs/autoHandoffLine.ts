import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as fs from "node:fs"
import { autoHandoffNotice, makeAutoHandoffs } from "../services/context"
import { Store } from "../services/store"

/**
 * The statusline's word on ulw's automatic handoff of the session (the Stop hook's, see programs/hooks/autoHandoff.ts):
 * where the file is and how to continue in OpenCode; nothing when none was written since the last crossing, or when
 * its file is gone.
 */
export const autoHandoffLine = (sessionId: Option.Option<string>, cwd: string | undefined): Effect.Effect<string | undefined, never, Store> =>
  Option.match(sessionId, {
    onNone: () => Effect.succeed(undefined),
    onSome: (id) =>
      Effect.flatMap(Store, (store) => makeAutoHandoffs(store).read(id)).pipe(
        Effect.map(Option.filter((h) => fs.existsSync(h.markdown))),
        Effect.map(Option.match({ onNone: () => undefined, onSome: (h) => autoHandoffNotice(h, cwd) })),
        Effect.orElseSucceed(() => undefined)
      )
  })
