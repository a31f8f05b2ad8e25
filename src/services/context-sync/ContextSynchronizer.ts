import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import type { HandoffContext } from "../context"
import { contextOfSession, handoffNote, handoffTitle, openCommand } from "./opencodeContext"
import { OpenCodeClient, type OpenCodeServer, type RequestError, type SessionRef } from "../pool"

export interface PushedContext {
  readonly sessionId: string
  readonly directory: string
  /** the shell command that opens the session in OpenCode's terminal UI */
  readonly command: string
}

/**
 * The seed's ContextSynchronizer, on the OpenCode server it is given: a handoff becomes an OpenCode session, and a
 * session becomes a handoff again.
 */
export interface ContextSynchronizerShape {
  /**
   * a new session in the context's project, titled after its task, holding the handoff as its first user message
   * (posted with `noReply`: no model is called)
   */
  readonly pushContext: (context: HandoffContext) => Effect.Effect<PushedContext, RequestError>
  /** the session's task, TODO list, changed and read files and notes, as a context for Claude Code */
  readonly pullContext: (session: SessionRef) => Effect.Effect<HandoffContext, RequestError>
  /** the session's context again each time it changes (its todos, diff, messages; a turn ending), from its events */
  readonly changes: (session: SessionRef) => Stream.Stream<HandoffContext, RequestError>
}

/** event types after which a session's context may read differently (streaming deltas are left out) */
const CHANGE_EVENTS = new Set(["todo.updated", "session.diff", "session.idle", "message.updated"])
/** events come in bursts (a turn's end is four of them): one read after the burst */
const SETTLE = Duration.millis(250)

const field = (value: unknown, key: string): unknown =>
  value !== null && typeof value === "object" && key in value ? (value as Record<string, unknown>)[key] : undefined

/** the session an event is about: `properties.sessionID`, or that of its `info` or `part` */
const sessionOfEvent = (properties: unknown): unknown =>
  field(properties, "sessionID") ?? field(field(properties, "info"), "sessionID") ?? field(field(properties, "part"), "sessionID")

export class ContextSynchronizer extends Context.Tag("omcm/ContextSynchronizer")<ContextSynchronizer, ContextSynchronizerShape>() {
  /** on one server (the pool daemon's or one of the caller's) */
  static readonly layer = (server: OpenCodeServer): Layer.Layer<ContextSynchronizer, never, OpenCodeClient> =>
    Layer.effect(ContextSynchronizer, Effect.map(OpenCodeClient, (client) => makeContextSynchronizer(client, server)))
}

export const makeContextSynchronizer = (client: OpenCodeClient["Type"], server: OpenCodeServer): ContextSynchronizerShape => {
  const pushContext = (context: HandoffContext) =>
    Effect.gen(function*() {
      const directory = context.meta.projectPath
      const session = yield* client.createSession(server, { directory, title: handoffTitle(context) })
      yield* client.postNote(server, { sessionId: session.id, directory, text: handoffNote(context) })
      return { sessionId: session.id, directory, command: openCommand(directory, session.id) }
    })

  const pullContext = (session: SessionRef) =>
    Effect.gen(function*() {
      const { diff, messages, todos } = yield* Effect.all({
        messages: client.messages(server, session),
        todos: client.todos(server, session),
        // none when OpenCode's snapshots are off; the tool calls still say what changed
        diff: Effect.orElseSucceed(client.diff(server, session), () => [])
      }, { concurrency: 3 })
      const buildTime = new Date(yield* Clock.currentTimeMillis).toISOString()
      return contextOfSession({ sessionId: session.sessionId, directory: session.directory, messages, todos, diff, buildTime })
    })

  const changes = (session: SessionRef) =>
    client.events(server, session.directory).pipe(
      Stream.filter((event) => CHANGE_EVENTS.has(event.type) && sessionOfEvent("properties" in event ? event.properties : undefined) === session.sessionId),
      Stream.debounce(SETTLE),
      Stream.mapEffect(() => pullContext(session))
    )

  return { pushContext, pullContext, changes }
}
