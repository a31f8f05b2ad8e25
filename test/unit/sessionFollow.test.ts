import { describe, expect, it } from "@effect/vitest"
import { Effect, Queue, Stream, TestClock } from "effect"
import { isOutput, makeDirectoryWatch, mayBeHumanRequest, sessionOf } from "../../src/services/pool/SessionWatch"

// Following one session on a directory's shared event stream: its progress (for the stall watchdog) and the
// requests for a human it makes (permissions, questions), which a delegated session must have refused.

const line = (type: string, properties: Record<string, unknown>) => JSON.stringify({ id: "evt_1", type, properties })
const delta = (sessionID: string) => line("message.part.delta", { sessionID, messageID: "m", partID: "p", field: "text", delta: "hi" })
const busy = (sessionID: string) => line("session.status", { sessionID, status: { type: "busy" } })
const toolCall = (sessionID: string) =>
  line("message.part.updated", { sessionID, part: { id: "p", messageID: "m", sessionID, type: "tool", tool: "bash", state: { status: "running" } } })
const userText = (sessionID: string) =>
  line("message.part.updated", { sessionID, part: { id: "p", messageID: "m", sessionID, type: "text", text: "do it" } })
const permissionAsked = (sessionID: string, id: string) =>
  line("permission.asked", { id, sessionID, permission: "external_directory", patterns: ["/etc/*"], metadata: {}, always: [] })
const questionAsked = (sessionID: string, id: string) =>
  line("question.asked", { id, sessionID, questions: [{ question: "Which file?", header: "File", options: [] }] })

const fakeStream = Effect.map(Queue.unbounded<string>(), (queue) => ({
  subscribe: Stream.fromQueue(queue),
  send: (...lines: Array<string>) => Queue.offerAll(queue, lines)
}))

describe("the pre-filters on raw event lines", () => {
  it("read the session without parsing, and tell output and human requests apart", () => {
    expect(sessionOf(delta("ses_1"))).toBe("ses_1")
    expect(sessionOf(line("server.heartbeat", {}))).toBeUndefined()
    expect(isOutput(delta("ses_1"))).toBe(true)
    expect(isOutput(toolCall("ses_1"))).toBe(true)
    expect(isOutput(userText("ses_1"))).toBe(false)
    expect(isOutput(busy("ses_1"))).toBe(false)
    expect(mayBeHumanRequest(permissionAsked("ses_1", "per_1"))).toBe(true)
    expect(mayBeHumanRequest(questionAsked("ses_1", "que_1"))).toBe(true)
    expect(mayBeHumanRequest(delta("ses_1"))).toBe(false)
  })
})

describe("DirectoryWatch.follow", () => {
  it.scoped("tracks each session's last event and first output, and hands it its own permission and question requests", () =>
    Effect.gen(function*() {
      const events = yield* fakeStream
      const watch = yield* makeDirectoryWatch({ directory: "/p", port: 4096, subscribe: events.subscribe, statuses: Effect.succeed({}) })
      const a = yield* watch.follow("ses_a")
      const b = yield* watch.follow("ses_b")
      expect(yield* a.lastEventAt).toBe(0)

      yield* TestClock.adjust("5 seconds")
      yield* events.send(line("server.connected", {}), busy("ses_a"), userText("ses_a"))
      yield* watch.ready
      yield* Effect.yieldNow().pipe(Effect.repeatN(20))
      expect(yield* a.lastEventAt).toBe(5_000)
      expect(yield* b.lastEventAt).toBe(0)
      expect(yield* a.producedOutput).toBe(false)

      yield* TestClock.adjust("2 seconds")
      yield* events.send(delta("ses_a"), permissionAsked("ses_a", "per_1"), questionAsked("ses_b", "que_1"))
      const first = yield* Queue.take(a.humanRequests)
      expect(first).toEqual({ kind: "permission", id: "per_1", permission: "external_directory", patterns: ["/etc/*"] })
      expect(yield* Queue.take(b.humanRequests)).toEqual({ kind: "question", id: "que_1", questions: ["Which file?"] })
      expect(yield* a.producedOutput).toBe(true)
      expect(yield* a.lastEventAt).toBe(7_000)
      expect(yield* b.producedOutput).toBe(false)
      expect(yield* Queue.size(a.humanRequests)).toBe(0)
    }))
})
