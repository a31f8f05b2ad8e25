import * as Either from "effect/Either"
import { describe, expect, it } from "vitest"
import { notingSource, readTranscript, withSessionNotes } from "../../src/services/context"
import { decodeSummary, notesOfSummary, transcriptDigest } from "../../src/services/context-sync"
import type { HandoffContext } from "../../src/services/context"

const line = (type: "user" | "assistant", text: string) => JSON.stringify({ type, message: { role: type, content: type === "user" ? text : [{ type: "text", text }] } })

const facts = readTranscript([line("user", "Add login"), line("assistant", "I'll use JWT."), "{broken", line("assistant", "x".repeat(3_000))].join("\n"))

describe("the transcript digest the LOW-tier model is shown", () => {
  it("numbers each prompt and text by its transcript line, clips long ones and keeps the newest within the cap", () => {
    const digest = transcriptDigest(facts)
    const [first, second, third] = digest.text.split("\n")
    expect([first, second]).toEqual(["[line 1] user: Add login", "[line 2] assistant: I'll use JWT."])
    expect(third).toMatch(/^\[line 4\] assistant: x+…$/)
    expect(digest.text.length).toBeLessThan(1_700)
    expect([...digest.lines]).toEqual([4, 2, 1])
    const small = transcriptDigest(facts, 1_540)
    expect([...small.lines]).toEqual([4])
  })
})

describe("the model's answer", () => {
  const digest = transcriptDigest(facts)
  it("is one JSON object of the asked-for shape, a ```json fence tolerated", () => {
    const answer = { decisions: [{ text: "Use JWT", source: "line 2" }], learnings: [] }
    expect(decodeSummary(JSON.stringify(answer))).toEqual(Either.right(answer))
    expect(decodeSummary(`\`\`\`json\n${JSON.stringify(answer)}\n\`\`\``)).toEqual(Either.right(answer))
    expect(Either.getLeft(decodeSummary("Sure, here it is"))._tag).toBe("Some")
    expect(decodeSummary("Sure, here it is")).toEqual(Either.left('not JSON: "Sure, here it is"'))
    expect(Either.isLeft(decodeSummary(JSON.stringify({ decisions: "Use JWT" })))).toBe(true)
    expect(Either.isLeft(decodeSummary(JSON.stringify({ decisions: [{ text: "" }], learnings: [] })))).toBe(true)
  })

  it("becomes notes citing the transcript line only when the digest showed it", () => {
    const notes = notesOfSummary(
      { decisions: [{ text: "Use  JWT\ntokens", source: "line 2" }], learnings: [{ text: "No hashing yet", source: "line 7" }, { text: "Redis", source: "" }] },
      "google/flash",
      "transcript /t.jsonl",
      digest
    )
    expect(notes).toEqual({
      decisions: [{ text: "Use JWT tokens", source: "summary by google/flash (transcript /t.jsonl line 2)" }],
      learnings: [{ text: "No hashing yet", source: "summary by google/flash" }, { text: "Redis", source: "summary by google/flash" }]
    })
  })
})

describe("a context's notes", () => {
  const context = {
    decisions: {
      recent: [{ text: "given one", source: "given" }, { text: "rule one", source: "t line 2 (deterministic)" }],
      learnings: [{ text: "rule two", source: "t line 3 (deterministic)" }]
    },
    meta: { sources: { task: "a", todos: "b", files: "c", notes: "t (deterministic)" } }
  } as unknown as HandoffContext
  it("are replaced by the summary's, the given ones kept first", () => {
    const next = withSessionNotes(context, { decisions: [{ text: "model one", source: "summary by m" }], learnings: [] }, "summary by m of t")
    expect(next.decisions).toEqual({ recent: [{ text: "given one", source: "given" }, { text: "model one", source: "summary by m" }], learnings: [] })
    expect(next.meta.sources?.notes).toBe("summary by m of t")
  })
  it("say why no summary replaced them", () => {
    expect(notingSource(context, "no model summary: x").meta.sources?.notes).toBe("t (deterministic); no model summary: x")
  })
})
