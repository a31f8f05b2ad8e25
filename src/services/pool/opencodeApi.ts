/**
 * What omcm reads from an `opencode serve` (1.18.x) REST API and SSE stream, and the errors talking to it can end in.
 * Schemas list only the fields omcm uses; decode them with `onExcessProperty: "ignore"` (the server adds fields).
 */
import * as Data from "effect/Data"
import * as Schema from "effect/Schema"

/** One server, as every client call takes it. Basic auth user is `opencode`. */
export interface OpenCodeServer {
  /** `http://127.0.0.1:PORT` */
  readonly baseUrl: string
  readonly password: string
}

export interface ModelRef {
  readonly providerID: string
  readonly modelID: string
}

// ---------------------------------------------------------------------------------------------------------------
// REST bodies

/** `GET /global/health` */
export const Health = Schema.Struct({
  healthy: Schema.Boolean,
  version: Schema.String
})
export type Health = typeof Health.Type

/** `POST /session` and `GET /session/{id}` */
export const Session = Schema.Struct({
  id: Schema.String,
  title: Schema.optional(Schema.String),
  directory: Schema.optional(Schema.String)
})
export type Session = typeof Session.Type

export const Tokens = Schema.Struct({
  input: Schema.Number,
  output: Schema.Number,
  reasoning: Schema.Number,
  cache: Schema.Struct({ read: Schema.Number, write: Schema.Number })
})
export type Tokens = typeof Tokens.Type

/**
 * `info.error` of an assistant message. Known names: `MessageAbortedError`, `APIError` (data has `statusCode`,
 * `isRetryable`, `responseHeaders`), `ProviderAuthError`, `UnknownError`, `ContextOverflowError`,
 * `MessageOutputLengthError`, `ContentFilterError`, `StructuredOutputError`.
 */
export const MessageError = Schema.Struct({
  name: Schema.String,
  data: Schema.optional(Schema.Struct({
    message: Schema.optional(Schema.String),
    statusCode: Schema.optional(Schema.Number),
    isRetryable: Schema.optional(Schema.Boolean),
    responseHeaders: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String })),
    providerID: Schema.optional(Schema.String)
  }))
})
export type MessageError = typeof MessageError.Type

export const AssistantInfo = Schema.Struct({
  id: Schema.String,
  sessionID: Schema.String,
  role: Schema.Literal("assistant"),
  providerID: Schema.String,
  modelID: Schema.String,
  cost: Schema.Number,
  tokens: Tokens,
  finish: Schema.optional(Schema.String),
  error: Schema.optional(MessageError),
  time: Schema.Struct({ created: Schema.Number, completed: Schema.optional(Schema.Number) })
})
export type AssistantInfo = typeof AssistantInfo.Type

export const TextPart = Schema.Struct({
  type: Schema.Literal("text"),
  text: Schema.String,
  synthetic: Schema.optional(Schema.Boolean),
  ignored: Schema.optional(Schema.Boolean)
})

/** A tool call of the turn: which tool, and its input once known (the files a write or edit touched) */
export const ToolPart = Schema.Struct({
  type: Schema.Literal("tool"),
  tool: Schema.String,
  state: Schema.Struct({
    status: Schema.String,
    input: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
  })
})

/** Parts other than text and tools (step-start, step-finish, reasoning, ...): only their type matters here. */
export const OtherPart = Schema.Struct({ type: Schema.String })

export const Part = Schema.Union(TextPart, ToolPart, OtherPart)
export type Part = typeof Part.Type

/** The answer of `POST /session/{id}/message` */
export const MessageReply = Schema.Struct({
  info: AssistantInfo,
  parts: Schema.Array(Part)
})
export type MessageReply = typeof MessageReply.Type

/** One rule of a session's permission ruleset (`POST /session` `permission`); OpenCode takes the last match. */
export const PermissionRule = Schema.Struct({
  permission: Schema.String,
  pattern: Schema.String,
  action: Schema.Literal("allow", "deny", "ask")
})
export type PermissionRule = typeof PermissionRule.Type

/**
 * What a delegated session may do and who it is: its permission ruleset (given when the session is created), the
 * tools offered to its model and the system text of its prompt. Never give both `permission` and `tools`: OpenCode
 * 1.18.33 replaces the session's ruleset with one made of a non-empty `tools` map (every pattern rule and the
 * directory boundary lost); a `deny` of pattern `*` in the ruleset takes the tool away as well.
 */
export const SessionPolicy = Schema.Struct({
  system: Schema.optional(Schema.String),
  tools: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Boolean })),
  permission: Schema.optional(Schema.Array(PermissionRule))
})
export type SessionPolicy = typeof SessionPolicy.Type

/** `GET /session/{id}/diff`: the files the session changed (empty when OpenCode's snapshots are off) */
export const FileDiff = Schema.Struct({
  path: Schema.String,
  status: Schema.optional(Schema.Literal("added", "modified", "deleted"))
})

/** One message of `GET /session/{id}/message`: only its parts matter here (the files its tool calls changed) */
export const SessionMessage = Schema.Struct({
  parts: Schema.Array(Part)
})

/** The `{name, data:{message}}` body of OpenCode's HTTP errors (400, 404, 500) */
export const ErrorBody = Schema.Struct({
  name: Schema.String,
  data: Schema.optional(Schema.Struct({ message: Schema.optional(Schema.String) }))
})

// ---------------------------------------------------------------------------------------------------------------
// SSE events of `GET /event` (one JSON object per `data:` line)

/** OpenCode waits to try the provider again (it retries 429s, 5xx and unreachable providers forever) */
export const RetryStatus = Schema.Struct({
  type: Schema.Literal("retry"),
  attempt: Schema.Number,
  /** the provider's error message, or "Cannot connect to API: ..." */
  message: Schema.String,
  /** epoch ms of the next attempt */
  next: Schema.Number
})
export type RetryStatus = typeof RetryStatus.Type

export const SessionStatus = Schema.Union(
  Schema.Struct({ type: Schema.Literal("idle") }),
  Schema.Struct({ type: Schema.Literal("busy") }),
  RetryStatus
)
export type SessionStatus = typeof SessionStatus.Type

export const SessionStatusEvent = Schema.Struct({
  type: Schema.Literal("session.status"),
  properties: Schema.Struct({ sessionID: Schema.String, status: SessionStatus })
})

export const SessionIdleEvent = Schema.Struct({
  type: Schema.Literal("session.idle"),
  properties: Schema.Struct({ sessionID: Schema.String })
})

export const SessionErrorEvent = Schema.Struct({
  type: Schema.Literal("session.error"),
  properties: Schema.Struct({ sessionID: Schema.optional(Schema.String), error: Schema.optional(MessageError) })
})

export const MessageUpdatedEvent = Schema.Struct({
  type: Schema.Literal("message.updated"),
  properties: Schema.Struct({
    sessionID: Schema.String,
    info: Schema.Struct({ id: Schema.String, role: Schema.String })
  })
})

export const MessagePartUpdatedEvent = Schema.Struct({
  type: Schema.Literal("message.part.updated"),
  properties: Schema.Struct({
    sessionID: Schema.String,
    part: Schema.Struct({ id: Schema.String, messageID: Schema.String, type: Schema.String, text: Schema.optional(Schema.String) })
  })
})

export const MessagePartDeltaEvent = Schema.Struct({
  type: Schema.Literal("message.part.delta"),
  properties: Schema.Struct({
    sessionID: Schema.String,
    messageID: Schema.String,
    partID: Schema.String,
    field: Schema.String,
    delta: Schema.String
  })
})

/**
 * A tool waits for a human to allow it (`permission.asked`; `permission.v2.asked` is the same request in the newer
 * shape): a delegated session has nobody to ask, so omcm rejects it at once (`POST /permission/{id}/reply`).
 */
export const PermissionAskedEvent = Schema.Struct({
  type: Schema.Literal("permission.asked"),
  properties: Schema.Struct({
    id: Schema.String,
    sessionID: Schema.String,
    permission: Schema.String,
    patterns: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] })
  })
})

export const PermissionV2AskedEvent = Schema.Struct({
  type: Schema.Literal("permission.v2.asked"),
  properties: Schema.Struct({
    id: Schema.String,
    sessionID: Schema.String,
    action: Schema.String,
    resources: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] })
  })
})

/** The `question` tool waits for a human's answer (`POST /question/{id}/reject` turns it down). */
export const QuestionAskedEvent = Schema.Struct({
  type: Schema.Literal("question.asked"),
  properties: Schema.Struct({
    id: Schema.String,
    sessionID: Schema.String,
    questions: Schema.optionalWith(Schema.Array(Schema.Struct({ question: Schema.optional(Schema.String) })), { default: () => [] })
  })
})

export const HumanRequestEvent = Schema.Union(PermissionAskedEvent, PermissionV2AskedEvent, QuestionAskedEvent)
export type HumanRequestEvent = typeof HumanRequestEvent.Type

/** Every other event (`server.connected`, `server.heartbeat`, `session.updated`, ...), and known ones in an unknown shape */
export const OtherEvent = Schema.Struct({
  type: Schema.String,
  properties: Schema.optional(Schema.Unknown)
})

export const OpenCodeEvent = Schema.Union(
  SessionStatusEvent,
  SessionIdleEvent,
  SessionErrorEvent,
  MessageUpdatedEvent,
  MessagePartUpdatedEvent,
  MessagePartDeltaEvent,
  OtherEvent
)
export type OpenCodeEvent = typeof OpenCodeEvent.Type

// ---------------------------------------------------------------------------------------------------------------
// Errors

/** Nothing answers on the port, or the server went away mid-request. */
export class OpenCodeUnreachable extends Data.TaggedError("OpenCodeUnreachable")<{
  readonly port: number
  readonly message: string
}> {}

/** The model provider behind OpenCode failed (HTTP 429, bad key, unreachable, broken answer...). */
export class OpenCodeProviderError extends Data.TaggedError("OpenCodeProviderError")<{
  readonly kind: "rate-limit" | "auth" | "other"
  /** how long the provider asked to wait, when it said */
  readonly retryAfterMs?: number | undefined
  readonly providerID: string
  readonly modelID: string
  readonly message: string
  /** the model had produced output (tool calls made) before it failed: its work is not replayed elsewhere */
  readonly afterOutput?: boolean | undefined
}> {}

/** No answer within the caller's time limit. */
export class OpenCodeTimeout extends Data.TaggedError("OpenCodeTimeout")<{
  readonly timeoutMs: number
  readonly message: string
}> {}

/** An HTTP error status, or a body omcm cannot decode (an unknown model is HTTP 500). */
export class OpenCodeBadResponse extends Data.TaggedError("OpenCodeBadResponse")<{
  readonly status: number | null
  readonly message: string
}> {}

/** The server refused the password (HTTP 401). */
export class OpenCodeUnauthorized extends Data.TaggedError("OpenCodeUnauthorized")<{
  readonly port: number
  readonly message: string
}> {}

/** The session showed no progress: no event of it for too long, or no output from the model yet. */
export class OpenCodeStalled extends Data.TaggedError("OpenCodeStalled")<{
  readonly reason: "idle" | "first-output"
  readonly afterMs: number
  readonly providerID: string
  readonly modelID: string
  readonly message: string
  /** see OpenCodeProviderError */
  readonly afterOutput?: boolean | undefined
}> {}

/** The turn was aborted by someone else than this call (another client, a server shutdown). */
export class OpenCodeAborted extends Data.TaggedError("OpenCodeAborted")<{
  readonly sessionId: string
  readonly message: string
}> {}

export type OpenCodeError =
  | OpenCodeUnreachable
  | OpenCodeProviderError
  | OpenCodeTimeout
  | OpenCodeBadResponse
  | OpenCodeUnauthorized
  | OpenCodeAborted
  | OpenCodeStalled

/** The port of a base URL, for messages (0 when the URL has none we can read). */
export const portOf = (baseUrl: string): number => {
  try {
    const url = new URL(baseUrl)
    return url.port === "" ? (url.protocol === "https:" ? 443 : 80) : Number(url.port)
  } catch {
    return 0
  }
}
