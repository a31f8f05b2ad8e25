import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as http from "node:http"
import { SimulatedModel, startSimulatedModel } from "../../src/simulated/openaiCompatible"

interface RawResponse {
  readonly status: number
  readonly headers: http.IncomingHttpHeaders
  readonly body: string
}

/** A raw node:http request: the simulated server's faults include bodies that never end or do not parse. */
const request = (url: string, options: { method?: string; body?: unknown; abortAfterMs?: number } = {}) =>
  Effect.async<RawResponse, Error>((resume) => {
    const req = http.request(url, { method: options.method ?? "GET", headers: { "content-type": "application/json" } }, (res) => {
      const chunks: Array<Buffer> = []
      res.on("data", (chunk: Buffer) => chunks.push(chunk))
      res.on("end", () => resume(Effect.succeed({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() })))
      res.on("error", (error) => resume(Effect.fail(error)))
    })
    req.on("error", (error) => resume(Effect.fail(error)))
    if (options.abortAfterMs !== undefined) {
      setTimeout(() => req.destroy(new Error("gave up")), options.abortAfterMs)
    }
    req.end(options.body === undefined ? undefined : JSON.stringify(options.body))
    return Effect.sync(() => req.destroy())
  })

const chat = (text: string, stream: boolean) => ({
  model: "sim-model",
  stream,
  messages: [{ role: "system", content: "You are a test." }, { role: "user", content: text }],
  tools: [{ type: "function", function: { name: "noop", parameters: {} } }]
})

const sseChunks = (body: string): Array<string> =>
  body.split("\n\n").filter((block) => block.startsWith("data: ")).map((block) => block.slice(6))

const expectedPromptTokens = (body: ReturnType<typeof chat>) =>
  Math.ceil((JSON.stringify(body.messages) + JSON.stringify(body.tools)).length / 4)

describe("simulated OpenAI-compatible model", () => {
  it.scoped("streams a role chunk, one chunk per word, a finish chunk, a usage chunk and [DONE]", () =>
    Effect.gen(function*() {
      const model = yield* SimulatedModel.make({ cachedTokens: 10, reasoningTokens: 3 })
      const body = chat("hello streaming world", true)
      const response = yield* request(`${model.baseUrl}/chat/completions`, { method: "POST", body })
      expect(response.status).toBe(200)
      expect(response.headers["content-type"]).toContain("text/event-stream")
      const chunks = sseChunks(response.body)
      expect(chunks.at(-1)).toBe("[DONE]")
      const events = chunks.slice(0, -1).map((c) => JSON.parse(c) as {
        object: string
        choices: Array<{ delta: { role?: string; content?: string }; finish_reason: string | null }>
        usage?: Record<string, unknown>
      })
      expect(events.every((e) => e.object === "chat.completion.chunk")).toBe(true)
      expect(events[0]!.choices[0]!.delta).toEqual({ role: "assistant", content: "" })
      const reply = "Simulated reply (sim-model): hello streaming world"
      const words = events.slice(1, -2).map((e) => e.choices[0]!.delta.content)
      expect(words.join("")).toBe(reply)
      expect(words.length).toBe(reply.split(" ").length)
      expect(events.at(-2)!.choices[0]!.finish_reason).toBe("stop")
      const last = events.at(-1)!
      expect(last.choices).toEqual([])
      const prompt = expectedPromptTokens(body)
      expect(last.usage).toEqual({
        prompt_tokens: prompt,
        completion_tokens: words.length + 3,
        total_tokens: prompt + words.length + 3,
        prompt_tokens_details: { cached_tokens: 10 },
        completion_tokens_details: { reasoning_tokens: 3 }
      })
    }))

  it.scoped("answers without streaming, lists models, reports health and logs every request", () =>
    Effect.gen(function*() {
      const model = yield* SimulatedModel.make({ reply: (r) => `echo ${r.lastUserText}`, models: ["a", "b"] })
      const body = chat("ping", false)
      const response = yield* request(`${model.baseUrl}/chat/completions`, { method: "POST", body })
      const completion = JSON.parse(response.body) as {
        object: string
        choices: Array<{ message: { content: string }; finish_reason: string }>
        usage: { prompt_tokens: number; completion_tokens: number }
      }
      expect(completion.object).toBe("chat.completion")
      expect(completion.choices[0]!.message.content).toBe("echo ping")
      expect(completion.usage.prompt_tokens).toBe(expectedPromptTokens(body))
      expect(completion.usage.completion_tokens).toBe(2)

      const models = JSON.parse((yield* request(`${model.baseUrl}/models`)).body) as { data: Array<{ id: string }> }
      expect(models.data.map((m) => m.id)).toEqual(["a", "b"])
      expect((yield* request(`http://127.0.0.1:${model.port}/health`)).status).toBe(200)

      expect(model.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
        "POST /v1/chat/completions",
        "GET /v1/models",
        "GET /health"
      ])
      expect(model.requests[0]!.body).toEqual(body)
      expect(model.requests[0]!.headers["content-type"]).toBe("application/json")
    }))

  it.scoped("FAULT=429 answers 429 with Retry-After and an OpenAI error body", () =>
    Effect.gen(function*() {
      const model = yield* SimulatedModel.make({ retryAfterSeconds: 7 })
      const response = yield* request(`${model.baseUrl}/chat/completions`, { method: "POST", body: chat("x FAULT=429", true) })
      expect(response.status).toBe(429)
      expect(response.headers["retry-after"]).toBe("7")
      expect(JSON.parse(response.body)).toMatchObject({ error: { type: "rate_limit_error", code: "rate_limit_exceeded" } })
    }))

  it.scoped("FAULT=500 and FAULT=401 answer with those statuses", () =>
    Effect.gen(function*() {
      const model = yield* SimulatedModel.make()
      const url = `${model.baseUrl}/chat/completions`
      expect((yield* request(url, { method: "POST", body: chat("FAULT=500", false) })).status).toBe(500)
      expect((yield* request(url, { method: "POST", body: chat("FAULT=401", false) })).status).toBe(401)
    }))

  it.scoped("FAULT=malformed sends a 200 that does not parse, streaming or not", () =>
    Effect.gen(function*() {
      const model = yield* SimulatedModel.make()
      const url = `${model.baseUrl}/chat/completions`
      const plain = yield* request(url, { method: "POST", body: chat("FAULT=malformed", false) })
      expect(plain.status).toBe(200)
      expect(() => JSON.parse(plain.body)).toThrow()
      const streamed = yield* request(url, { method: "POST", body: chat("FAULT=malformed", true) })
      expect(streamed.status).toBe(200)
      const chunks = sseChunks(streamed.body)
      expect(chunks).not.toContain("[DONE]")
      expect(() => chunks.map((c) => JSON.parse(c))).toThrow()
    }))

  it.scoped("FAULT=hang starts the stream and never ends it", () =>
    Effect.gen(function*() {
      const model = yield* SimulatedModel.make()
      const result = yield* Effect.either(
        request(`${model.baseUrl}/chat/completions`, { method: "POST", body: chat("FAULT=hang", true), abortAfterMs: 500 })
      )
      expect(result._tag).toBe("Left")
      expect(model.requests).toHaveLength(1)
    }))

  it.scoped("a server-level fault applies to every request and can be changed at runtime", () =>
    Effect.gen(function*() {
      const model = yield* SimulatedModel.make({ fault: "500" })
      const url = `${model.baseUrl}/chat/completions`
      expect((yield* request(url, { method: "POST", body: chat("hi", false) })).status).toBe(500)
      model.setOptions({ fault: undefined })
      expect((yield* request(url, { method: "POST", body: chat("hi", false) })).status).toBe(200)
    }))

  it.scoped("latencyMs, chunkDelayMs and SLEEP=<ms> delay the answer", () =>
    Effect.gen(function*() {
      const model = yield* SimulatedModel.make({ latencyMs: 300 })
      const url = `${model.baseUrl}/chat/completions`
      const timed = (text: string) =>
        Effect.gen(function*() {
          const start = Date.now()
          yield* request(url, { method: "POST", body: chat(text, true) })
          return Date.now() - start
        })
      expect(yield* timed("one")).toBeGreaterThanOrEqual(290)
      expect(yield* timed("two SLEEP=400")).toBeGreaterThanOrEqual(690)
      model.setOptions({ latencyMs: 0, chunkDelayMs: 100 })
      // "Simulated reply (sim-model): a b c" is 6 words
      expect(yield* timed("a b c")).toBeGreaterThanOrEqual(590)
    }))

  it.scoped("title requests get a title and ignore fault markers", () =>
    Effect.gen(function*() {
      const model = yield* SimulatedModel.make()
      const response = yield* request(`${model.baseUrl}/chat/completions`, {
        method: "POST",
        body: {
          model: "sim-model",
          messages: [
            { role: "system", content: "You are a title generator. You output ONLY a thread title." },
            { role: "user", content: "Generate a title for this conversation:\n" },
            { role: "user", content: "please FAULT=429" }
          ]
        }
      })
      expect(response.status).toBe(200)
      expect(JSON.parse(response.body)).toMatchObject({ choices: [{ message: { content: "Simulated title" } }] })
    }))

  it("startSimulatedModel serves plain scripts and close() drops hanging connections", async () => {
    const model = await startSimulatedModel()
    const hanging = Effect.runPromise(
      Effect.either(request(`${model.baseUrl}/chat/completions`, { method: "POST", body: chat("FAULT=hang", true) }))
    )
    while (model.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 10))
    await model.close()
    expect((await hanging)._tag).toBe("Left")
    const after = await Effect.runPromise(Effect.either(request(`${model.baseUrl}/models`)))
    expect(after._tag).toBe("Left")
  })
})
