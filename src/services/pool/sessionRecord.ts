/** What a session holds, read back for a handoff: its messages with their roles, its TODO list. */
import * as Schema from "effect/Schema"
import { Part } from "./opencodeApi"

/** One message of `GET /session/{id}/message`, with who wrote it */
export const RecordedMessage = Schema.Struct({
  info: Schema.Struct({
    id: Schema.String,
    role: Schema.String,
    time: Schema.optional(Schema.Struct({ created: Schema.optional(Schema.Number) }))
  }),
  parts: Schema.Array(Part)
})
export type RecordedMessage = typeof RecordedMessage.Type

/** One item of `GET /session/{id}/todo` (status: pending, in_progress, completed, cancelled) */
export const SessionTodo = Schema.Struct({
  content: Schema.String,
  status: Schema.String,
  priority: Schema.optional(Schema.String)
})
export type SessionTodo = typeof SessionTodo.Type
