import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { fakeAnthropic, FINAL_ANSWER, startFakeAnthropic } from "../support/fakeAnthropic"

const post = (baseUrl: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${baseUrl}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) })

interface Reply {
  readonly stop_reason: string
  readonly content: ReadonlyArray<{ id: string; name: string; text: string; input: { prompt: string; run_in_background: boolean } }>
}
const reply = async (response: Response): Promise<Reply> => (await response.json()) as Reply

const mainRequest = (messages: ReadonlyArray<unknown>, stream = false) => ({
  model: "claude-test",
  stream,
  system: [{ type: "text", text: "x-anthropic-billing-header: cc_version=1; cc_entrypoint=sdk-cli;" }],
  tools: [{ name: "Task" }],
  messages
})

describe("fake Anthropic API", () => {
  it("scripts the main conversation: tool_use blocks first, then FINAL-ANSWER from tool_results anywhere in the history", async () => {
    const fake = await startFakeAnthropic({ script: { toolUses: [{ prompt: "A" }, { prompt: "B" }] } })
    try {
      const first = await reply(await post(fake.baseUrl, "/v1/messages?beta=true", mainRequest([{ role: "user", content: "PROBE-MAIN go" }])))
      expect(first.stop_reason).toBe("tool_use")
      expect(first.content.map((b) => [b.name, b.input.prompt, b.input.run_in_background]))
        .toEqual([["Task", "A", false], ["Task", "B", false]])
      const ids = first.content.map((b) => b.id)
      const history = [
        { role: "user", content: "PROBE-MAIN go" },
        { role: "assistant", content: first.content },
        { role: "user", content: [
          { type: "tool_result", tool_use_id: ids[0], content: [{ type: "text", text: "ran A" }] },
          { type: "tool_result", tool_use_id: ids[1], content: "denied B", is_error: true }
        ] },
        { role: "system", content: "PostToolUse hook additional context: C" }
      ]
      const final = await reply(await post(fake.baseUrl, "/v1/messages", mainRequest(history)))
      expect(final.stop_reason).toBe("end_turn")
      expect(final.content[0]?.text).toBe(`${FINAL_ANSWER}\n[${ids[0]}] is_error=false tool_result=ran A\n[${ids[1]}] is_error=true tool_result=denied B`)
      expect(fake.toolResultsSeen().get(ids[1] ?? "")).toEqual({ content: "denied B", is_error: true })
    } finally {
      await fake.close()
    }
  })

  it.scopedLive("streams SSE, echoes sub-agents, and classifies and logs every request", () =>
    Effect.gen(function*() {
      const fake = yield* fakeAnthropic({ usage: { output_tokens: 7 } })
      const sse = yield* Effect.promise(async () =>
        (await post(fake.baseUrl, "/v1/messages?beta=true", mainRequest([{ role: "user", content: "hi there" }], true), { "x-claude-code-agent-id": "a1" })).text()
      )
      const events = sse.split("\n\n").filter((e) => e.length > 0).map((e) => e.split("\n")[0])
      expect(events).toEqual([
        "event: message_start", "event: ping", "event: content_block_start", "event: content_block_delta", "event: content_block_delta",
        "event: content_block_stop", "event: message_delta", "event: message_stop"
      ])
      expect(sse).toContain('"output_tokens":7')
      const texts = [...sse.matchAll(/"text_delta","text":"([^"]*)"/g)].map((m) => m[1]).join("")
      expect(texts).toBe("SUBAGENT-RAN: hi there")

      const statuses = yield* Effect.promise(async () => [
        (await fetch(`${fake.baseUrl}/api/hello`, { method: "HEAD" })).status,
        ((await (await post(fake.baseUrl, "/v1/messages/count_tokens", mainRequest([]))).json()) as { input_tokens: number }).input_tokens,
        (await fetch(`${fake.baseUrl}/v1/models`)).status
      ])
      expect(statuses).toEqual([200, 100, 404])
      expect(fake.requests().map((r) => r.kind)).toEqual(["subagent", "other", "other", "other"])
      expect(fake.subagentRequests()).toHaveLength(1)
      expect(fake.mainRequests()).toHaveLength(0)
    }))
})
