import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Option, Stream } from "effect"
import type { MessageReply } from "../../src/services/pool/opencodeApi"
import { errorOfReply, kindOfMessage, providerErrorOfRetry, replyText, retryAfterMsOf, tokenUsageOf } from "../../src/services/pool/opencodeOutcome"
import { sseData } from "../../src/lib/sse"

const reply = (info: Partial<MessageReply["info"]>, parts: MessageReply["parts"] = []): MessageReply => ({
  info: {
    id: "msg_1",
    sessionID: "ses_1",
    role: "assistant",
    providerID: "openai",
    modelID: "gpt-5.2",
    cost: 0,
    tokens: { input: 0, output: 0, reasoning: 0, cache: { read: 0, write: 0 } },
    time: { created: 0 },
    ...info
  },
  parts
})

describe("OpenCode outcomes", () => {
  it("joins text parts, skipping synthetic and ignored ones", () => {
    const parts = [
      { type: "step-start" },
      { type: "text", text: "first" },
      { type: "text", text: "injected", synthetic: true },
      { type: "tool" },
      { type: "text", text: "second" },
      { type: "text", text: "skipped", ignored: true }
    ]
    expect(replyText(reply({ finish: "stop" }, parts))).toBe("first\n\nsecond")
  })

  it("maps OpenCode tokens to omcm's TokenUsage", () => {
    expect(tokenUsageOf({ input: 2028, output: 9, reasoning: 5, cache: { read: 6000, write: 1 } }))
      .toEqual({ input: 2028, output: 9, reasoning: 5, cacheRead: 6000, cacheWrite: 1 })
  })

  it("reads the kind of a retry message", () => {
    expect(kindOfMessage("Rate limit reached for gpt-5.2")).toBe("rate-limit")
    expect(kindOfMessage("Too Many Requests")).toBe("rate-limit")
    expect(kindOfMessage("You exceeded your current quota")).toBe("rate-limit")
    expect(kindOfMessage("Incorrect API key provided")).toBe("auth")
    expect(kindOfMessage("Cannot connect to API: ECONNREFUSED")).toBe("other")
    expect(kindOfMessage("Internal server error")).toBe("other")
  })

  it("turns a retry status into a provider error with the wait until the next attempt", () => {
    const error = providerErrorOfRetry({ type: "retry", attempt: 1, message: "Rate limit reached", next: 11_500 }, {
      providerID: "openai",
      modelID: "gpt-5.2"
    }, 10_000)
    expect(error).toMatchObject({ kind: "rate-limit", retryAfterMs: 1_500, providerID: "openai", modelID: "gpt-5.2" })
  })

  it("reads Retry-After in ms, seconds or as a date", () => {
    expect(retryAfterMsOf({ "retry-after-ms": "250" }, 0)).toBe(250)
    expect(retryAfterMsOf({ "Retry-After": "3" }, 0)).toBe(3000)
    expect(retryAfterMsOf({ "retry-after": new Date(5_000).toUTCString() }, 1_000)).toBe(4_000)
    expect(retryAfterMsOf({}, 0)).toBeUndefined()
    expect(retryAfterMsOf(undefined, 0)).toBeUndefined()
  })

  it("turns info.error into typed errors", () => {
    const apiError = (statusCode: number, responseHeaders?: Record<string, string>) =>
      Option.getOrThrow(errorOfReply(reply({ error: { name: "APIError", data: { message: "boom", statusCode, responseHeaders } } }), 0))
    expect(apiError(429, { "retry-after": "2" })).toMatchObject({ _tag: "OpenCodeProviderError", kind: "rate-limit", retryAfterMs: 2000 })
    expect(apiError(401)).toMatchObject({ _tag: "OpenCodeProviderError", kind: "auth" })
    expect(apiError(403)).toMatchObject({ _tag: "OpenCodeProviderError", kind: "auth" })
    expect(apiError(400)).toMatchObject({ _tag: "OpenCodeProviderError", kind: "other" })
    const auth = errorOfReply(reply({ error: { name: "ProviderAuthError", data: { providerID: "openai", message: "no key" } } }), 0)
    expect(Option.getOrThrow(auth)).toMatchObject({ kind: "auth" })
    const aborted = errorOfReply(reply({ error: { name: "MessageAbortedError", data: { message: "Aborted" } } }), 0)
    expect(Option.getOrThrow(aborted)).toMatchObject({ _tag: "OpenCodeAborted", sessionId: "ses_1" })
  })

  it("a reply without error, finish or text was cut short; a finished one is fine", () => {
    expect(Option.getOrThrow(errorOfReply(reply({ time: { created: 0, completed: 1 } }), 0))).toMatchObject({ _tag: "OpenCodeAborted" })
    expect(Option.isNone(errorOfReply(reply({ finish: "stop" }, [{ type: "text", text: "ok" }]), 0))).toBe(true)
  })
})

describe("sseData", () => {
  it.effect("yields the data of each event, across chunk boundaries and CRLF, ignoring comments and other fields", () =>
    Effect.gen(function*() {
      const text = ": hello\r\nevent: x\r\ndata: {\"a\":1}\r\n\r\ndata: li\ndata: ne2\nid: 7\n\ndata:{\"b\":2}\n\n"
      const bytes = new TextEncoder().encode(text)
      const chunks = [bytes.slice(0, 5), bytes.slice(5, 23), bytes.slice(23, 40), bytes.slice(40)]
      const out = yield* Stream.runCollect(sseData(Stream.fromIterable(chunks)))
      expect(Chunk.toArray(out)).toEqual(["{\"a\":1}", "li\nne2", "{\"b\":2}"])
    }))
})
