import { NodeContext, NodeHttpClient } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Duration, Effect, Either, Fiber, Layer, Option, Stream } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { assembleContext } from "../../src/services/context/assembleContext"
import { makeContextSynchronizer } from "../../src/services/context-sync/ContextSynchronizer"
import { handoffNote } from "../../src/services/context-sync/opencodeContext"
import type { ModelRef, OpenCodeServer } from "../../src/services/pool/opencodeApi"
import { OpenCodeClient } from "../../src/services/pool/OpenCodeClient"
import { scriptedTurns, SimulatedModel, type SimulatedRequest, writeFile } from "../../src/simulated/openaiCompatible"
import { OpencodeTestServer, type OpencodeTestServerShape } from "../support/opencodeServer"

// The ContextSynchronizer against a real `opencode serve`: a handoff pushed as a session without a model call, the
// session read back after a scripted OpenCode turn (TODOs, files, notes), and the change stream of its events.

const GOOGLE: ModelRef = { providerID: "google", modelID: "gemini-3-flash" }

const TestLayer = OpencodeTestServer.layer([{ id: "google", models: [{ id: GOOGLE.modelID }] }]).pipe(
  Layer.provideMerge(Layer.mergeAll(SimulatedModel.layer(), OpenCodeClient.layerWithoutDependencies)),
  Layer.provide(Layer.mergeAll(NodeHttpClient.layer, NodeContext.layer)),
  Layer.tap((context) =>
    Effect.gen(function*() {
      const server = yield* OpencodeTestServer
      yield* (yield* OpenCodeClient).run(serverOf(server), { directory: server.directory, text: "warm up", model: GOOGLE, title: "warm up", timeoutMs: 60_000 })
    }).pipe(Effect.provide(context))
  )
)

const serverOf = (server: OpencodeTestServerShape): OpenCodeServer => ({ baseUrl: server.baseUrl, password: server.password })

const chatRequestsOf = (requests: ReadonlyArray<SimulatedRequest>, sessionId: string) =>
  requests.filter((r) => r.url.endsWith("/chat/completions") && r.headers["x-session-id"] === sessionId)

const handoff = (directory: string) =>
  Either.getOrThrow(assembleContext({
    sessionId: "claude-session-1",
    projectPath: directory,
    task: { description: "Implementing login functionality" },
    todos: [
      { content: "Add password validation logic", status: "pending" },
      { content: "Implement session management", status: "pending" }
    ],
    decisions: [{ text: "JWT token-based authentication selected", source: "given" }],
    claudeUsage: { fiveHourUsage: 91, weeklyUsage: 45 }
  }, { changes: [], git: "not-a-repository", buildTime: "2026-01-28T06:00:00.000Z", transcript: null }))

layer(TestLayer, { timeout: Duration.seconds(180), excludeTestServices: true })("ContextSynchronizer on a real OpenCode server", (it) => {
  it.scoped("pushContext: a session holding the handoff, no model call; pullContext and changes after a scripted turn", () =>
    Effect.gen(function*() {
      const server = yield* OpencodeTestServer
      const sim = yield* SimulatedModel
      const client = yield* OpenCodeClient
      const sync = makeContextSynchronizer(client, serverOf(server))
      const context = handoff(server.directory)

      const pushed = yield* sync.pushContext(context)
      expect(pushed.sessionId).toMatch(/^ses_/)
      expect(pushed.command).toBe(`opencode ${server.directory} --session ${pushed.sessionId}`)
      const ref = { sessionId: pushed.sessionId, directory: server.directory }
      const held = yield* client.messages(serverOf(server), ref)
      expect(held.map((m) => m.info.role)).toEqual(["user"])
      expect(held[0]!.parts.flatMap((p) => (p.type === "text" && "text" in p ? [p.text] : []))).toEqual([handoffNote(context)])
      expect(chatRequestsOf(sim.requests, pushed.sessionId)).toEqual([])
      expect((yield* client.getSession(serverOf(server), ref)).title).toBe("omcm handoff: Implementing login functionality")

      // read back before any turn: the task of the handoff, nothing done yet
      const before = yield* sync.pullContext(ref)
      expect(before.task.description).toBe("Implementing login functionality")
      expect(before.meta).toMatchObject({ from: "OpenCode", to: "Claude Code", sessionId: pushed.sessionId, projectPath: server.directory })
      expect(before.files.modified).toEqual([])

      // the change stream, then one OpenCode turn of the simulated model: a TODO update, a file written, a decision
      const changed = yield* sync.changes(ref).pipe(
        Stream.filter((c) => c.todos.completed.includes("Add password validation logic") && c.decisions.recent.length > 0),
        Stream.runHead,
        Effect.timeout(Duration.seconds(60)),
        Effect.fork
      )
      yield* Effect.sleep(Duration.millis(500))
      sim.setOptions({
        script: scriptedTurns([
          {
            calls: [{
              tool: "todowrite",
              args: {
                todos: [
                  { content: "Add password validation logic", status: "completed", priority: "high" },
                  { content: "Implement session management", status: "in_progress", priority: "high" },
                  { content: "Dropped idea", status: "cancelled", priority: "low" }
                ]
              }
            }]
          },
          writeFile("src/auth/validate.ts", "export const validate = (p: string) => p.length >= 12\n"),
          "Validation is in place. I'll use bcrypt for hashing the passwords. It turns out the session store needs Redis 7."
        ])
      })
      yield* client.prompt(serverOf(server), { ...ref, text: "continue", model: GOOGLE }).pipe(
        Effect.ensuring(Effect.sync(() => sim.setOptions({ script: undefined })))
      )
      expect(fs.readFileSync(path.join(server.directory, "src/auth/validate.ts"), "utf8")).toContain("validate")
      // the model saw the handoff: it is the session's first message
      expect(JSON.stringify(chatRequestsOf(sim.requests, pushed.sessionId)[0]!.body)).toContain("# Task Handoff Context")

      const after = yield* sync.pullContext(ref)
      expect(after.task.description).toBe("Implementing login functionality\n\nLater in OpenCode:\n- continue")
      expect(after.todos).toEqual({
        pending: [],
        inProgress: ["Implement session management"],
        completed: ["Add password validation logic"]
      })
      expect(after.files.modified).toEqual(["src/auth/validate.ts"])
      expect(after.decisions.recent.map((d) => d.text)).toEqual(["I'll use bcrypt for hashing the passwords."])
      expect(after.decisions.recent[0]!.source).toMatch(new RegExp(`^opencode session ${pushed.sessionId} message \\d+$`))
      expect(after.decisions.learnings.map((d) => d.text)).toEqual(["It turns out the session store needs Redis 7."])

      const streamed = yield* Fiber.join(changed)
      expect(Option.isSome(streamed)).toBe(true)
      const seen = Option.getOrThrow(streamed)
      expect(seen.todos.inProgress).toEqual(["Implement session management"])
      expect(seen.files.modified).toEqual(["src/auth/validate.ts"])
    }))
})
