import { Effect, Schema } from "effect"
import * as fs from "node:fs"
import * as http from "node:http"
import type { AddressInfo } from "node:net"

/**
 * A fake Anthropic Messages API on 127.0.0.1 for running the real `claude` CLI offline.
 * Stateless: every reply is decided from the request alone, so Claude Code's retries and sub-agents need no bookkeeping.
 */

export interface SubagentToolInput {
  readonly description: string
  readonly prompt: string
  readonly subagent_type?: string
  readonly run_in_background?: boolean
  readonly model?: string
}

/** one assistant message of the main conversation: optional text, then calls of any tools (TodoWrite, Read, Edit ...) */
export interface ScriptedToolTurn {
  readonly text?: string
  readonly uses: ReadonlyArray<{ readonly name: string; readonly input: Readonly<Record<string, unknown>> }>
}

export interface MainScript {
  /** instead of `toolUses`: these messages in order, one per request, then `finalText` (default FINAL-ANSWER) */
  readonly turns?: ReadonlyArray<ScriptedToolTurn>
  readonly finalText?: string
  /** a conversation whose user text contains this is the scripted main one (default `PROBE-MAIN`) */
  readonly marker?: string
  /** one `tool_use` block of the sub-agent tool per entry, all in one message (default: one general-purpose call) */
  readonly toolUses?: ReadonlyArray<Partial<SubagentToolInput>>
  /** assistant messages with our tool_use blocks before the turn is ended with FINAL-ANSWER (default 1) */
  readonly maxToolTurns?: number
}

export interface FakeUsage {
  readonly input_tokens: number
  readonly output_tokens: number
  readonly cache_read_input_tokens: number
  readonly cache_creation_input_tokens: number
}

export interface FakeAnthropicOptions {
  readonly script?: MainScript
  /** delay before each /v1/messages reply */
  readonly latencyMs?: number
  /** accept /v1/messages requests and never answer them */
  readonly hang?: boolean
  /** answer every /v1/messages with this HTTP status and an API error body (400 is not retried by claude) */
  readonly errorStatus?: number
  readonly usage?: Partial<FakeUsage>
  /** prefix of the echo every non-scripted conversation gets (default `SUBAGENT-RAN:`) */
  readonly echoPrefix?: string
  /** also append every logged request to this JSONL file */
  readonly logFile?: string
}

export type RequestKind = "main" | "subagent" | "other"

export interface LoggedRequest {
  readonly time: number
  readonly method: string
  readonly url: string
  readonly headers: http.IncomingHttpHeaders
  /** parsed JSON body, or the raw text when it is not JSON */
  readonly body: unknown
  readonly kind: RequestKind
}

export interface ToolResultSeen {
  readonly content: string
  readonly is_error: boolean
}

export interface FakeAnthropic {
  readonly baseUrl: string
  readonly port: number
  readonly requests: () => ReadonlyArray<LoggedRequest>
  readonly mainRequests: () => ReadonlyArray<LoggedRequest>
  readonly subagentRequests: () => ReadonlyArray<LoggedRequest>
  /** tool_use_id → what the model was shown, from the last main request */
  readonly toolResultsSeen: () => ReadonlyMap<string, ToolResultSeen>
  readonly close: () => Promise<void>
}

export const TOOL_USE_ID_PREFIX = "toolu_fake_"
export const FINAL_ANSWER = "FINAL-ANSWER"

const Block = Schema.Struct({
  type: Schema.String,
  text: Schema.optional(Schema.String),
  id: Schema.optional(Schema.String),
  tool_use_id: Schema.optional(Schema.String),
  content: Schema.optional(Schema.Unknown),
  is_error: Schema.optional(Schema.Boolean)
})
type Block = typeof Block.Type

const Message = Schema.Struct({ role: Schema.String, content: Schema.Union(Schema.String, Schema.Array(Block)) })
type Message = typeof Message.Type

const MessagesRequest = Schema.Struct({
  model: Schema.optional(Schema.String),
  stream: Schema.optional(Schema.Boolean),
  system: Schema.optional(Schema.Union(Schema.String, Schema.Array(Block))),
  messages: Schema.Array(Message),
  tools: Schema.optional(Schema.Array(Schema.Struct({ name: Schema.String })))
})
type MessagesRequest = typeof MessagesRequest.Type

const decodeRequest = Schema.decodeUnknownOption(MessagesRequest)

const blocksOf = (message: Message): ReadonlyArray<Block> =>
  typeof message.content === "string" ? [{ type: "text", text: message.content }] : message.content

/** text of a tool_result's content: a string or a list of text blocks */
const flattenContent = (content: unknown): string => {
  if (typeof content === "string") return content
  if (!Array.isArray(content)) return content === undefined ? "" : JSON.stringify(content)
  return content.map((part: unknown) =>
    part !== null && typeof part === "object" && "text" in part && typeof part.text === "string" ? part.text : JSON.stringify(part)
  ).join("\n")
}

const userTexts = (request: MessagesRequest): ReadonlyArray<string> =>
  request.messages.filter((m) => m.role === "user").flatMap(blocksOf).flatMap((b) => b.type === "text" && b.text !== undefined ? [b.text] : [])

const isSubagent = (headers: http.IncomingHttpHeaders, request: MessagesRequest | undefined): boolean => {
  if (headers["x-claude-code-agent-id"] !== undefined) return true
  const system = request?.system
  const first = typeof system === "string" ? system : system?.[0]?.text
  return first !== undefined && first.includes("cc_is_subagent=true")
}

/** tool_results of a request, in order, keyed by tool_use_id (a later one wins) */
const toolResultsOf = (request: MessagesRequest): Map<string, ToolResultSeen> => {
  const seen = new Map<string, ToolResultSeen>()
  for (const block of request.messages.filter((m) => m.role === "user").flatMap(blocksOf)) {
    if (block.type === "tool_result" && block.tool_use_id !== undefined) {
      seen.set(block.tool_use_id, { content: flattenContent(block.content), is_error: block.is_error === true })
    }
  }
  return seen
}

type ReplyBlock =
  | { readonly type: "text"; readonly text: string }
  | { readonly type: "tool_use"; readonly id: string; readonly name: string; readonly input: Readonly<Record<string, unknown>> }

interface Reply {
  readonly content: ReadonlyArray<ReplyBlock>
  readonly stop_reason: "end_turn" | "tool_use"
}

const defaultToolInput: SubagentToolInput = {
  description: "fake task",
  prompt: "PROBE-SUB do the thing",
  subagent_type: "general-purpose",
  run_in_background: false
}

const scriptedReply = (request: MessagesRequest, script: MainScript): Reply => {
  const ourToolTurns = request.messages.filter((m) =>
    m.role === "assistant" && blocksOf(m).some((b) => b.type === "tool_use" && b.id?.startsWith(TOOL_USE_ID_PREFIX) === true)
  ).length
  if (script.turns !== undefined) {
    const turn = script.turns[ourToolTurns]
    if (turn === undefined) return { stop_reason: "end_turn", content: [{ type: "text", text: script.finalText ?? FINAL_ANSWER }] }
    return {
      stop_reason: "tool_use",
      content: [
        ...(turn.text === undefined ? [] : [{ type: "text" as const, text: turn.text }]),
        ...turn.uses.map((use, i) => ({
          type: "tool_use" as const,
          id: `${TOOL_USE_ID_PREFIX}${ourToolTurns}_${i}_${Math.random().toString(36).slice(2, 10)}`,
          name: use.name,
          input: use.input
        }))
      ]
    }
  }
  const toolUses = script.toolUses ?? [{}]
  if (ourToolTurns < (script.maxToolTurns ?? 1) && toolUses.length > 0) {
    const names = new Set(request.tools?.map((t) => t.name) ?? [])
    const name = names.has("Agent") || !names.has("Task") ? "Agent" : "Task"
    return {
      stop_reason: "tool_use",
      content: toolUses.map((input, i) => ({
        type: "tool_use",
        id: `${TOOL_USE_ID_PREFIX}${ourToolTurns}_${i}_${Math.random().toString(36).slice(2, 10)}`,
        name,
        input: { ...defaultToolInput, ...input }
      }))
    }
  }
  // scan the whole conversation: hook context is appended after the tool_results, so the last message is not enough
  const results = [...toolResultsOf(request)].filter(([id]) => id.startsWith(TOOL_USE_ID_PREFIX))
  const lines = results.map(([id, r]) => `[${id}] is_error=${r.is_error} tool_result=${r.content}`)
  return { stop_reason: "end_turn", content: [{ type: "text", text: [FINAL_ANSWER, ...lines].join("\n") }] }
}

const echoReply = (request: MessagesRequest, prefix: string): Reply => {
  const first = request.messages.find((m) => m.role === "user")
  const text = first === undefined ? "" : blocksOf(first)
    .flatMap((b) => b.type === "text" && b.text !== undefined && !b.text.startsWith("<system-reminder>") ? [b.text] : [])
    .join("\n")
  return { stop_reason: "end_turn", content: [{ type: "text", text: `${prefix} ${text}` }] }
}

const halves = (s: string): [string, string] => [s.slice(0, Math.ceil(s.length / 2)), s.slice(Math.ceil(s.length / 2))]

const sseEvents = (message: Record<string, unknown>, reply: Reply, usage: FakeUsage): ReadonlyArray<Record<string, unknown>> => [
  { type: "message_start", message: { ...message, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } } },
  { type: "ping" },
  ...reply.content.flatMap((block, index) => {
    const [start, deltas] = block.type === "text"
      ? [{ type: "text", text: "" }, halves(block.text).map((text) => ({ type: "text_delta", text }))]
      : [{ ...block, input: {} }, halves(JSON.stringify(block.input)).map((partial_json) => ({ type: "input_json_delta", partial_json }))]
    return [
      { type: "content_block_start", index, content_block: start },
      ...deltas.map((delta) => ({ type: "content_block_delta", index, delta })),
      { type: "content_block_stop", index }
    ]
  }),
  { type: "message_delta", delta: { stop_reason: reply.stop_reason, stop_sequence: null }, usage: { output_tokens: usage.output_tokens } },
  { type: "message_stop" }
]

const sendJson = (res: http.ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" })
  res.end(JSON.stringify(body))
}

const parseBody = (raw: string): unknown => {
  try {
    return JSON.parse(raw)
  } catch {
    return raw
  }
}

/** Start the fake server; `close()` stops it and drops every open connection. */
export const startFakeAnthropic = async (options: FakeAnthropicOptions = {}): Promise<FakeAnthropic> => {
  const log: Array<LoggedRequest> = []
  const timers = new Set<NodeJS.Timeout>()
  const usage: FakeUsage = {
    input_tokens: 100,
    output_tokens: 20,
    cache_read_input_tokens: 0,
    cache_creation_input_tokens: 0,
    ...options.usage
  }
  const marker = options.script?.marker ?? "PROBE-MAIN"
  let counter = 0

  const answer = (req: http.IncomingMessage, res: http.ServerResponse, raw: string) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1")
    const body = parseBody(raw)
    const request = decodeRequest(body)
    const isMessages = req.method === "POST" && url.pathname === "/v1/messages"
    const kind: RequestKind = !isMessages ? "other" : isSubagent(req.headers, request._tag === "Some" ? request.value : undefined) ? "subagent" : "main"
    const entry: LoggedRequest = { time: Date.now(), method: req.method ?? "", url: req.url ?? "", headers: req.headers, body, kind }
    log.push(entry)
    if (options.logFile !== undefined) fs.appendFileSync(options.logFile, `${JSON.stringify(entry)}\n`)

    if (req.method === "HEAD") return res.writeHead(200).end()
    if (req.method === "POST" && url.pathname === "/v1/messages/count_tokens") return sendJson(res, 200, { input_tokens: usage.input_tokens })
    if (!isMessages) return sendJson(res, 404, { type: "error", error: { type: "not_found_error", message: `no route ${req.method} ${url.pathname}` } })
    if (request._tag === "None") return sendJson(res, 400, { type: "error", error: { type: "invalid_request_error", message: "bad body" } })
    if (options.hang === true) return
    if (options.errorStatus !== undefined) {
      return sendJson(res, options.errorStatus, { type: "error", error: { type: "invalid_request_error", message: "FAKE-API-ERROR" } })
    }

    const r = request.value
    const scripted = kind === "main" && options.script !== undefined && userTexts(r).some((t) => t.includes(marker))
    const reply = scripted ? scriptedReply(r, options.script ?? {}) : echoReply(r, options.echoPrefix ?? "SUBAGENT-RAN:")
    const message = { id: `msg_fake_${++counter}`, type: "message", role: "assistant", model: r.model ?? "claude-fake", stop_sequence: null }
    const send = () => {
      if (res.destroyed) return
      if (r.stream !== true) {
        return sendJson(res, 200, { ...message, content: reply.content, stop_reason: reply.stop_reason, usage })
      }
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" })
      for (const event of sseEvents(message, reply, usage)) res.write(`event: ${String(event.type)}\ndata: ${JSON.stringify(event)}\n\n`)
      res.end()
    }
    if ((options.latencyMs ?? 0) <= 0) return send()
    const timer = setTimeout(() => {
      timers.delete(timer)
      send()
    }, options.latencyMs)
    timers.add(timer)
  }

  const server = http.createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => answer(req, res, Buffer.concat(chunks).toString("utf8")))
  })
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => resolve())
  })
  const port = (server.address() as AddressInfo).port

  const mainRequests = () => log.filter((e) => e.kind === "main")
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    requests: () => [...log],
    mainRequests,
    subagentRequests: () => log.filter((e) => e.kind === "subagent"),
    toolResultsSeen: () => {
      const last = mainRequests().at(-1)
      const request = last === undefined ? undefined : decodeRequest(last.body)
      return request === undefined || request._tag === "None" ? new Map() : toolResultsOf(request.value)
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer)
        timers.clear()
        server.close(() => resolve())
        server.closeAllConnections()
      })
  }
}

/** The fake server as a scoped resource: closed when the scope closes. */
export const fakeAnthropic = (options: FakeAnthropicOptions = {}) =>
  Effect.acquireRelease(
    Effect.promise(() => startFakeAnthropic(options)),
    (fake) => Effect.promise(() => fake.close())
  )
