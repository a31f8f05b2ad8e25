import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { TokenUsage } from "../../domain/execution"
import {
  ErrorBody,
  FileDiff,
  Health,
  MessageReply,
  SessionMessage,
  type ModelRef,
  type OpenCodeAborted,
  OpenCodeBadResponse,
  type OpenCodeError,
  OpenCodeEvent,
  OpenCodeProviderError,
  OpenCodeStalled,
  OpenCodeTimeout,
  OpenCodeUnauthorized,
  OpenCodeUnreachable,
  type OpenCodeServer,
  type PermissionRule,
  portOf,
  Session,
  type SessionPolicy,
  SessionStatus
} from "./opencodeApi"
import { type ChangedFile, filesOfToolParts, mergeChangedFiles } from "./changedFiles"
import { RecordedMessage, SessionTodo } from "./sessionRecord"
import { errorOfReply, providerErrorOfRetry, replyText, tokenUsageOf } from "./opencodeOutcome"
import { sseData } from "../../lib/sse"
import {
  type DirectoryWatch,
  type HumanRequest,
  makeDirectoryWatch,
  makeSessionWatcher,
  type SessionWatcher,
  type WatchedSession
} from "./SessionWatch"

export type { DirectoryWatch, SessionWatcher } from "./SessionWatch"

/** Failures of any request: nothing listening, wrong password, no answer in time, or an answer omcm cannot use. */
export type RequestError = OpenCodeUnreachable | OpenCodeUnauthorized | OpenCodeBadResponse | OpenCodeTimeout

export type { RecordedMessage, SessionTodo } from "./sessionRecord"

export interface SessionRef {
  readonly sessionId: string
  readonly directory: string
}

export interface PromptRequest extends SessionRef {
  readonly text: string
  readonly model: ModelRef
  readonly agent?: string | undefined
  /** the system text of the turn (the delegated agent's role) */
  readonly system?: string | undefined
  /** tools offered to the model, by name: false takes one away */
  readonly tools?: Readonly<Record<string, boolean>> | undefined
}

export interface RunRequest {
  /** the project directory OpenCode works in (each directory boots its own instance on first use) */
  readonly directory: string
  readonly text: string
  readonly model: ModelRef
  readonly agent?: string | undefined
  /** a title spares OpenCode the extra LLM call that would name the session */
  readonly title: string
  readonly timeoutMs: number
  /** the session's permission ruleset, the turn's tools and system text */
  readonly policy?: SessionPolicy | undefined
  /** give up when the session shows no event for this long (a stalled provider, a hung tool); default: never */
  readonly idleTimeoutMs?: number | undefined
  /** give up when the model has produced nothing (no token, no tool call) for this long; default: never */
  readonly firstOutputTimeoutMs?: number | undefined
}

/** What `GET /config/providers` answered, and who answered it. */
export interface ProviderListing {
  readonly body: unknown
  readonly port: number
  /** OpenCode's version, from its health check */
  readonly version: string | null
}

export interface RunOptions {
  /**
   * The server's shared event subscriptions (see `sessionWatcher`), which the pool keeps open for each server.
   * Without one, `run` opens a subscription of its own for the call, and the prompt waits until it is live.
   */
  readonly watcher?: SessionWatcher | undefined
}

export interface RunResult {
  readonly text: string
  readonly tokens: TokenUsage
  /** USD, as OpenCode computed it from its config's prices */
  readonly cost: number
  readonly providerID: string
  readonly modelID: string
  readonly sessionId: string
  readonly durationMs: number
  /** the permissions and questions the session asked for and omcm refused, in words */
  readonly refused: ReadonlyArray<string>
  /** the files the session changed, relative to its directory */
  readonly changedFiles: ReadonlyArray<ChangedFile>
}

/**
 * The REST client of one `opencode serve`, given per call. Needs an `HttpClient`; prefer
 * `NodeHttpClient.layer` (node:http) over fetch: a prompt's request stays open for the whole turn, and fetch (undici)
 * gives up on a response whose headers take more than 300 s.
 */
export interface OpenCodeClientShape {
  /** `GET /global/health`, failing with OpenCodeTimeout after `timeoutMs` (default 500): a starting server hangs requests */
  readonly health: (server: OpenCodeServer, options?: { readonly timeoutMs?: number }) => Effect.Effect<Health, RequestError>
  /**
   * Boot the project instance of `directory` without an LLM call (`GET /config`): OpenCode boots one lazily on the
   * first request for a directory, which otherwise lands on the first delegated prompt.
   */
  readonly bootInstance: (server: OpenCodeServer, directory: string) => Effect.Effect<void, RequestError | OpenCodeTimeout>
  /**
   * `GET /config/providers` of `directory`: the providers OpenCode has credentials for (the `connected` part of
   * `GET /provider`, in a twentieth of its time), with their models. The body as it came; `models/catalog.ts` reads it.
   */
  readonly providers: (server: OpenCodeServer, directory: string) => Effect.Effect<ProviderListing, RequestError>
  /** `GET /provider` of `directory`: every provider of the catalog, connected or not (6 MB; the body as it came) */
  readonly providerList: (server: OpenCodeServer, directory: string) => Effect.Effect<unknown, RequestError>
  readonly createSession: (
    server: OpenCodeServer,
    options: { readonly directory: string; readonly title: string; readonly permission?: ReadonlyArray<PermissionRule> | undefined }
  ) => Effect.Effect<Session, RequestError>
  /** answer a session's permission request with a rejection, or turn down its question (nobody is there to answer) */
  readonly refuse: (server: OpenCodeServer, directory: string, request: HumanRequest) => Effect.Effect<boolean, RequestError>
  /** `GET /session/{id}/diff`: the files the session changed (none when OpenCode's snapshots are off) */
  readonly diff: (server: OpenCodeServer, session: SessionRef) => Effect.Effect<ReadonlyArray<ChangedFile>, RequestError>
  /** `POST /session/{id}/message`: waits for the whole turn; an error in the reply fails the effect */
  readonly prompt: (
    server: OpenCodeServer,
    request: PromptRequest
  ) => Effect.Effect<MessageReply, RequestError | OpenCodeProviderError | OpenCodeAborted>
  /** `POST /session/{id}/message` with `noReply`: the text is stored as the user's message, and no model is called */
  readonly postNote: (server: OpenCodeServer, note: SessionRef & { readonly text: string }) => Effect.Effect<void, RequestError>
  /** `GET /session/{id}/message`: the whole history, oldest first */
  readonly messages: (server: OpenCodeServer, session: SessionRef) => Effect.Effect<ReadonlyArray<RecordedMessage>, RequestError>
  /** `GET /session/{id}/todo`: the session's TODO list */
  readonly todos: (server: OpenCodeServer, session: SessionRef) => Effect.Effect<ReadonlyArray<SessionTodo>, RequestError>
  /** `GET /session/{id}`; a deleted session is OpenCodeBadResponse with status 404 */
  readonly getSession: (server: OpenCodeServer, session: SessionRef) => Effect.Effect<Session, RequestError>
  readonly abort: (server: OpenCodeServer, session: SessionRef) => Effect.Effect<boolean, RequestError>
  readonly deleteSession: (server: OpenCodeServer, session: SessionRef) => Effect.Effect<boolean, RequestError>
  /** `GET /session/status`: sessions that are not idle, by id */
  readonly sessionStatus: (
    server: OpenCodeServer,
    directory: string
  ) => Effect.Effect<Readonly<Record<string, SessionStatus>>, RequestError>
  /** `GET /event` of one directory, decoded; events of unknown shape come as `{type, properties}` */
  readonly events: (server: OpenCodeServer, directory: string) => Stream.Stream<OpenCodeEvent, RequestError>
  /**
   * The shared event subscriptions of one server for the life of the scope: one per directory, opened on first use,
   * reconnected when they drop, routing each session's provider retries to the `run` watching it. Give it to `run`.
   */
  readonly sessionWatcher: (server: OpenCodeServer) => Effect.Effect<SessionWatcher, never, Scope.Scope>
  /**
   * One prompt on a fresh session, deleted afterwards. Fails fast with OpenCodeProviderError on the first retry
   * OpenCode announces; on a timeout, an error or an interruption the session is aborted before it is deleted.
   * A call on a watcher that closes (its server went away) fails with OpenCodeUnreachable.
   */
  readonly run: (server: OpenCodeServer, request: RunRequest, options?: RunOptions) => Effect.Effect<RunResult, OpenCodeError>
}

export class OpenCodeClient extends Context.Tag("omcm/OpenCodeClient")<OpenCodeClient, OpenCodeClientShape>() {
  static readonly layerWithoutDependencies = Layer.effect(OpenCodeClient, Effect.map(HttpClient.HttpClient, (client) => makeOpenCodeClient(client)))

  /**
   * on node:http: a prompt's request stays open for the whole turn, and fetch gives up on headers after 300 s
   */
  static readonly layer = OpenCodeClient.layerWithoutDependencies.pipe(Layer.provide(NodeHttpClient.layer))
}

/** Requests other than prompts and event streams are quick; a server that sits on one is as good as gone. */
const SHORT_REQUEST_TIMEOUT = Duration.seconds(10)
/** The provider list of a directory whose instance is not booted yet waits for the boot. */
const PROVIDERS_TIMEOUT = Duration.seconds(60)
/** Cleanup after a failed run must not hang on a dead server. */
const CLEANUP_TIMEOUT = Duration.seconds(5)

const SessionStatusMap = Schema.Record({ key: Schema.String, value: SessionStatus })

/** what a refused permission or question is told: the model reads it and carries on without */
const REFUSAL = "Not allowed: this session runs unattended for another agent, and nobody can answer. Carry on without it."

const NO_ANSWER = "Nobody can answer: this session runs unattended for another agent. Decide on your own and carry on."

const describeRequest = (asked: HumanRequest): string =>
  asked.kind === "question"
    ? `question: ${asked.questions.join(" / ").slice(0, 200)}`
    : `${asked.permission}${asked.patterns.length > 0 ? ` (${asked.patterns.join(", ").slice(0, 200)})` : ""}`

const decodeLenient = <A, I>(schema: Schema.Schema<A, I>) =>
  Schema.decodeUnknown(schema, { onExcessProperty: "ignore", errors: "first" })

export const makeOpenCodeClient = (client: HttpClient.HttpClient): OpenCodeClientShape => {
  const url = (server: OpenCodeServer, path: string) => `${server.baseUrl.replace(/\/+$/, "")}${path}`

  const transportError = (server: OpenCodeServer) => (error: HttpClientError.HttpClientError): RequestError => {
    const port = portOf(server.baseUrl)
    if (error._tag === "RequestError" && error.reason !== "Transport") {
      return new OpenCodeBadResponse({ status: null, message: `cannot send a request to OpenCode (${error.reason})` })
    }
    const lost = error._tag === "ResponseError" ? "lost the connection while reading its answer" : "is unreachable"
    return new OpenCodeUnreachable({ port, message: `OpenCode on port ${port} ${lost}` })
  }

  /** Send with basic auth; 401 becomes OpenCodeUnauthorized, transport failures OpenCodeUnreachable. */
  const send = (server: OpenCodeServer, request: HttpClientRequest.HttpClientRequest) =>
    client.execute(request.pipe(HttpClientRequest.basicAuth("opencode", server.password))).pipe(
      Effect.mapError(transportError(server)),
      Effect.filterOrFail(
        (response) => response.status !== 401,
        () => {
          const port = portOf(server.baseUrl)
          return new OpenCodeUnauthorized({ port, message: `OpenCode on port ${port} refused the password (HTTP 401)` })
        }
      )
    )

  const badStatus = (response: HttpClientResponse.HttpClientResponse, body: string, what: string) =>
    Effect.gen(function*() {
      const parsed = yield* Effect.option(
        Effect.try(() => JSON.parse(body) as unknown).pipe(Effect.flatMap(decodeLenient(ErrorBody)))
      )
      const detail = Option.match(parsed, {
        onNone: () => body.replace(/\s+/g, " ").slice(0, 200),
        onSome: (error) => `${error.name}: ${error.data?.message ?? ""}`
      })
      return yield* new OpenCodeBadResponse({ status: response.status, message: `OpenCode ${what}: HTTP ${response.status} (${detail})` })
    })

  /** Send, then decode a 2xx JSON body. */
  const requestJson = <A, I>(
    server: OpenCodeServer,
    request: HttpClientRequest.HttpClientRequest,
    schema: Schema.Schema<A, I>,
    what: string
  ): Effect.Effect<A, RequestError> =>
    send(server, request).pipe(
      Effect.flatMap((response) =>
        response.text.pipe(
          Effect.mapError(transportError(server)),
          Effect.flatMap((body) =>
            response.status < 200 || response.status >= 300
              ? badStatus(response, body, what)
              : Effect.try(() => JSON.parse(body) as unknown).pipe(
                Effect.flatMap(decodeLenient(schema)),
                Effect.mapError(() =>
                  new OpenCodeBadResponse({
                    status: response.status,
                    message: `OpenCode ${what}: unexpected answer (${body.replace(/\s+/g, " ").slice(0, 200)})`
                  })
                )
              )
          )
        )
      )
    )

  const shortTimeout = <A, E>(effect: Effect.Effect<A, E>, what: string) =>
    Effect.timeoutFail(effect, {
      duration: SHORT_REQUEST_TIMEOUT,
      onTimeout: () =>
        new OpenCodeTimeout({
          timeoutMs: Duration.toMillis(SHORT_REQUEST_TIMEOUT),
          message: `OpenCode ${what}: no answer within ${Duration.format(SHORT_REQUEST_TIMEOUT)}`
        })
    })

  const inDirectory = (directory: string) => HttpClientRequest.setUrlParam("directory", directory)

  const health: OpenCodeClientShape["health"] = (server, options) => {
    const timeoutMs = options?.timeoutMs ?? 500
    return requestJson(server, HttpClientRequest.get(url(server, "/global/health")), Health, "health check").pipe(
      Effect.timeoutFail({
        duration: Duration.millis(timeoutMs),
        onTimeout: () => new OpenCodeTimeout({ timeoutMs, message: `OpenCode health check: no answer within ${timeoutMs} ms` })
      })
    )
  }

  const bootInstance: OpenCodeClientShape["bootInstance"] = (server, directory) =>
    HttpClientRequest.get(url(server, "/config")).pipe(
      inDirectory(directory),
      (request) => shortTimeout(requestJson(server, request, Schema.Unknown, "boot instance"), "boot instance"),
      Effect.asVoid
    )

  /** a provider list of `directory`; the first request of a directory boots its instance, seconds on a loaded machine */
  const getProviders = (server: OpenCodeServer, directory: string, path: string) =>
    HttpClientRequest.get(url(server, path)).pipe(
      inDirectory(directory),
      (request) => requestJson(server, request, Schema.Unknown, "providers"),
      Effect.timeoutFail({
        duration: PROVIDERS_TIMEOUT,
        onTimeout: () =>
          new OpenCodeTimeout({
            timeoutMs: Duration.toMillis(PROVIDERS_TIMEOUT),
            message: `OpenCode ${path}: no answer within ${Duration.format(PROVIDERS_TIMEOUT)}`
          })
      })
    )

  const providers: OpenCodeClientShape["providers"] = (server, directory) =>
    Effect.gen(function*() {
      const version = yield* health(server, { timeoutMs: 5_000 }).pipe(Effect.map((h) => h.version), Effect.orElseSucceed(() => null))
      const body = yield* getProviders(server, directory, "/config/providers")
      return { body, port: portOf(server.baseUrl), version }
    })

  const providerList: OpenCodeClientShape["providerList"] = (server, directory) => getProviders(server, directory, "/provider")

  const createSession: OpenCodeClientShape["createSession"] = (server, { directory, permission, title }) =>
    HttpClientRequest.post(url(server, "/session")).pipe(
      inDirectory(directory),
      HttpClientRequest.bodyUnsafeJson({ title, ...(permission === undefined ? {} : { permission }) }),
      (request) => shortTimeout(requestJson(server, request, Session, "create session"), "create session")
    )

  const prompt: OpenCodeClientShape["prompt"] = (server, request) =>
    HttpClientRequest.post(url(server, `/session/${encodeURIComponent(request.sessionId)}/message`)).pipe(
      inDirectory(request.directory),
      HttpClientRequest.bodyUnsafeJson({
        parts: [{ type: "text", text: request.text }],
        model: { providerID: request.model.providerID, modelID: request.model.modelID },
        ...(request.agent === undefined ? {} : { agent: request.agent }),
        ...(request.system === undefined ? {} : { system: request.system }),
        ...(request.tools === undefined ? {} : { tools: request.tools })
      }),
      (http) =>
        requestJson(server, http, MessageReply, `prompt (model ${request.model.providerID}/${request.model.modelID})`),
      Effect.flatMap((reply) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Option.match(errorOfReply(reply, now), { onNone: () => Effect.succeed(reply), onSome: Effect.fail })
        )
      )
    )

  const sessionCall = (method: "POST" | "DELETE", path: string, what: string) =>
  (server: OpenCodeServer, { directory, sessionId }: SessionRef) =>
    HttpClientRequest.make(method)(url(server, `/session/${encodeURIComponent(sessionId)}${path}`)).pipe(
      inDirectory(directory),
      (request) => shortTimeout(requestJson(server, request, Schema.Boolean, what), what)
    )

  const getSession: OpenCodeClientShape["getSession"] = (server, { directory, sessionId }) =>
    HttpClientRequest.get(url(server, `/session/${encodeURIComponent(sessionId)}`)).pipe(
      inDirectory(directory),
      (request) => shortTimeout(requestJson(server, request, Session, "get session"), "get session")
    )

  const refuse: OpenCodeClientShape["refuse"] = (server, directory, request) =>
    (request.kind === "permission"
      ? HttpClientRequest.post(url(server, `/permission/${encodeURIComponent(request.id)}/reply`)).pipe(
        HttpClientRequest.bodyUnsafeJson({ reply: "reject", message: REFUSAL })
      )
      // `/reject` would end the turn with no answer at all: the model is told instead, and carries on
      : HttpClientRequest.post(url(server, `/question/${encodeURIComponent(request.id)}/reply`)).pipe(
        HttpClientRequest.bodyUnsafeJson({ answers: request.questions.map(() => [NO_ANSWER]) })
      )).pipe(
        inDirectory(directory),
        (http) => shortTimeout(requestJson(server, http, Schema.Boolean, `refuse ${request.kind} request`), `refuse ${request.kind} request`)
      )

  /** `GET /session/{id}/message`: every message of the session; a turn's tool steps are earlier messages than the reply */
  const toolPartsOf = (server: OpenCodeServer, { directory, sessionId }: SessionRef) =>
    HttpClientRequest.get(url(server, `/session/${encodeURIComponent(sessionId)}/message`)).pipe(
      inDirectory(directory),
      (http) => shortTimeout(requestJson(server, http, Schema.Array(SessionMessage), "session messages"), "session messages"),
      Effect.map((messages) => messages.flatMap((m) => m.parts))
    )

  const postNote: OpenCodeClientShape["postNote"] = (server, { directory, sessionId, text }) =>
    HttpClientRequest.post(url(server, `/session/${encodeURIComponent(sessionId)}/message`)).pipe(
      inDirectory(directory),
      HttpClientRequest.bodyUnsafeJson({ parts: [{ type: "text", text }], noReply: true }),
      (http) => shortTimeout(requestJson(server, http, Schema.Unknown, "post note"), "post note"),
      Effect.asVoid
    )

  const messages: OpenCodeClientShape["messages"] = (server, { directory, sessionId }) =>
    HttpClientRequest.get(url(server, `/session/${encodeURIComponent(sessionId)}/message`)).pipe(
      inDirectory(directory),
      (http) => shortTimeout(requestJson(server, http, Schema.Array(RecordedMessage), "session messages"), "session messages")
    )

  const todos: OpenCodeClientShape["todos"] = (server, { directory, sessionId }) =>
    HttpClientRequest.get(url(server, `/session/${encodeURIComponent(sessionId)}/todo`)).pipe(
      inDirectory(directory),
      (http) => shortTimeout(requestJson(server, http, Schema.Array(SessionTodo), "session todos"), "session todos")
    )

  const diff: OpenCodeClientShape["diff"] = (server, { directory, sessionId }) =>
    HttpClientRequest.get(url(server, `/session/${encodeURIComponent(sessionId)}/diff`)).pipe(
      inDirectory(directory),
      (http) => shortTimeout(requestJson(server, http, Schema.Array(FileDiff), "session diff"), "session diff"),
      Effect.map((files) => files.map((f): ChangedFile => ({ path: f.path, status: f.status ?? "changed" })))
    )

  const abort = sessionCall("POST", "/abort", "abort session")
  const deleteSession = sessionCall("DELETE", "", "delete session")

  const sessionStatus: OpenCodeClientShape["sessionStatus"] = (server, directory) =>
    HttpClientRequest.get(url(server, "/session/status")).pipe(
      inDirectory(directory),
      (request) => shortTimeout(requestJson(server, request, SessionStatusMap, "session status"), "session status")
    )

  const decodeEvent = decodeLenient(OpenCodeEvent)

  /** the raw `data` of every event of one directory */
  const eventData = (server: OpenCodeServer, directory: string): Stream.Stream<string, RequestError> =>
    Stream.unwrap(
      send(server, HttpClientRequest.get(url(server, "/event")).pipe(inDirectory(directory))).pipe(
        Effect.flatMap((response) =>
          response.status === 200
            ? Effect.succeed(sseData(response.stream).pipe(Stream.mapError(transportError(server))))
            : response.text.pipe(Effect.mapError(transportError(server)), Effect.flatMap((body) => badStatus(response, body, "events")))
        )
      )
    )

  const events: OpenCodeClientShape["events"] = (server, directory) =>
    eventData(server, directory).pipe(
      // an event omcm cannot read is skipped, never fatal
      Stream.mapEffect((data) => Effect.option(Effect.try(() => JSON.parse(data) as unknown).pipe(Effect.flatMap(decodeEvent)))),
      Stream.filterMap((event) => event)
    )

  const watchDirectory = (server: OpenCodeServer, directory: string) =>
    makeDirectoryWatch({
      directory,
      port: portOf(server.baseUrl),
      subscribe: eventData(server, directory),
      statuses: sessionStatus(server, directory)
    })

  const sessionWatcher: OpenCodeClientShape["sessionWatcher"] = (server) =>
    makeSessionWatcher((directory) => watchDirectory(server, directory))

  /**
   * The prompt, raced against the first retry OpenCode announces for the session and against the session stalling.
   * A subscription that is not live yet (one of the call's own) gets a moment (`ready`: up to 2 s) before the prompt
   * goes out; a shared one is live. What the session asks of a human is refused at once: nobody is there to answer.
   */
  const promptWatched = (server: OpenCodeServer, request: RunRequest, sessionId: string, watch: DirectoryWatch) =>
    Effect.scoped(Effect.gen(function*() {
      const session = yield* watch.follow(sessionId)
      yield* watch.ready
      const refused = yield* Ref.make<ReadonlyArray<string>>([])
      yield* Queue.take(session.humanRequests).pipe(
        Effect.flatMap((asked) =>
          refuse(server, request.directory, asked).pipe(
            Effect.ignore,
            Effect.zipRight(Ref.update(refused, (list) => [...list, describeRequest(asked)]))
          )),
        Effect.forever,
        Effect.forkScoped
      )
      const failFast = session.retry.pipe(
        Effect.flatMap((retry) =>
          Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.fail(providerErrorOfRetry(retry, request.model, now)))
        )
      )
      const ask = prompt(server, {
        sessionId,
        directory: request.directory,
        text: request.text,
        model: request.model,
        agent: request.agent,
        system: request.policy?.system,
        tools: request.policy?.tools
      })
      // the first to end wins, failure or not; a failure says whether the model had started its work
      const reply = yield* Effect.raceFirst(ask, Effect.raceFirst(failFast, stalled(session, request))).pipe(
        Effect.catchAll((error) =>
          Effect.flatMap(session.producedOutput, (started) =>
            Effect.fail(
              !started ? error
              : error._tag === "OpenCodeProviderError" ? new OpenCodeProviderError({ ...error, afterOutput: true })
              : error._tag === "OpenCodeStalled" ? new OpenCodeStalled({ ...error, afterOutput: true })
              : error
            )))
      )
      return { reply, refused: yield* Ref.get(refused) }
    }))

  /** fails once the session shows no progress: see `idleTimeoutMs` and `firstOutputTimeoutMs` */
  const stalled = (session: WatchedSession, request: RunRequest): Effect.Effect<never, OpenCodeStalled> => {
    const idleMs = request.idleTimeoutMs
    const firstMs = request.firstOutputTimeoutMs
    if (idleMs === undefined && firstMs === undefined) return Effect.never
    const every = Duration.millis(Math.max(50, Math.min(idleMs ?? Infinity, firstMs ?? Infinity) / 10))
    const stall = (reason: "idle" | "first-output", afterMs: number) =>
      new OpenCodeStalled({
        reason,
        afterMs,
        providerID: request.model.providerID,
        modelID: request.model.modelID,
        message: reason === "idle"
          ? `${request.model.providerID}/${request.model.modelID}: the session showed no progress for ${afterMs} ms`
          : `${request.model.providerID}/${request.model.modelID} produced no output within ${afterMs} ms`
      })
    return Effect.gen(function*() {
      const started = yield* Clock.currentTimeMillis
      for (;;) {
        yield* Effect.sleep(every)
        const now = yield* Clock.currentTimeMillis
        if (firstMs !== undefined && now - started >= firstMs && !(yield* session.producedOutput)) {
          return yield* stall("first-output", firstMs)
        }
        if (idleMs !== undefined && now - (yield* session.lastEventAt) >= idleMs) return yield* stall("idle", idleMs)
      }
    })
  }

  const cleanup = (server: OpenCodeServer, session: SessionRef, succeeded: boolean) =>
    (succeeded ? Effect.void : Effect.ignore(abort(server, session))).pipe(
      Effect.zipRight(Effect.ignore(deleteSession(server, session))),
      Effect.timeout(CLEANUP_TIMEOUT),
      Effect.ignore
    )

  const run: OpenCodeClientShape["run"] = (server, request, options) =>
    Effect.gen(function*() {
      const started = yield* Clock.currentTimeMillis
      const { changedFiles, refused, reply, sessionId } = yield* Effect.uninterruptibleMask((restore) =>
        Effect.gen(function*() {
          // leased first: a subscription of the call's own connects while the session is created
          const watch = yield* (options?.watcher === undefined
            ? watchDirectory(server, request.directory)
            : options.watcher.directory(request.directory))
          const session = yield* restore(
            createSession(server, { directory: request.directory, title: request.title, permission: request.policy?.permission })
          )
          const ref = { sessionId: session.id, directory: request.directory }
          const { changedFiles, refused, reply } = yield* restore(
            promptWatched(server, request, session.id, watch).pipe(
              Effect.flatMap(({ refused, reply }) =>
                Effect.all({
                  snapshot: Effect.orElseSucceed(diff(server, ref), () => []),
                  parts: Effect.orElseSucceed(toolPartsOf(server, ref), () => reply.parts)
                }, { concurrency: 2 }).pipe(
                  Effect.map(({ parts, snapshot }) => ({
                    reply,
                    refused,
                    changedFiles: mergeChangedFiles(snapshot, filesOfToolParts(request.directory, parts))
                  }))
                ))
            )
          ).pipe(Effect.onExit((exit) => cleanup(server, ref, Exit.isSuccess(exit))))
          return { reply, refused, changedFiles, sessionId: session.id }
        })
      ).pipe(
        Effect.scoped,
        Effect.timeoutFail({
          duration: Duration.millis(request.timeoutMs),
          onTimeout: () =>
            new OpenCodeTimeout({
              timeoutMs: request.timeoutMs,
              message: `${request.model.providerID}/${request.model.modelID} gave no answer within ${request.timeoutMs} ms`
            })
        })
      )
      const finished = yield* Clock.currentTimeMillis
      return {
        text: replyText(reply),
        tokens: tokenUsageOf(reply.info.tokens),
        cost: reply.info.cost,
        providerID: reply.info.providerID,
        modelID: reply.info.modelID,
        sessionId,
        durationMs: finished - started,
        refused,
        changedFiles
      }
    })

  return {
    health,
    bootInstance,
    providers,
    providerList,
    createSession,
    refuse,
    diff,
    prompt,
    postNote,
    messages,
    todos,
    getSession,
    abort,
    deleteSession,
    sessionStatus,
    events,
    sessionWatcher,
    run
  }
}
