import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { assembleContext } from "../../src/services/context/assembleContext"
import { serializeContextToJSON, serializeContextToMarkdown } from "../../src/services/context/handoffMarkdown"
import { redactContext } from "../../src/services/context/redactContext"
import { extractNotes } from "../../src/services/context/sessionNotes"
import { projectFolderName, readTranscript } from "../../src/services/context/transcript"

const FIXTURE = path.resolve(__dirname, "../fixtures/transcripts/login-session.jsonl")
const facts = readTranscript(fs.readFileSync(FIXTURE, "utf8"))
const P = "/opt/my-project"

describe("readTranscript", () => {
  it("keeps the user's own prompts: no caveats, slash-command wrappers, tool results or interruptions", () => {
    expect(facts.prompts).toEqual([
      { text: "Implement the login functionality in src/auth: JWT tokens, sessions in Redis. ulw", line: 4 },
      { text: "Also the CORS setup must allow the dashboard origin.", line: 17 }
    ])
    expect(facts.sessionId).toBe("3f1c9a2e-5b7d-4c1e-9a8f-0d2b6e4c7a11")
    expect(facts.cwd).toBe(P)
    expect(facts.startTime).toBe("2026-01-28T06:00:00.000Z")
  })

  it("the last TodoWrite list wins; files read and edited by the session's own tools (not a sub-agent's)", () => {
    expect(facts.todos).toEqual({
      line: 20,
      items: [
        { content: "Read the auth module", status: "completed" },
        { content: "Add password validation logic", status: "pending" },
        { content: "Implement session management", status: "in_progress" }
      ]
    })
    expect(facts.read).toEqual([`${P}/src/auth/login.ts`, `${P}/package.json`])
    expect(facts.edited).toEqual([`${P}/src/auth/login.ts`, `${P}/src/auth/signup.ts`, `${P}/src/middleware/auth.ts`])
  })

  it("a transcript with nothing readable has no facts, and no error", () => {
    expect(readTranscript("garbage\n{\"type\":42}\n\n")).toMatchObject({ prompts: [], todos: null, read: [], edited: [], said: [] })
  })

  it("names the project folder the way Claude Code does", () => {
    expect(projectFolderName("/tmp/my project/x_y.z")).toBe("-tmp-my-project-x-y-z")
  })
})

describe("extractNotes", () => {
  it("picks decisions and findings out of the model's text, each with its line", () => {
    const notes = extractNotes(facts.said, (line) => `t.jsonl line ${line}`)
    expect(notes.decisions).toEqual([
      { text: "I'll use JWT tokens for authentication, signed with HS256.", source: "t.jsonl line 12" },
      { text: "We decided to keep sessions in Redis rather than in memory, so they survive restarts.", source: "t.jsonl line 12" }
    ])
    expect(notes.learnings).toEqual([
      { text: "It turns out the project has no password hashing yet.", source: "t.jsonl line 12" },
      {
        text: "Note that CORS configuration is required for the dashboard origin, because the cookie is sent cross-site.",
        source: "t.jsonl line 18"
      }
    ])
  })
})

describe("assembleContext with a transcript", () => {
  const found = {
    changes: [{ path: "src/auth/login.ts", status: "modified" as const, from: null }, { path: "src/auth/signup.ts", status: "untracked" as const, from: null }],
    git: "ok" as const,
    buildTime: "2026-01-28T07:00:00.000Z",
    transcript: { path: "/c/t.jsonl", facts }
  }

  it("task from the prompts, TODOs by status, modified from git and the edits, referenced from the reads, sourced", () => {
    const context = Either.getOrThrow(assembleContext({ sessionId: "s", projectPath: P, goal: "users can sign in" }, found))
    expect(context.task.goal).toBe("users can sign in")
    expect(context.task.description).toBe(
      "Implement the login functionality in src/auth: JWT tokens, sessions in Redis. ulw\n\nLater in the session:\n- Also the CORS setup must allow the dashboard origin."
    )
    expect(context.todos).toEqual({
      pending: ["Add password validation logic"],
      inProgress: ["Implement session management"],
      completed: ["Read the auth module"]
    })
    expect(context.files.modified).toEqual(["src/auth/login.ts", "src/auth/signup.ts", "src/middleware/auth.ts"])
    expect(context.files.referenced).toEqual(["package.json"])
    expect(context.decisions.recent.map((d) => d.source)).toEqual(["transcript /c/t.jsonl line 12 (deterministic)", "transcript /c/t.jsonl line 12 (deterministic)"])
    expect(context.meta.startTime).toBe("2026-01-28T06:00:00.000Z")
    expect(context.meta.transcript).toBe("/c/t.jsonl")
    expect(context.meta.sources).toEqual({
      task: "transcript /c/t.jsonl (user prompts, lines 4, 17)",
      todos: "transcript /c/t.jsonl (TodoWrite, line 20)",
      files: "git status; transcript /c/t.jsonl (Read, Edit and Write calls)",
      notes: "transcript /c/t.jsonl (deterministic: the model's sentences that state a choice or a finding)"
    })
  })

  it("what the caller gives comes first; no task and no prompt is an error naming the task", () => {
    const given = Either.getOrThrow(assembleContext({
      sessionId: "s",
      projectPath: P,
      task: { description: "Given task" },
      todos: [{ content: "only this", status: "pending" }],
      decisions: [{ text: "mine", source: "given" }]
    }, found))
    expect(given.task.description).toBe("Given task")
    expect(given.todos.pending).toEqual(["only this"])
    expect(given.decisions.recent[0]).toEqual({ text: "mine", source: "given" })
    expect(given.meta.sources?.task).toBe("given")
    const none = assembleContext({ sessionId: "s", projectPath: P }, { ...found, transcript: null })
    expect(Either.isLeft(none) && none.left.message).toMatch(/^task: /)
  })
})

describe("redactContext", () => {
  it.effect("replaces secrets in every text of the context, as delegated prompts get; off leaves it as it is", () =>
    Effect.gen(function*() {
      const key = `sk-proj-${"A1b2C3d4E5".repeat(4)}T3BlbkFJ${"f6G7h8I9j0".repeat(2)}`
      const context = Either.getOrThrow(assembleContext({
        sessionId: "s",
        projectPath: "/nonexistent-omcm-project",
        task: { description: `deploy with OPENAI_API_KEY=${key}` },
        todos: [{ content: `rotate ${key}`, status: "pending" }],
        decisions: [{ text: `keep ${key} out of git`, source: "given" }]
      }, { changes: [], git: "ok", buildTime: "t", transcript: null }))
      const settings = { enabled: true, envFiles: true, patterns: [] }
      const { context: out, findings } = yield* redactContext(settings, context)
      const md = serializeContextToMarkdown(out)
      expect(md).not.toContain(key)
      expect(serializeContextToJSON(out)).not.toContain(key)
      expect(md).toContain("[REDACTED:")
      expect(findings.reduce((n, f) => n + f.count, 0)).toBe(3)
      const off = yield* redactContext({ ...settings, enabled: false }, context)
      expect(off.context.todos.pending[0]).toContain(key)
    }))
})
