import { NodeContext, NodeHttpClient } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Duration, Effect, Layer } from "effect"
import type { OpenCodeServer } from "../../src/services/pool/opencodeApi"
import { OpenCodeClient, type RunRequest } from "../../src/services/pool/OpenCodeClient"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import {
  bashCall,
  questionCall,
  type ScriptStep,
  scriptedTurns,
  SimulatedModel,
  type SimulatedRequest,
  toolResults,
  writeFile
} from "../../src/simulated/openaiCompatible"
import { OpencodeTestServer } from "../support/opencodeServer"

// What a delegated session is given (system text, tools, a permission ruleset) and how it is given up when it
// stalls, against the real opencode serve and the simulated model.

const model = { providerID: "openai", modelID: "gpt-5.2-codex" }

const TestLayer = OpencodeTestServer.layer([{ id: "openai", models: [{ id: model.modelID }] }]).pipe(
  Layer.provideMerge(Layer.mergeAll(SimulatedModel.layer(), OpenCodeClient.layerWithoutDependencies)),
  Layer.provide(Layer.mergeAll(NodeHttpClient.layer, NodeContext.layer)),
  Layer.tap((context) =>
    Effect.gen(function*() {
      const server = yield* OpencodeTestServer
      yield* (yield* OpenCodeClient).run(serverOf(server), request(server.directory, "warm up", { timeoutMs: 60_000 }))
    }).pipe(Effect.provide(context))
  )
)

const serverOf = (server: { baseUrl: string; password: string }): OpenCodeServer => ({ baseUrl: server.baseUrl, password: server.password })

const request = (directory: string, text: string, extra: Partial<RunRequest> = {}): RunRequest => ({
  directory,
  text,
  model,
  title: "omcm test",
  timeoutMs: 30_000,
  ...extra
})

const nonce = () => `n${Math.random().toString(36).slice(2, 10)}`

/** one run on a fresh session, the simulated model playing `steps` */
const runScripted = (steps: ReadonlyArray<ScriptStep>, extra: Partial<RunRequest> = {}) =>
  Effect.gen(function*() {
    const server = yield* OpencodeTestServer
    const sim = yield* SimulatedModel
    sim.setOptions({ script: scriptedTurns(steps) })
    const started = Date.now()
    const result = yield* (yield* OpenCodeClient).run(serverOf(server), request(server.directory, `go ${nonce()}`, extra)).pipe(
      Effect.ensuring(Effect.sync(() => sim.setOptions({ script: undefined })))
    )
    const requests = sim.requests.filter((r) => r.url.endsWith("/chat/completions") && r.headers["x-session-id"] === result.sessionId)
    return { result, requests, tookMs: Date.now() - started, directory: server.directory }
  })

const llmRequestsFor = (requests: ReadonlyArray<SimulatedRequest>, tag: string) =>
  requests.filter((r) => r.url.endsWith("/chat/completions") && JSON.stringify(r.body).includes(tag))

layer(TestLayer, { timeout: Duration.seconds(120), excludeTestServices: true })("a delegated session on the real opencode serve", (it) => {
  it.effect("the system text reaches the model, and the tools its ruleset denies are not offered", () =>
    Effect.gen(function*() {
      const server = yield* OpencodeTestServer
      const sim = yield* SimulatedModel
      const tag = nonce()
      const result = yield* (yield* OpenCodeClient).run(serverOf(server), request(server.directory, `explore ${tag}`, {
        policy: {
          system: `You are the explore agent ${tag}: read, never write.`,
          permission: [
            { permission: "*", pattern: "*", action: "allow" },
            { permission: "edit", pattern: "*", action: "deny" },
            { permission: "bash", pattern: "*", action: "deny" },
            { permission: "question", pattern: "*", action: "deny" },
            { permission: "external_directory", pattern: "*", action: "deny" }
          ]
        }
      }))
      expect(result.text).toContain(tag)
      const sent = llmRequestsFor(sim.requests, tag)
      expect(sent.length).toBeGreaterThan(0)
      const body = sent[0]!.body as { messages: Array<{ role: string; content: unknown }>; tools?: Array<{ function?: { name?: string } }> }
      const system = body.messages.filter((m) => m.role === "system").map((m) => JSON.stringify(m.content)).join("\n")
      expect(system).toContain(`You are the explore agent ${tag}`)
      const offered = (body.tools ?? []).map((t) => t.function?.name)
      for (const off of ["question", "bash", "edit", "write", "apply_patch"]) expect(offered).not.toContain(off)
      expect(offered).toContain("read")
      expect(result.refused).toEqual([])
    }))

  it.effect("a provider that accepts the connection and never answers is given up after the first-output timeout", () =>
    Effect.gen(function*() {
      const server = yield* OpencodeTestServer
      const started = Date.now()
      const error = yield* Effect.flip((yield* OpenCodeClient).run(
        serverOf(server),
        request(server.directory, `FAULT=hang ${nonce()}`, { firstOutputTimeoutMs: 2_000, idleTimeoutMs: 10_000 })
      ))
      expect(error).toMatchObject({ _tag: "OpenCodeStalled", reason: "first-output", afterMs: 2_000, providerID: "openai" })
      expect(Date.now() - started).toBeLessThan(15_000)
    }))

  it.effect("a session with no event at all for the idle timeout is given up", () =>
    Effect.gen(function*() {
      const server = yield* OpencodeTestServer
      const error = yield* Effect.flip((yield* OpenCodeClient).run(
        serverOf(server),
        request(server.directory, `FAULT=hang ${nonce()}`, { idleTimeoutMs: 2_000 })
      ))
      expect(error).toMatchObject({ _tag: "OpenCodeStalled", reason: "idle", afterMs: 2_000 })
    }))

  it.effect("a slow but streaming model is not given up", () =>
    Effect.gen(function*() {
      const server = yield* OpencodeTestServer
      const sim = yield* SimulatedModel
      sim.setOptions({ chunkDelayMs: 400 })
      const tag = nonce()
      const result = yield* (yield* OpenCodeClient).run(
        serverOf(server),
        request(server.directory, `a long answer please ${tag}`, { idleTimeoutMs: 1_500, firstOutputTimeoutMs: 3_000 })
      ).pipe(Effect.ensuring(Effect.sync(() => sim.setOptions({ chunkDelayMs: 0 }))))
      expect(result.text).toContain(tag)
    }))

  it.effect("a write outside the project asks for a permission nobody can give: it is refused at once and the turn goes on", () =>
    Effect.gen(function*() {
      const outside = fs.mkdtempSync(path.join(os.tmpdir(), "omcm-outside-"))
      const target = path.join(outside, "escape.txt")
      const { requests, result, tookMs } = yield* runScripted([writeFile(target, "out"), { text: "finished without it" }])
      expect(fs.existsSync(target)).toBe(false)
      expect(result.text).toBe("finished without it")
      expect(result.refused).toEqual([`external_directory (${outside}/*)`])
      // the model was told no, in the tool's result
      expect(JSON.stringify(toolResults(requests.at(-1)!))).toContain("Not allowed")
      expect(tookMs).toBeLessThan(15_000)
      fs.rmSync(outside, { recursive: true, force: true })
    }))

  it.effect("a question nobody can answer is answered so at once, and the turn goes on", () =>
    Effect.gen(function*() {
      const { requests, result, tookMs } = yield* runScripted([
        questionCall("Which database should I use?", ["Postgres", "SQLite"]),
        { text: "picked one myself" }
      ])
      expect(result.text).toBe("picked one myself")
      expect(result.refused).toEqual(["question: Which database should I use?"])
      expect(JSON.stringify(toolResults(requests.at(-1)!))).toContain("Nobody can answer")
      expect(tookMs).toBeLessThan(15_000)
    }))

  it.effect("the files a session wrote and changed are listed, relative to its directory", () =>
    Effect.gen(function*() {
      const tag = nonce()
      const { directory, result } = yield* runScripted([
        writeFile(`notes-${tag}.md`, "# notes\n"),
        bashCall(`echo done > marker-${tag}.txt`),
        { text: "wrote the notes" }
      ])
      expect(fs.readFileSync(path.join(directory, `notes-${tag}.md`), "utf8")).toContain("# notes")
      expect(result.changedFiles.map((f) => f.path)).toContain(`notes-${tag}.md`)
    }))
})
