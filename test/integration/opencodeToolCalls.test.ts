import { NodeContext, NodeHttpClient } from "@effect/platform-node"
import { afterAll, expect, layer } from "@effect/vitest"
import { Duration, Effect, Fiber, Layer, Option, Stream } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import type { ModelRef, OpenCodeServer } from "../../src/services/pool/opencodeApi"
import { OpenCodeClient } from "../../src/services/pool/OpenCodeClient"
import {
  bashCall,
  questionCall,
  type ScriptStep,
  scriptedTurns,
  SimulatedModel,
  type SimulatedRequest,
  toolCallsMade,
  toolResults,
  toolsOffered,
  writeFile
} from "../../src/simulated/openaiCompatible"
import { isAlive, OpencodeTestServer, type OpencodeTestServerShape } from "../support/opencodeServer"

// A real `opencode serve` 1.18.33 runs the tool calls the simulated model scripts (docs/opencode-tool-calls.md).

const GOOGLE: ModelRef = { providerID: "google", modelID: "gemini-3-flash" }
const OPENAI: ModelRef = { providerID: "openai", modelID: "gpt-5.2-codex" }

let serverPid: number | undefined

const TestLayer = OpencodeTestServer.layer([
  { id: "openai", models: [{ id: OPENAI.modelID }] },
  { id: "google", models: [{ id: GOOGLE.modelID }] }
]).pipe(
  Layer.provideMerge(Layer.mergeAll(SimulatedModel.layer(), OpenCodeClient.layerWithoutDependencies)),
  Layer.provide(Layer.mergeAll(NodeHttpClient.layer, NodeContext.layer)),
  // the first prompt of a directory boots OpenCode's instance (seconds): pay that once, outside the tests
  Layer.tap((context) =>
    Effect.gen(function*() {
      const server = yield* OpencodeTestServer
      serverPid = server.pid
      yield* (yield* OpenCodeClient).run(serverOf(server), {
        directory: server.directory,
        text: "warm up",
        model: GOOGLE,
        title: "warm up",
        timeoutMs: 60_000
      })
    }).pipe(Effect.provide(context))
  )
)

afterAll(() => {
  expect(serverPid).toBeDefined()
  expect(isAlive(serverPid!)).toBe(false)
})

const serverOf = (server: OpencodeTestServerShape): OpenCodeServer => ({ baseUrl: server.baseUrl, password: server.password })

const nonce = () => `n${Math.random().toString(36).slice(2, 10)}`

/** The LLM requests of one OpenCode session, oldest first. */
const requestsOf = (requests: ReadonlyArray<SimulatedRequest>, sessionId: string) =>
  requests.filter((r) => r.url.endsWith("/chat/completions") && r.headers["x-session-id"] === sessionId)

/** One prompt on a fresh session, the simulated model playing `steps`; the turn's text and its LLM requests. */
const runScripted = (model: ModelRef, steps: ReadonlyArray<ScriptStep>) =>
  Effect.gen(function*() {
    const server = yield* OpencodeTestServer
    const sim = yield* SimulatedModel
    sim.setOptions({ script: scriptedTurns(steps) })
    const result = yield* (yield* OpenCodeClient).run(serverOf(server), {
      directory: server.directory,
      text: `go ${nonce()}`,
      model,
      title: "tool calls",
      timeoutMs: 30_000
    }).pipe(Effect.ensuring(Effect.sync(() => sim.setOptions({ script: undefined }))))
    return { text: result.text, requests: requestsOf(sim.requests, result.sessionId) }
  })

/** A raw request to the server, for what OpenCodeClient does not send (`permission`, `tools`, the pending lists). */
const api = (server: OpencodeTestServerShape, method: string, route: string, body?: unknown) =>
  Effect.tryPromise(async () => {
    const url = new URL(route, server.baseUrl)
    url.searchParams.set("directory", server.directory)
    const response = await fetch(url, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(`opencode:${server.password}`).toString("base64")}`,
        "content-type": "application/json"
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(30_000)
    })
    return { status: response.status, json: (await response.json()) as any }
  })

const waitFor = <A>(what: string, probe: Effect.Effect<A | undefined, unknown>) =>
  Effect.gen(function*() {
    for (let i = 0; i < 200; i++) {
      const found = yield* probe
      if (found !== undefined) return found
      yield* Effect.sleep(Duration.millis(50))
    }
    return yield* Effect.dieMessage(`timed out waiting for ${what}`)
  })

/** `POST /session` (with an optional permission ruleset), then the prompt in a fiber: it may block on the tool. */
const startPrompt = (
  server: OpencodeTestServerShape,
  model: ModelRef,
  options: { readonly permission?: ReadonlyArray<unknown>; readonly tools?: Record<string, boolean> } = {}
) =>
  Effect.gen(function*() {
    const session = yield* api(server, "POST", "/session", {
      title: "tool calls",
      ...(options.permission === undefined ? {} : { permission: options.permission })
    })
    expect(session.status).toBe(200)
    const sessionId: string = session.json.id
    const prompt = yield* Effect.fork(
      api(server, "POST", `/session/${sessionId}/message`, {
        parts: [{ type: "text", text: `go ${nonce()}` }],
        model,
        ...(options.tools === undefined ? {} : { tools: options.tools })
      })
    )
    return { sessionId, prompt }
  })

/** the reply's text parts */
const textOf = (reply: { json: any }): string =>
  (reply.json.parts as Array<{ type: string; text?: string }>).filter((p) => p.type === "text").map((p) => p.text).join("")

layer(TestLayer, { timeout: Duration.seconds(120), excludeTestServices: true })("scripted tool calls on a real opencode serve", (it) => {
  it.effect("a scripted write (google id: the write tool) creates the file, and the next request carries its result", () =>
    Effect.gen(function*() {
      const server = yield* OpencodeTestServer
      const file = `written-${nonce()}.txt`
      const { requests, text } = yield* runScripted(GOOGLE, [
        writeFile(file, "hello\nworld\n"),
        (request) => ({ text: `write said: ${toolResults(request).at(-1)?.content}` })
      ])
      expect(fs.readFileSync(path.join(server.directory, file), "utf8")).toBe("hello\nworld\n")
      expect(text).toBe("write said: Wrote file successfully.")
      expect(requests).toHaveLength(2)
      expect(toolsOffered(requests[0]!)).toContain("write")
      expect(toolsOffered(requests[0]!)).not.toContain("apply_patch")
      // OpenCode sends back the call as we made it, then its result as a `tool` message
      const [call] = toolCallsMade(requests[1]!)
      expect(JSON.parse(call!.arguments)).toEqual({ filePath: file, content: "hello\nworld\n" })
      expect(toolResults(requests[1]!)).toEqual([
        { callId: call!.id, name: "write", arguments: call!.arguments, content: "Wrote file successfully." }
      ])
    }))

  it.effect("an openai id gets apply_patch instead of write, and a scripted patch creates the file", () =>
    Effect.gen(function*() {
      const server = yield* OpencodeTestServer
      const file = `patched-${nonce()}.txt`
      const { requests, text } = yield* runScripted(OPENAI, [writeFile(file, "one\ntwo\n"), "patched"])
      expect(text).toBe("patched")
      expect(fs.readFileSync(path.join(server.directory, file), "utf8")).toBe("one\ntwo\n")
      expect(toolsOffered(requests[0]!)).toEqual(expect.arrayContaining(["apply_patch", "bash", "question"]))
      expect(toolsOffered(requests[0]!)).not.toContain("write")
      const [result] = toolResults(requests[1]!)
      expect(result!.name).toBe("apply_patch")
      // paths in the answer are relative to the worktree root, "/" for a directory outside git
      expect(result!.content).toBe(`Success. Updated the following files:\nA ${path.join(server.directory, file).slice(1)}`)
    }))

  it.effect("a scripted bash runs in the session's directory; its output comes back and the final text is the reply", () =>
    Effect.gen(function*() {
      const server = yield* OpencodeTestServer
      const tag = nonce()
      const { requests, text } = yield* runScripted(GOOGLE, [
        bashCall(`echo ${tag} > marker-${tag}.txt && pwd`),
        (request) => ({ text: `bash printed ${toolResults(request).at(-1)?.content.trim()}` })
      ])
      expect(fs.readFileSync(path.join(server.directory, `marker-${tag}.txt`), "utf8")).toBe(`${tag}\n`)
      expect(text).toBe(`bash printed ${server.directory}`)
      expect(toolResults(requests.at(-1)!).map((r) => [r.name, r.content])).toEqual([["bash", `${server.directory}\n`]])
    }))

  it.scoped("a path outside the directory blocks on permission.asked until answered; an external_directory deny refuses it at once", () =>
    Effect.gen(function*() {
      const server = yield* OpencodeTestServer
      const sim = yield* SimulatedModel
      const outside = path.join(server.root, `outside-${nonce()}`)
      fs.mkdirSync(outside)
      const target = path.join(outside, "a.txt")
      sim.setOptions({
        script: scriptedTurns([writeFile(target, "x"), (request) => ({ text: `answered: ${toolResults(request).at(-1)?.content}` })])
      })
      yield* Effect.addFinalizer(() => Effect.sync(() => sim.setOptions({ script: undefined })))

      const asked: Array<{ type: string; properties?: unknown }> = []
      const watcher = yield* Effect.fork(
        (yield* OpenCodeClient).events(serverOf(server), server.directory).pipe(
          Stream.runForEach((event) => Effect.sync(() => asked.push(event)))
        )
      )
      yield* waitFor("server.connected", Effect.sync(() => (asked.length > 0 ? true : undefined)))

      // default permissions: external_directory is "ask", and the turn waits for an answer nobody gives on its own
      const blocked = yield* startPrompt(server, GOOGLE)
      const pending = yield* waitFor(
        "the permission request",
        api(server, "GET", "/permission").pipe(Effect.map((r) => (r.json as Array<any>).find((p) => p.sessionID === blocked.sessionId)))
      )
      expect(pending).toMatchObject({
        permission: "external_directory",
        patterns: [`${outside}/*`],
        metadata: { filepath: target, parentDir: outside },
        tool: { callID: expect.stringMatching(/^call_/) }
      })
      const event = asked.find((e) => e.type === "permission.asked")
      expect(event?.properties).toMatchObject({ id: pending.id, sessionID: blocked.sessionId, permission: "external_directory" })
      expect((yield* api(server, "GET", "/session/status")).json[blocked.sessionId]).toEqual({ type: "busy" })
      expect(Option.isNone(yield* Fiber.poll(blocked.prompt))).toBe(true)
      // a reject with a message goes back to the model as the tool's error, and the turn goes on
      const replied = yield* api(server, "POST", `/permission/${pending.id}/reply`, { reply: "reject", message: "Stay inside." })
      expect(replied.json).toBe(true)
      const reply = yield* Fiber.join(blocked.prompt)
      expect(textOf(reply)).toBe("answered: The user rejected permission to use this specific tool call with the following feedback: Stay inside.")
      expect(fs.existsSync(target)).toBe(false)
      yield* Fiber.interrupt(watcher)

      // the same call on a session created with a deny rule fails at once, with no request to answer
      const denied = yield* startPrompt(server, GOOGLE, { permission: [{ permission: "external_directory", pattern: "*", action: "deny" }] })
      const deniedReply = yield* Fiber.join(denied.prompt)
      expect(textOf(deniedReply)).toMatch(/^answered: The user has specified a rule which prevents you from using this specific tool call\./)
      expect(fs.existsSync(target)).toBe(false)
      expect(asked.filter((e) => e.type === "permission.asked")).toHaveLength(1)
    }))

  it.scoped("a question blocks on question.asked until answered; tools {question: false} takes the tool away", () =>
    Effect.gen(function*() {
      const server = yield* OpencodeTestServer
      const sim = yield* SimulatedModel
      sim.setOptions({
        script: scriptedTurns([
          questionCall("Which color?", ["Red", "Blue"], "Color"),
          (request) => ({ text: `got: ${toolResults(request).at(-1)?.name}: ${toolResults(request).at(-1)?.content}` })
        ])
      })
      yield* Effect.addFinalizer(() => Effect.sync(() => sim.setOptions({ script: undefined })))

      const blocked = yield* startPrompt(server, OPENAI)
      const pending = yield* waitFor(
        "the question",
        api(server, "GET", "/question").pipe(Effect.map((r) => (r.json as Array<any>).find((q) => q.sessionID === blocked.sessionId)))
      )
      expect(pending.questions).toEqual([
        { question: "Which color?", header: "Color", options: [{ label: "Red", description: "Red" }, { label: "Blue", description: "Blue" }] }
      ])
      expect(Option.isNone(yield* Fiber.poll(blocked.prompt))).toBe(true)
      yield* api(server, "POST", `/question/${pending.id}/reply`, { answers: [["Blue"]] })
      expect(textOf(yield* Fiber.join(blocked.prompt))).toBe(
        "got: question: User has answered your questions: \"Which color?\"=\"Blue\". You can now continue with the user's answers in mind."
      )

      const before = sim.requests.length
      const off = yield* startPrompt(server, OPENAI, { tools: { question: false } })
      const reply = yield* Fiber.join(off.prompt)
      expect(toolsOffered(sim.requests[before]!)).not.toContain("question")
      // a call of a tool that is not offered comes back as a call of `invalid`
      expect(textOf(reply)).toMatch(/^got: invalid: The arguments provided to the tool are invalid: Model tried to call unavailable tool 'question'\./)
    }))
})
