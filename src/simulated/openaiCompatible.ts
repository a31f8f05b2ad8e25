/**
 * A SIMULATED OpenAI-compatible model server: it answers chat completions with made-up text and made-up token
 * counts, and calls no real model. `omcm demo` runs it in-process, and the test suite uses it as its fake LLM.
 *
 * Per-request markers in the last user message: `SLEEP=<ms>`, `FAULT=401|429|500|hang|malformed`.
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as http from "node:http"
import type { AddressInfo } from "node:net"

export type SimulatedFault = "401" | "429" | "500" | "hang" | "malformed"

/** One request the simulated server received. `body` is the parsed JSON, or null when it was not JSON. */
export interface SimulatedRequest {
  readonly method: string
  readonly url: string
  readonly headers: http.IncomingHttpHeaders
  readonly body: unknown
  readonly time: number
}

export interface SimulatedModelOptions {
  /** delay before any byte of the response */
  readonly latencyMs?: number
  /** delay between two streamed chunks */
  readonly chunkDelayMs?: number
  /** fixed reply, or one computed from the request */
  readonly reply?: string | ((request: ChatRequest) => string)
  /** reported as `prompt_tokens_details.cached_tokens` (capped at the prompt size) */
  readonly cachedTokens?: number
  /** reported as `completion_tokens_details.reasoning_tokens`, on top of the reply's words */
  readonly reasoningTokens?: number
  /** a fault for every request (markers in a message still apply when this is unset) */
  readonly fault?: SimulatedFault | undefined
  /** the `Retry-After` header of a 429, in seconds */
  readonly retryAfterSeconds?: number
  /** what `GET /v1/models` lists */
  readonly models?: ReadonlyArray<string>
  /** how many requests `requests` keeps, oldest dropped first (default 1000; OpenCode's bodies are ~32 KB) */
  readonly logLimit?: number
}

/** What a chat completion request carries that the reply may depend on. */
export interface ChatRequest {
  readonly model: string
  readonly lastUserText: string
  readonly isTitleRequest: boolean
  readonly body: ChatBody
}

interface ChatBody {
  readonly model?: unknown
  readonly messages?: unknown
  readonly tools?: unknown
  readonly stream?: unknown
}

export interface SimulatedModelHandle {
  readonly port: number
  /** `http://127.0.0.1:PORT/v1`, what an OpenAI-compatible client takes as its base URL */
  readonly baseUrl: string
  /** the requests received so far, oldest first (a live array, up to `logLimit`) */
  readonly requests: ReadonlyArray<SimulatedRequest>
  /** change options for the requests that arrive from now on */
  readonly setOptions: (options: Partial<SimulatedModelOptions>) => void
}

export interface StartedSimulatedModel extends SimulatedModelHandle {
  /** stop listening and drop every open connection (hanging streams included) */
  readonly close: () => Promise<void>
}

export class SimulatedModelStartError extends Data.TaggedError("SimulatedModelStartError")<{
  readonly message: string
}> {}

/** Start the simulated server on 127.0.0.1 (port 0 = a free one), for scripts outside Effect. */
export const startSimulatedModel = (options: SimulatedModelOptions = {}, port = 0): Promise<StartedSimulatedModel> =>
  new Promise((resolve, reject) => {
    let current: SimulatedModelOptions = { ...options }
    const requests: Array<SimulatedRequest> = []
    const server = http.createServer((req, res) => {
      const chunks: Array<Buffer> = []
      req.on("data", (chunk: Buffer) => chunks.push(chunk))
      req.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8")
        const body = parseJsonOrNull(text)
        requests.push({ method: req.method ?? "GET", url: req.url ?? "/", headers: req.headers, body, time: Date.now() })
        const excess = requests.length - (current.logLimit ?? 1000)
        if (excess > 0) requests.splice(0, excess)
        handle(req, res, body, current)
      })
    })
    server.on("error", reject)
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject)
      const actualPort = (server.address() as AddressInfo).port
      resolve({
        port: actualPort,
        baseUrl: `http://127.0.0.1:${actualPort}/v1`,
        requests,
        setOptions: (partial) => {
          current = { ...current, ...partial }
        },
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done())
            server.closeAllConnections()
          })
      })
    })
  })

/** The simulated server as an Effect service: started on acquire, closed with all its sockets on release. */
export class SimulatedModel extends Context.Tag("omcm/SimulatedModel")<SimulatedModel, SimulatedModelHandle>() {
  static readonly make = (
    options: SimulatedModelOptions = {}
  ): Effect.Effect<SimulatedModelHandle, SimulatedModelStartError, Scope.Scope> =>
    Effect.acquireRelease(
      Effect.tryPromise({
        try: () => startSimulatedModel(options),
        catch: (error) => new SimulatedModelStartError({ message: `simulated model server: ${String(error)}` })
      }),
      (started) => Effect.promise(() => started.close())
    ).pipe(Effect.map(({ close: _close, ...handle }): SimulatedModelHandle => handle))

  static readonly layer = (options: SimulatedModelOptions = {}) => Layer.scoped(SimulatedModel, SimulatedModel.make(options))
}

const parseJsonOrNull = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return null
  }
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

const sendJson = (res: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}) => {
  res.writeHead(status, { "content-type": "application/json", ...headers })
  res.end(JSON.stringify(body))
}

const handle = (req: http.IncomingMessage, res: http.ServerResponse, body: unknown, options: SimulatedModelOptions) => {
  const path = (req.url ?? "/").split("?")[0]!.replace(/\/+$/, "")
  if (req.method === "GET" && path === "/health") return sendJson(res, 200, { ok: true, simulated: true })
  if (req.method === "GET" && (path === "/v1/models" || path === "/models")) {
    const data = (options.models ?? ["simulated-model"]).map((id) => ({ id, object: "model", created: 0, owned_by: "simulated" }))
    return sendJson(res, 200, { object: "list", data })
  }
  if (req.method === "POST" && (path === "/v1/chat/completions" || path === "/chat/completions")) {
    if (!isRecord(body)) return sendJson(res, 400, openAiError("request body is not a JSON object", "invalid_request_error"))
    return void answerChat(res, body, options)
  }
  sendJson(res, 404, openAiError(`no route ${req.method} ${path}`, "invalid_request_error"))
}

const openAiError = (message: string, type: string, code: string | null = null) => ({
  error: { message, type, param: null, code }
})

interface Message {
  readonly role?: unknown
  readonly content?: unknown
}

const contentText = (content: unknown): string => {
  if (typeof content === "string") return content
  if (Array.isArray(content)) {
    return content.map((part) => (isRecord(part) && typeof part.text === "string" ? part.text : "")).join("")
  }
  return ""
}

const chatRequestOf = (body: ChatBody): ChatRequest => {
  const messages: ReadonlyArray<Message> = Array.isArray(body.messages) ? body.messages.filter(isRecord) : []
  const lastUser = [...messages].reverse().find((m) => m.role === "user")
  const system = messages.find((m) => m.role === "system")
  return {
    model: typeof body.model === "string" ? body.model : "unknown",
    lastUserText: lastUser === undefined ? "" : contentText(lastUser.content),
    // OpenCode names untitled sessions with an extra LLM call whose system prompt starts like this
    isTitleRequest: system !== undefined && /title generator/i.test(contentText(system.content)),
    body
  }
}

const markerFault = (text: string): SimulatedFault | undefined => {
  const match = /FAULT=(401|429|500|hang|malformed)/.exec(text)
  return match === null ? undefined : (match[1] as SimulatedFault)
}

const markerSleep = (text: string): number => {
  const match = /SLEEP=(\d+)/.exec(text)
  return match === null ? 0 : Number(match[1])
}

const defaultReply = (request: ChatRequest): string =>
  `Simulated reply (${request.model}): ${request.lastUserText.slice(0, 200)}`

const wordsOf = (text: string): Array<string> => text.match(/\s*\S+/g) ?? []

/** Resolves after `ms`, or early (with false) when the client went away. */
const wait = (ms: number, res: http.ServerResponse): Promise<boolean> =>
  new Promise((resolve) => {
    if (res.destroyed) return resolve(false)
    if (ms <= 0) return resolve(true)
    const onClose = () => {
      clearTimeout(timer)
      resolve(false)
    }
    const timer = setTimeout(() => {
      res.off("close", onClose)
      resolve(true)
    }, ms)
    res.once("close", onClose)
  })

const answerChat = async (res: http.ServerResponse, body: ChatBody, options: SimulatedModelOptions) => {
  const request = chatRequestOf(body)
  const streaming = body.stream === true
  // title requests carry the user's text (and its markers) but must never fail: they are not the work
  const fault = request.isTitleRequest ? undefined : (options.fault ?? markerFault(request.lastUserText))
  const delay = (options.latencyMs ?? 0) + (request.isTitleRequest ? 0 : markerSleep(request.lastUserText))
  if (!(await wait(delay, res))) return

  if (fault === "429") {
    const seconds = options.retryAfterSeconds ?? 1
    return sendJson(res, 429, openAiError("Rate limit reached (simulated)", "rate_limit_error", "rate_limit_exceeded"), {
      "retry-after": String(seconds)
    })
  }
  if (fault === "401") return sendJson(res, 401, openAiError("Incorrect API key provided (simulated)", "invalid_request_error", "invalid_api_key"))
  if (fault === "500") return sendJson(res, 500, openAiError("Internal server error (simulated)", "server_error"))

  const text = request.isTitleRequest
    ? "Simulated title"
    : typeof options.reply === "function"
    ? options.reply(request)
    : (options.reply ?? defaultReply(request))
  const usage = usageOf(body, text, options)
  const id = `chatcmpl-sim-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`
  const created = Math.floor(Date.now() / 1000)

  if (!streaming) {
    if (fault === "malformed") {
      res.writeHead(200, { "content-type": "application/json" })
      return void res.end(`{"id":"${id}","object":"chat.completion","choices":[{"message":`)
    }
    if (fault === "hang") return void res.writeHead(200, { "content-type": "application/json" }).flushHeaders()
    return sendJson(res, 200, {
      id,
      object: "chat.completion",
      created,
      model: request.model,
      choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
      usage
    })
  }

  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" })
  const chunk = (delta: Record<string, unknown>, finish: string | null) => ({
    id,
    object: "chat.completion.chunk",
    created,
    model: request.model,
    choices: [{ index: 0, delta, finish_reason: finish }]
  })
  const send = (data: unknown) => res.write(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`)

  send(chunk({ role: "assistant", content: "" }, null))
  if (fault === "hang") return
  if (fault === "malformed") {
    send(`{"id":"${id}","object":"chat.completion.chunk","choices":[{"delta":{"content":`)
    return void res.end("data: [DONE\n\n")
  }
  for (const word of wordsOf(text)) {
    if (!(await wait(options.chunkDelayMs ?? 0, res))) return
    send(chunk({ content: word }, null))
  }
  send(chunk({}, "stop"))
  send({ id, object: "chat.completion.chunk", created, model: request.model, choices: [], usage })
  send("[DONE]")
  res.end()
}

const usageOf = (body: ChatBody, text: string, options: SimulatedModelOptions) => {
  const promptTokens = Math.ceil(((JSON.stringify(body.messages ?? []) ?? "") + (JSON.stringify(body.tools ?? []) ?? "")).length / 4)
  const reasoning = options.reasoningTokens ?? 0
  const completionTokens = wordsOf(text).length + reasoning
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: Math.min(options.cachedTokens ?? 0, promptTokens) },
    completion_tokens_details: { reasoning_tokens: reasoning }
  }
}
