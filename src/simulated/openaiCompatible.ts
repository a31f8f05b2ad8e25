/**
 * A SIMULATED OpenAI-compatible model server: it answers chat completions with made-up text and made-up token
 * counts, and calls no real model. `omcm demo` runs it in-process, and the test suite uses it as its fake LLM.
 *
 * Per-request markers in the last user message: `SLEEP=<ms>`, `FAULT=401|429|500|hang|malformed`.
 *
 * A `script` makes it answer with tool calls too, the way OpenAI's chat completions do (streamed `delta.tool_calls`,
 * `finish_reason: "tool_calls"`), so a real OpenCode runs real tools against it. What OpenCode 1.18.33 offers and
 * sends back is in docs/opencode-tool-calls.md.
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
  /**
   * The answer to each chat request, as text or tool calls, from the conversation so far (see `scriptedTurns`).
   * Wins over `reply`. Title requests never reach it: they always get a short text.
   */
  readonly script?: ChatScript | undefined
  /** reported as `prompt_tokens_details.cached_tokens` (capped at the prompt size) */
  readonly cachedTokens?: number
  /** reported as `completion_tokens_details.reasoning_tokens`, on top of the reply's words */
  readonly reasoningTokens?: number
  /** a fault for every request (markers in a message still apply when this is unset) */
  readonly fault?: SimulatedFault | undefined
  /** a fault chosen per request, e.g. by `model` (one provider failing while another answers); wins over `fault` */
  readonly faultFor?: ((request: ChatRequest) => SimulatedFault | undefined) | undefined
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
  /** the conversation so far, as sent (system, user, assistant with `tool_calls`, `tool` results) */
  readonly messages: ReadonlyArray<ChatMessage>
  /** the names of the tools the request offers (`toolsOffered`) */
  readonly tools: ReadonlyArray<string>
  readonly body: ChatBody
}

export interface ChatBody {
  readonly model?: unknown
  readonly messages?: unknown
  readonly tools?: unknown
  readonly stream?: unknown
}

/** One message of a chat completions request, loosely typed: whatever the client sent. */
export interface ChatMessage {
  readonly role?: unknown
  readonly content?: unknown
  /** on assistant messages: `[{id, type: "function", function: {name, arguments}}]` */
  readonly tool_calls?: unknown
  /** on `tool` messages: the id of the call this is the result of */
  readonly tool_call_id?: unknown
}

/** A tool call the simulated model makes. */
export interface ScriptedToolCall {
  /** the tool's name, as offered in the request's `tools` */
  readonly tool: string
  /** the arguments: an object is sent as its JSON, a string as it is (so malformed arguments can be scripted) */
  readonly args: Readonly<Record<string, unknown>> | string
  /** the call id; default `call_<random>` */
  readonly id?: string
}

/**
 * One answer of the simulated model: text, one tool call, or several (with optional text before them).
 * A bare string is text.
 */
export type ScriptedReply =
  | string
  | { readonly text: string }
  | ScriptedToolCall
  | { readonly calls: ReadonlyArray<ScriptedToolCall>; readonly text?: string }

/** The simulated model's answer to one (non-title) chat request. */
export type ChatScript = (request: ChatRequest) => ScriptedReply

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

const contentText = (content: unknown): string => {
  if (typeof content === "string") return content
  if (Array.isArray(content)) {
    return content.map((part) => (isRecord(part) && typeof part.text === "string" ? part.text : "")).join("")
  }
  return ""
}

const messagesOf = (body: unknown): ReadonlyArray<ChatMessage> => {
  const messages = isRecord(body) ? body.messages : undefined
  return Array.isArray(messages) ? messages.filter(isRecord) : []
}

const chatRequestOf = (body: ChatBody): ChatRequest => {
  const messages = messagesOf(body)
  const lastUser = [...messages].reverse().find((m) => m.role === "user")
  const system = messages.find((m) => m.role === "system")
  return {
    model: typeof body.model === "string" ? body.model : "unknown",
    lastUserText: lastUser === undefined ? "" : contentText(lastUser.content),
    // OpenCode names untitled sessions with an extra LLM call whose system prompt starts like this
    isTitleRequest: system !== undefined && /title generator/i.test(contentText(system.content)),
    messages,
    tools: toolsOffered({ body }),
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

/** A reply, normalised: text first, then the tool calls (OpenAI streams content before tool calls). */
interface Answer {
  readonly text: string
  readonly calls: ReadonlyArray<{ readonly id: string; readonly name: string; readonly arguments: string }>
}

const callId = () => `call_${Math.random().toString(36).slice(2, 14)}`

const answerOf = (reply: ScriptedReply): Answer => {
  if (typeof reply === "string") return { text: reply, calls: [] }
  const call = (c: ScriptedToolCall) => ({
    id: c.id ?? callId(),
    name: c.tool,
    arguments: typeof c.args === "string" ? c.args : JSON.stringify(c.args)
  })
  if ("calls" in reply) return { text: reply.text ?? "", calls: reply.calls.map(call) }
  if ("tool" in reply) return { text: "", calls: [call(reply)] }
  return { text: reply.text, calls: [] }
}

const answerFor = (request: ChatRequest, options: SimulatedModelOptions): Answer =>
  request.isTitleRequest
    ? { text: "Simulated title", calls: [] }
    : options.script !== undefined
    ? answerOf(options.script(request))
    : answerOf(typeof options.reply === "function" ? options.reply(request) : (options.reply ?? defaultReply(request)))

/** Tool-call arguments are streamed in pieces of this many characters, as real models do. */
const ARGUMENT_CHUNK = 24

const answerChat = async (res: http.ServerResponse, body: ChatBody, options: SimulatedModelOptions) => {
  const request = chatRequestOf(body)
  const streaming = body.stream === true
  // title requests carry the user's text (and its markers) but must never fail: they are not the work
  const fault = request.isTitleRequest ? undefined : (options.faultFor?.(request) ?? options.fault ?? markerFault(request.lastUserText))
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

  let answer: Answer
  try {
    answer = answerFor(request, options)
  } catch (error) {
    // a script that throws is a bug of the test: say so where the client will show it
    return sendJson(res, 500, openAiError(`simulated script failed: ${String(error)}`, "server_error"))
  }
  const { calls, text } = answer
  const finishReason = calls.length > 0 ? "tool_calls" : "stop"
  const usage = usageOf(body, answer, options)
  const id = `chatcmpl-sim-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`
  const created = Math.floor(Date.now() / 1000)

  if (!streaming) {
    if (fault === "malformed") {
      res.writeHead(200, { "content-type": "application/json" })
      return void res.end(`{"id":"${id}","object":"chat.completion","choices":[{"message":`)
    }
    if (fault === "hang") return void res.writeHead(200, { "content-type": "application/json" }).flushHeaders()
    const message = calls.length === 0
      ? { role: "assistant", content: text }
      : {
        role: "assistant",
        content: text === "" ? null : text,
        tool_calls: calls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: c.arguments } }))
      }
    return sendJson(res, 200, {
      id,
      object: "chat.completion",
      created,
      model: request.model,
      choices: [{ index: 0, message, finish_reason: finishReason }],
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
  const pause = () => wait(options.chunkDelayMs ?? 0, res)

  send(chunk({ role: "assistant", content: "" }, null))
  if (fault === "hang") return
  if (fault === "malformed") {
    send(`{"id":"${id}","object":"chat.completion.chunk","choices":[{"delta":{"content":`)
    return void res.end("data: [DONE\n\n")
  }
  for (const word of wordsOf(text)) {
    if (!(await pause())) return
    send(chunk({ content: word }, null))
  }
  // OpenAI's shape: the first delta of a call has its index, id, type and name with empty arguments, the next ones
  // only the index and a piece of the arguments (the client concatenates them)
  for (const [index, call] of calls.entries()) {
    if (!(await pause())) return
    send(chunk({ tool_calls: [{ index, id: call.id, type: "function", function: { name: call.name, arguments: "" } }] }, null))
    for (let at = 0; at < call.arguments.length; at += ARGUMENT_CHUNK) {
      if (!(await pause())) return
      send(chunk({ tool_calls: [{ index, function: { arguments: call.arguments.slice(at, at + ARGUMENT_CHUNK) } }] }, null))
    }
  }
  send(chunk({}, finishReason))
  send({ id, object: "chat.completion.chunk", created, model: request.model, choices: [], usage })
  send("[DONE]")
  res.end()
}

const usageOf = (body: ChatBody, answer: Answer, options: SimulatedModelOptions) => {
  const promptTokens = Math.ceil(((JSON.stringify(body.messages ?? []) ?? "") + (JSON.stringify(body.tools ?? []) ?? "")).length / 4)
  const reasoning = options.reasoningTokens ?? 0
  // a word of text is a token; a tool call costs its name plus its arguments at 4 characters a token
  const callTokens = answer.calls.reduce((sum, c) => sum + 1 + Math.ceil(c.arguments.length / 4), 0)
  const completionTokens = wordsOf(answer.text).length + callTokens + reasoning
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: Math.min(options.cachedTokens ?? 0, promptTokens) },
    completion_tokens_details: { reasoning_tokens: reasoning }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers for scripts and tests. Each takes anything with the request's JSON `body`: a `ChatRequest` (inside a
// script) or a logged `SimulatedRequest` (in `requests`).

/** Something that carries a chat request's JSON body. */
export interface HasChatBody {
  readonly body: unknown
}

/** The names of the tools the request offers (`tools[].function.name`), in the request's order. */
export const toolsOffered = (request: HasChatBody): ReadonlyArray<string> => {
  const tools = isRecord(request.body) ? request.body.tools : undefined
  if (!Array.isArray(tools)) return []
  return tools.flatMap((t) => (isRecord(t) && isRecord(t.function) && typeof t.function.name === "string" ? [t.function.name] : []))
}

/** A tool call found in the conversation (an assistant message's `tool_calls`). */
export interface ToolCallMade {
  readonly id: string
  readonly name: string
  /** the arguments as sent (a JSON string, normally) */
  readonly arguments: string
}

/** Every tool call the assistant made so far in the conversation, oldest first. */
export const toolCallsMade = (request: HasChatBody): ReadonlyArray<ToolCallMade> =>
  messagesOf(request.body).flatMap((m) =>
    m.role === "assistant" && Array.isArray(m.tool_calls)
      ? m.tool_calls.flatMap((c) =>
        isRecord(c) && typeof c.id === "string" && isRecord(c.function) && typeof c.function.name === "string"
          ? [{ id: c.id, name: c.function.name, arguments: typeof c.function.arguments === "string" ? c.function.arguments : "" }]
          : []
      )
      : []
  )

/** What one tool answered: a `tool` message of the conversation, with the name of the call it answers. */
export interface ToolResult {
  readonly callId: string
  /** the tool's name, from the assistant message that made the call (undefined when no such call is in the request) */
  readonly name: string | undefined
  /** the call's arguments, likewise */
  readonly arguments: string | undefined
  /** the result's text */
  readonly content: string
}

/** Every tool result in the conversation, oldest first. */
export const toolResults = (request: HasChatBody): ReadonlyArray<ToolResult> => {
  const calls = new Map(toolCallsMade(request).map((c) => [c.id, c]))
  return messagesOf(request.body).flatMap((m) => {
    if (m.role !== "tool") return []
    const callId = typeof m.tool_call_id === "string" ? m.tool_call_id : ""
    const call = calls.get(callId)
    return [{ callId, name: call?.name, arguments: call?.arguments, content: contentText(m.content) }]
  })
}

/** The number of assistant messages with tool calls in the conversation: the tool rounds done so far. */
export const toolRounds = (request: HasChatBody): number =>
  messagesOf(request.body).filter((m) => m.role === "assistant" && Array.isArray(m.tool_calls) && m.tool_calls.length > 0)
    .length

/** One step of `scriptedTurns`: a reply, or a function of the request that gives one (to read tool results, say). */
export type ScriptStep = ScriptedReply | ((request: ChatRequest) => ScriptedReply)

/**
 * A script that plays `steps` in order, one per LLM request: step N answers the request whose conversation holds N
 * tool rounds (assistant messages with tool calls), so it advances once each time OpenCode comes back with the
 * results of a step's calls, and a retried request gets the same step again. Past the last step it answers with the
 * last step if that is text, else with `finalText`. A request that offers no tools (OpenCode's title and summary
 * calls; the server answers title requests itself anyway) gets `finalText` and does not advance the script.
 */
export const scriptedTurns = (steps: ReadonlyArray<ScriptStep>, finalText = "Scripted turns done."): ChatScript =>
(request) => {
  if (request.tools.length === 0) return finalText
  const step = steps[toolRounds(request)]
  if (step !== undefined) return typeof step === "function" ? step(request) : step
  const last = steps.at(-1)
  const lastReply = typeof last === "function" ? last(request) : last
  return lastReply !== undefined && answerOf(lastReply).calls.length === 0 ? lastReply : finalText
}

// ---------------------------------------------------------------------------------------------------------------
// Tool calls OpenCode 1.18.33 accepts (argument shapes from the `tools` it sends; docs/opencode-tool-calls.md).
// Extra keys are ignored; a missing required key comes back as the tool's result "The <tool> tool was called with
// invalid arguments: SchemaError(Missing key ...)", and a tool the request does not offer as a call of the tool
// `invalid` ("Model tried to call unavailable tool 'write'. Available tools: ...").

/**
 * `bash {command, workdir?}` (also `timeout` in ms). It runs in the session's directory. A `workdir` outside it, or a
 * path outside it among the command's arguments (`touch /x/y`, `cat /x/y`), asks for `external_directory`; a
 * redirection (`echo hi > /x/y`) is not checked and runs.
 */
export const bashCall = (command: string, options: { readonly workdir?: string; readonly id?: string } = {}): ScriptedToolCall => ({
  tool: "bash",
  args: { command, ...(options.workdir === undefined ? {} : { workdir: options.workdir }) },
  ...(options.id === undefined ? {} : { id: options.id })
})

/**
 * `question {questions: [{question, header, options: [{label, description}], multiple?}]}`: OpenCode publishes
 * `question.asked` and the turn waits for `POST /question/{id}/reply` (`{answers: [["label"]]}`), whose answer comes
 * back as the result ("User has answered your questions: "Q"="label". ..."), or `/reject`, which ends the turn.
 */
export const questionCall = (question: string, labels: ReadonlyArray<string>, header = "Question"): ScriptedToolCall => ({
  tool: "question",
  args: { questions: [{ question, header, options: labels.map((label) => ({ label, description: label })) }] }
})

/**
 * A call that writes `content` to `filePath` with the tool the request offers. OpenCode picks the edit tools from the
 * model id, whatever the provider or SDK: ids starting `gpt-` (but not `gpt-4`, `gpt-oss`) get `apply_patch
 * {patchText}`, every other id `write {filePath, content}` and `edit {filePath, oldString, newString, replaceAll?}`.
 * Both take a path relative to the session's directory or absolute; a path outside the directory asks for
 * `external_directory`. `apply_patch`'s `*** Add File:` creates a file and ends it with a newline.
 */
export const writeFileCall = (request: HasChatBody, filePath: string, content: string): ScriptedToolCall => {
  if (!toolsOffered(request).includes("apply_patch")) return { tool: "write", args: { filePath, content } }
  const lines = content.replace(/\n$/, "").split("\n").map((line) => `+${line}`)
  return { tool: "apply_patch", args: { patchText: ["*** Begin Patch", `*** Add File: ${filePath}`, ...lines, "*** End Patch"].join("\n") } }
}

/** `writeFileCall` as a step of `scriptedTurns`. */
export const writeFile = (filePath: string, content: string): ScriptStep => (request) => writeFileCall(request, filePath, content)
