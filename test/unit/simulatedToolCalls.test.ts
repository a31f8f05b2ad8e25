import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as http from "node:http"
import {
  bashCall,
  type ChatMessage,
  type ChatRequest,
  questionCall,
  scriptedTurns,
  SimulatedModel,
  toolCallsMade,
  toolResults,
  toolRounds,
  toolsOffered,
  writeFile,
  writeFileCall
} from "../../src/simulated/openaiCompatible"

// The simulated model's tool calls, in-process: the wire format OpenAI's chat completions use (and OpenCode's
// @ai-sdk/openai-compatible parses), and the helpers scripts are written with.

interface RawResponse {
  readonly status: number
  readonly body: string
}

const post = (url: string, body: unknown) =>
  Effect.async<RawResponse, Error>((resume) => {
    const req = http.request(url, { method: "POST", headers: { "content-type": "application/json" } }, (res) => {
      const chunks: Array<Buffer> = []
      res.on("data", (chunk: Buffer) => chunks.push(chunk))
      res.on("end", () => resume(Effect.succeed({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() })))
      res.on("error", (error) => resume(Effect.fail(error)))
    })
    req.on("error", (error) => resume(Effect.fail(error)))
    req.end(JSON.stringify(body))
    return Effect.sync(() => req.destroy())
  })

const tool = (name: string) => ({ type: "function", function: { name, description: name, parameters: { type: "object" } } })

/** the tools OpenCode 1.18.33 offers a `google/gemini-*` model and an `openai/gpt-5*` one */
const GOOGLE_TOOLS = ["bash", "edit", "glob", "grep", "question", "read", "skill", "task", "todowrite", "webfetch", "write"].map(tool)
const OPENAI_TOOLS = ["apply_patch", "bash", "glob", "grep", "question", "read", "skill", "task", "todowrite", "webfetch"].map(tool)

/** A conversation as OpenCode 1.18.33 sends it after one tool round (shape copied from a real request). */
const afterOneRound = [
  { role: "system", content: "You are opencode, an interactive CLI agent" },
  { role: "user", content: "go" },
  {
    role: "assistant",
    content: "",
    tool_calls: [{ id: "call_1", type: "function", function: { name: "bash", arguments: "{\"command\":\"echo one\"}" } }]
  },
  { role: "tool", tool_call_id: "call_1", content: "one\n" }
]

const chatBody = (messages: ReadonlyArray<unknown>, stream: boolean, tools: ReadonlyArray<unknown> = GOOGLE_TOOLS) => ({
  model: "sim-model",
  stream,
  stream_options: { include_usage: true },
  messages,
  tools
})

interface StreamChunk {
  readonly object: string
  readonly choices: ReadonlyArray<{
    readonly index: number
    readonly delta: {
      readonly role?: string
      readonly content?: string
      readonly tool_calls?: ReadonlyArray<{
        readonly index: number
        readonly id?: string
        readonly type?: string
        readonly function: { readonly name?: string; readonly arguments?: string }
      }>
    }
    readonly finish_reason: string | null
  }>
  readonly usage?: { readonly prompt_tokens: number; readonly completion_tokens: number; readonly total_tokens: number }
}

const sseData = (body: string): Array<string> =>
  body.split("\n\n").filter((block) => block.startsWith("data: ")).map((block) => block.slice(6))

const chunksOf = (body: string) => {
  const data = sseData(body)
  expect(data.at(-1)).toBe("[DONE]")
  return data.slice(0, -1).map((d) => JSON.parse(d) as StreamChunk)
}

/** What a client rebuilds from the stream: the text, and each call by index (id and name once, arguments joined). */
const assemble = (chunks: ReadonlyArray<StreamChunk>) => {
  let text = ""
  const calls: Array<{ id: string; type: string; name: string; arguments: string }> = []
  for (const chunk of chunks) {
    for (const choice of chunk.choices) {
      text += choice.delta.content ?? ""
      for (const delta of choice.delta.tool_calls ?? []) {
        if (delta.id !== undefined) {
          expect(calls).toHaveLength(delta.index)
          calls.push({ id: delta.id, type: delta.type ?? "", name: delta.function.name ?? "", arguments: "" })
        }
        calls[delta.index]!.arguments += delta.function.arguments ?? ""
      }
    }
  }
  return { text, calls }
}

const scriptRequest = (messages: ReadonlyArray<ChatMessage>, tools: ReadonlyArray<unknown> = GOOGLE_TOOLS): ChatRequest => {
  const body = chatBody(messages, true, tools)
  return { model: "m", lastUserText: "go", isTitleRequest: false, messages, tools: toolsOffered({ body }), body }
}

describe("simulated model tool calls", () => {
  it.scoped("streams tool calls the way OpenAI does: text, then per call an opening delta and argument pieces", () =>
    Effect.gen(function*() {
      const args = { command: "echo a long enough command to be split into several pieces", workdir: "/tmp/x" }
      const model = yield* SimulatedModel.make({
        script: () => ({ text: "Running two.", calls: [{ tool: "bash", args, id: "call_a" }, { tool: "question", args: "{\"questions\":[]}" }] })
      })
      const response = yield* post(`${model.baseUrl}/chat/completions`, chatBody(afterOneRound.slice(0, 2), true))
      expect(response.status).toBe(200)
      const chunks = chunksOf(response.body)
      expect(chunks.every((c) => c.object === "chat.completion.chunk")).toBe(true)
      expect(chunks[0]!.choices[0]!.delta).toEqual({ role: "assistant", content: "" })

      // each call opens with index, id, type and name (empty arguments), then only index + a piece of arguments
      const toolDeltas = chunks.flatMap((c) => c.choices.flatMap((ch) => ch.delta.tool_calls ?? []))
      expect(toolDeltas[0]).toEqual({ index: 0, id: "call_a", type: "function", function: { name: "bash", arguments: "" } })
      const pieces = toolDeltas.filter((d) => d.index === 0 && d.id === undefined)
      expect(pieces.length).toBeGreaterThan(1)
      expect(pieces.every((d) => Object.keys(d.function).join() === "arguments")).toBe(true)
      // text comes before the calls
      const firstCall = chunks.findIndex((c) => c.choices[0]?.delta.tool_calls !== undefined)
      expect(chunks.slice(firstCall).some((c) => c.choices[0]?.delta.content !== undefined)).toBe(false)

      const { calls, text } = assemble(chunks)
      expect(text).toBe("Running two.")
      expect(calls).toHaveLength(2)
      expect(calls[0]).toEqual({ id: "call_a", type: "function", name: "bash", arguments: JSON.stringify(args) })
      expect(calls[1]!.name).toBe("question")
      expect(calls[1]!.id).toMatch(/^call_\w+$/)
      expect(calls[1]!.arguments).toBe("{\"questions\":[]}")

      // the finish chunk says tool_calls, then usage on a chunk with no choices
      const finish = chunks.at(-2)!
      expect(finish.choices[0]).toEqual({ index: 0, delta: {}, finish_reason: "tool_calls" })
      const usage = chunks.at(-1)!
      expect(usage.choices).toEqual([])
      // two words of text, and per call 1 + arguments / 4
      const completion = 2 + (1 + Math.ceil(JSON.stringify(args).length / 4)) + (1 + Math.ceil("{\"questions\":[]}".length / 4))
      expect(usage.usage).toMatchObject({ completion_tokens: completion })
      expect(usage.usage!.total_tokens).toBe(usage.usage!.prompt_tokens + completion)
    }))

  it.scoped("answers a non-streaming request with message.tool_calls and finish_reason tool_calls", () =>
    Effect.gen(function*() {
      const model = yield* SimulatedModel.make({ script: () => bashCall("ls", { id: "call_x" }) })
      const response = yield* post(`${model.baseUrl}/chat/completions`, chatBody(afterOneRound.slice(0, 2), false))
      const completion = JSON.parse(response.body) as {
        object: string
        choices: Array<{ message: Record<string, unknown>; finish_reason: string }>
      }
      expect(completion.object).toBe("chat.completion")
      expect(completion.choices[0]).toEqual({
        index: 0,
        message: {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "call_x", type: "function", function: { name: "bash", arguments: "{\"command\":\"ls\"}" } }]
        },
        finish_reason: "tool_calls"
      })
    }))

  it.scoped("the script sees the conversation and the tools; text replies stream as before; title requests skip it", () =>
    Effect.gen(function*() {
      const seen: Array<ChatRequest> = []
      const model = yield* SimulatedModel.make({
        script: (request) => {
          seen.push(request)
          return { text: `results: ${toolResults(request).map((r) => `${r.name}=${r.content.trim()}`).join(",")}` }
        }
      })
      const url = `${model.baseUrl}/chat/completions`
      const streamed = yield* post(url, chatBody(afterOneRound, true))
      const chunks = chunksOf(streamed.body)
      expect(assemble(chunks)).toEqual({ text: "results: bash=one", calls: [] })
      expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe("stop")
      expect(seen).toHaveLength(1)
      expect(seen[0]!.tools).toEqual(GOOGLE_TOOLS.map((t) => t.function.name))
      expect(seen[0]!.messages).toEqual(afterOneRound)
      expect(seen[0]!.lastUserText).toBe("go")

      const title = yield* post(url, {
        model: "sim-model",
        stream: false,
        messages: [{ role: "system", content: "You are a title generator. You output ONLY a thread title." }, { role: "user", content: "go" }]
      })
      expect(JSON.parse(title.body)).toMatchObject({ choices: [{ message: { content: "Simulated title" }, finish_reason: "stop" }] })
      expect(seen).toHaveLength(1)
    }))

  it.scoped("markers still apply to scripted requests, and a script that throws answers 500 with its message", () =>
    Effect.gen(function*() {
      const model = yield* SimulatedModel.make({ script: () => bashCall("ls") })
      const url = `${model.baseUrl}/chat/completions`
      expect((yield* post(url, chatBody([{ role: "user", content: "x FAULT=500" }], true))).status).toBe(500)
      model.setOptions({
        script: () => {
          throw new Error("step 3 is missing")
        }
      })
      const failed = yield* post(url, chatBody([{ role: "user", content: "x" }], true))
      expect(failed.status).toBe(500)
      expect(failed.body).toContain("step 3 is missing")
      model.setOptions({ script: undefined, reply: "plain again" })
      expect(assemble(chunksOf((yield* post(url, chatBody([{ role: "user", content: "x" }], true))).body)).text).toBe("plain again")
    }))

  it("toolsOffered, toolCallsMade, toolResults and toolRounds read a request or a logged one", () => {
    const request = { body: chatBody(afterOneRound, true, OPENAI_TOOLS) }
    expect(toolsOffered(request)).toEqual(OPENAI_TOOLS.map((t) => t.function.name))
    expect(toolCallsMade(request)).toEqual([{ id: "call_1", name: "bash", arguments: "{\"command\":\"echo one\"}" }])
    expect(toolResults(request)).toEqual([{ callId: "call_1", name: "bash", arguments: "{\"command\":\"echo one\"}", content: "one\n" }])
    expect(toolRounds(request)).toBe(1)
    // array content (text parts) is read as its text; a result without its call has no name
    const orphan = { body: { messages: [{ role: "tool", tool_call_id: "call_9", content: [{ type: "text", text: "a" }, { type: "text", text: "b" }] }] } }
    expect(toolResults(orphan)).toEqual([{ callId: "call_9", name: undefined, arguments: undefined, content: "ab" }])
    for (const empty of [{ body: null }, { body: "text" }, { body: { messages: "x", tools: {} } }]) {
      expect(toolsOffered(empty)).toEqual([])
      expect(toolResults(empty)).toEqual([])
      expect(toolRounds(empty)).toBe(0)
    }
  })

  it("scriptedTurns plays one step per tool round, then the last text, and answers tool-less requests with text", () => {
    const script = scriptedTurns([
      bashCall("echo one"),
      (request) => ({ text: `bash said ${toolResults(request).at(-1)!.content.trim()}` })
    ])
    const round0 = afterOneRound.slice(0, 2)
    expect(script(scriptRequest(round0))).toEqual({ tool: "bash", args: { command: "echo one" } })
    // the same conversation again (a retried request) gets the same step
    expect(script(scriptRequest(round0))).toEqual({ tool: "bash", args: { command: "echo one" } })
    expect(script(scriptRequest(afterOneRound))).toEqual({ text: "bash said one" })
    // past the end: the last step again (run on this conversation), since it is text
    const more = [
      ...afterOneRound,
      { role: "assistant", content: "", tool_calls: [{ id: "c2", type: "function", function: { name: "read", arguments: "{}" } }] },
      { role: "tool", tool_call_id: "c2", content: "x" }
    ]
    expect(script(scriptRequest(more))).toEqual({ text: "bash said x" })
    // a request without tools (title, summary) does not consume a step
    expect(script(scriptRequest(round0, []))).toBe("Scripted turns done.")

    // a script ending on a tool call ends with finalText rather than looping
    const endsOnTool = scriptedTurns([bashCall("echo one")], "finished")
    expect(endsOnTool(scriptRequest(afterOneRound))).toBe("finished")
    expect(scriptedTurns([])(scriptRequest(round0))).toBe("Scripted turns done.")
  })

  it("writeFileCall uses write when offered and apply_patch otherwise; bashCall and questionCall build OpenCode's shapes", () => {
    const google = scriptRequest([], GOOGLE_TOOLS)
    const openai = scriptRequest([], OPENAI_TOOLS)
    expect(writeFileCall(google, "a/b.txt", "one\ntwo\n")).toEqual({ tool: "write", args: { filePath: "a/b.txt", content: "one\ntwo\n" } })
    expect(writeFileCall(openai, "a/b.txt", "one\ntwo\n")).toEqual({
      tool: "apply_patch",
      args: { patchText: "*** Begin Patch\n*** Add File: a/b.txt\n+one\n+two\n*** End Patch" }
    })
    const step = writeFile("c.txt", "x")
    expect(typeof step === "function" ? step(openai) : step).toMatchObject({ tool: "apply_patch" })
    expect(bashCall("ls", { workdir: "/tmp" })).toEqual({ tool: "bash", args: { command: "ls", workdir: "/tmp" } })
    expect(questionCall("Which?", ["A", "B"], "Pick")).toEqual({
      tool: "question",
      args: { questions: [{ question: "Which?", header: "Pick", options: [{ label: "A", description: "A" }, { label: "B", description: "B" }] }] }
    })
  })
})
