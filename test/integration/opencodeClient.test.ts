import { HttpClient } from "@effect/platform"
import { NodeContext, NodeHttpClient } from "@effect/platform-node"
import { afterAll, expect, layer } from "@effect/vitest"
import { Duration, Effect, Either, Exit, Fiber, Layer, Scope, Stream } from "effect"
import type { OpenCodeServer } from "../../src/services/pool/opencodeApi"
import { SimulatedModel, type SimulatedRequest } from "../../src/simulated/openaiCompatible"
import { makeOpenCodeClient, OpenCodeClient, type RunRequest } from "../../src/services/pool/OpenCodeClient"
import { freePort, isAlive, OpencodeTestServer } from "../support/opencodeServer"

const model = { providerID: "openai", modelID: "gpt-5.2-codex" }
const prices = { input: 3, output: 12, cache_read: 0.3 }

let serverPid: number | undefined

const TestLayer = OpencodeTestServer.layer([{ id: "openai", models: [{ id: model.modelID, cost: prices }] }]).pipe(
  Layer.provideMerge(Layer.mergeAll(SimulatedModel.layer({ retryAfterSeconds: 1 }), OpenCodeClient.layerWithoutDependencies)),
  Layer.provide(Layer.mergeAll(NodeHttpClient.layer, NodeContext.layer)),
  // the first prompt of a directory boots OpenCode's instance (seconds): pay that once, outside the tests
  Layer.tap((context) =>
    Effect.gen(function*() {
      const server = yield* OpencodeTestServer
      serverPid = server.pid
      const client = yield* OpenCodeClient
      yield* client.run(serverOf(server), request(server.directory, "warm up", 60_000))
    }).pipe(Effect.provide(context))
  )
)

afterAll(() => {
  expect(serverPid).toBeDefined()
  expect(() => process.kill(serverPid!, 0)).toThrow()
  expect(isAlive(serverPid!)).toBe(false)
})

const serverOf = (server: { baseUrl: string; password: string }): OpenCodeServer => ({ baseUrl: server.baseUrl, password: server.password })

const request = (directory: string, text: string, timeoutMs = 30_000): RunRequest => ({
  directory,
  text,
  model,
  title: "omcm test",
  timeoutMs
})

const nonce = () => `n${Math.random().toString(36).slice(2, 10)}`

const lastUserText = (r: SimulatedRequest): string => {
  const body = r.body as { messages?: Array<{ role: string; content: unknown }> } | null
  const user = body?.messages?.filter((m) => m.role === "user").at(-1)
  return typeof user?.content === "string" ? user.content : JSON.stringify(user?.content ?? "")
}

/** The LLM requests OpenCode sent for the prompt carrying `tag`. */
const requestsFor = (sim: { requests: ReadonlyArray<SimulatedRequest> }, tag: string) =>
  sim.requests.filter((r) => r.url.endsWith("/chat/completions") && lastUserText(r).includes(tag))

const waitFor = <A>(what: string, probe: () => A | undefined) =>
  Effect.gen(function*() {
    for (let i = 0; i < 400; i++) {
      const found = probe()
      if (found !== undefined) return found
      yield* Effect.sleep(Duration.millis(50))
    }
    return yield* Effect.dieMessage(`timed out waiting for ${what}`)
  })

const sessionIdOf = (r: SimulatedRequest): string => String(r.headers["x-session-id"])

/** A client of its own that counts the `GET /event` subscriptions it opens. */
const countingClient = Effect.gen(function*() {
  let subscriptions = 0
  const http = yield* HttpClient.HttpClient
  const client = makeOpenCodeClient(
    HttpClient.tapRequest(http, (request) =>
      Effect.sync(() => {
        if (new URL(request.url).pathname === "/event") subscriptions++
      }))
  )
  return { client, subscriptions: () => subscriptions }
}).pipe(Effect.provide(NodeHttpClient.layer))

/** The session must be gone and nothing left running in it. */
const expectCleanedUp = (sessionId: string) =>
  Effect.gen(function*() {
    const server = yield* OpencodeTestServer
    const client = yield* OpenCodeClient
    const status = yield* client.sessionStatus(serverOf(server), server.directory)
    expect(status[sessionId]).toBeUndefined()
    const lookup = yield* Effect.flip(client.getSession(serverOf(server), { sessionId, directory: server.directory }))
    expect(lookup).toMatchObject({ _tag: "OpenCodeBadResponse", status: 404 })
  })

layer(TestLayer, { timeout: Duration.seconds(120), excludeTestServices: true })("OpenCodeClient against a real opencode serve", (it) => {
  it.effect("health reports the server version", () =>
    Effect.gen(function*() {
      const server = yield* OpencodeTestServer
      // the first request to a fresh server can take longer than the 500 ms default on a loaded machine
      const health = yield* (yield* OpenCodeClient).health(serverOf(server), { timeoutMs: 15_000 })
      expect(health).toEqual({ healthy: true, version: "1.18.33" })
    }))

  it.effect("a prompt returns the simulated text with OpenCode's tokens and cost, then the session is deleted", () =>
    Effect.gen(function*() {
      const server = yield* OpencodeTestServer
      const sim = yield* SimulatedModel
      const client = yield* OpenCodeClient
      const tag = nonce()
      sim.setOptions({ cachedTokens: 1000, reasoningTokens: 5 })
      const result = yield* client.run(serverOf(server), request(server.directory, `hello ${tag}`)).pipe(
        Effect.ensuring(Effect.sync(() => sim.setOptions({ cachedTokens: 0, reasoningTokens: 0 })))
      )
      const reply = `Simulated reply (gpt-5.2-codex): hello ${tag}`
      expect(result.text).toBe(reply)
      expect(result.providerID).toBe("openai")
      expect(result.modelID).toBe("gpt-5.2-codex")

      const sent = requestsFor(sim, tag)
      expect(sent).toHaveLength(1)
      const body = sent[0]!.body as { model: string; messages: unknown; tools: unknown }
      expect(body.model).toBe("gpt-5.2-codex")
      const promptTokens = Math.ceil((JSON.stringify(body.messages) + JSON.stringify(body.tools ?? [])).length / 4)
      const words = reply.split(" ").length
      // OpenCode: input = prompt - cached, output = completion - reasoning
      expect(result.tokens).toEqual({ input: promptTokens - 1000, output: words, reasoning: 5, cacheRead: 1000, cacheWrite: 0 })
      const expectedCost = ((promptTokens - 1000) * prices.input + 1000 * prices.cache_read + (words + 5) * prices.output) / 1e6
      expect(result.cost).toBeCloseTo(expectedCost, 9)
      expect(result.sessionId).toBe(sessionIdOf(sent[0]!))
      expect(result.durationMs).toBeGreaterThan(0)
      // the session had a title: OpenCode made no extra LLM call to name it
      expect(sim.requests.some((r) => JSON.stringify(r.body).includes("title generator"))).toBe(false)
      yield* expectCleanedUp(result.sessionId)
    }))

  it.effect("a 429 from the provider fails fast as a rate limit, and OpenCode stops retrying", () =>
    Effect.gen(function*() {
      const server = yield* OpencodeTestServer
      const sim = yield* SimulatedModel
      const client = yield* OpenCodeClient
      const tag = nonce()
      const started = Date.now()
      const error = yield* Effect.flip(client.run(serverOf(server), request(server.directory, `FAULT=429 ${tag}`, 60_000)))
      expect(Date.now() - started).toBeLessThan(15_000)
      expect(error._tag).toBe("OpenCodeProviderError")
      if (error._tag !== "OpenCodeProviderError") return
      expect(error.kind).toBe("rate-limit")
      expect(error.retryAfterMs).toBeGreaterThanOrEqual(0)
      expect(error.retryAfterMs).toBeLessThanOrEqual(3_000)
      expect(error.message).toContain("Rate limit")
      // failed on OpenCode's first retry, not on the error OpenCode itself gives up with after several attempts
      expect(error.message).toContain("OpenCode would retry")

      const attempts = requestsFor(sim, tag)
      expect(attempts.length).toBeGreaterThanOrEqual(1)
      yield* expectCleanedUp(sessionIdOf(attempts[0]!))
      // OpenCode would retry after ~1 s (Retry-After: 1); an aborted session sends nothing more
      yield* Effect.sleep(Duration.millis(2_500))
      expect(requestsFor(sim, tag)).toHaveLength(attempts.length)
    }))

  it.effect("a 500 from the provider fails fast as an `other` provider error", () =>
    Effect.gen(function*() {
      const server = yield* OpencodeTestServer
      const client = yield* OpenCodeClient
      const error = yield* Effect.flip(client.run(serverOf(server), request(server.directory, `FAULT=500 ${nonce()}`)))
      expect(error).toMatchObject({ _tag: "OpenCodeProviderError", kind: "other" })
    }))

  it.effect("a 401 from the provider is an auth error (OpenCode does not retry it)", () =>
    Effect.gen(function*() {
      const server = yield* OpencodeTestServer
      const client = yield* OpenCodeClient
      const error = yield* Effect.flip(client.run(serverOf(server), request(server.directory, `FAULT=401 ${nonce()}`)))
      expect(error).toMatchObject({ _tag: "OpenCodeProviderError", kind: "auth", providerID: "openai", modelID: "gpt-5.2-codex" })
    }))

  it.effect("a malformed provider answer is an `other` provider error", () =>
    Effect.gen(function*() {
      const server = yield* OpencodeTestServer
      const client = yield* OpenCodeClient
      const error = yield* Effect.flip(client.run(serverOf(server), request(server.directory, `FAULT=malformed ${nonce()}`)))
      expect(error).toMatchObject({ _tag: "OpenCodeProviderError", kind: "other" })
    }))

  it.effect("a hanging stream ends in OpenCodeTimeout at the timeout, with the session aborted", () =>
    Effect.gen(function*() {
      const server = yield* OpencodeTestServer
      const sim = yield* SimulatedModel
      const client = yield* OpenCodeClient
      const tag = nonce()
      const started = Date.now()
      const error = yield* Effect.flip(client.run(serverOf(server), request(server.directory, `FAULT=hang ${tag}`, 3_000)))
      const elapsed = Date.now() - started
      expect(error).toMatchObject({ _tag: "OpenCodeTimeout", timeoutMs: 3_000 })
      expect(elapsed).toBeGreaterThanOrEqual(2_900)
      expect(elapsed).toBeLessThan(10_000)
      const sent = requestsFor(sim, tag)
      expect(sent).toHaveLength(1)
      yield* expectCleanedUp(sessionIdOf(sent[0]!))
    }))

  it.effect("interrupting run mid-flight aborts and deletes the session", () =>
    Effect.gen(function*() {
      const server = yield* OpencodeTestServer
      const sim = yield* SimulatedModel
      const client = yield* OpenCodeClient
      const tag = nonce()
      const fiber = yield* Effect.fork(client.run(serverOf(server), request(server.directory, `SLEEP=30000 ${tag}`, 60_000)))
      const sent = yield* waitFor("the LLM request", () => requestsFor(sim, tag)[0])
      yield* Fiber.interrupt(fiber)
      yield* expectCleanedUp(sessionIdOf(sent))
    }))

  it.effect("a wrong password is OpenCodeUnauthorized", () =>
    Effect.gen(function*() {
      const server = yield* OpencodeTestServer
      const client = yield* OpenCodeClient
      const wrong = { baseUrl: server.baseUrl, password: "wrong" }
      expect(yield* Effect.flip(client.health(wrong))).toMatchObject({ _tag: "OpenCodeUnauthorized", port: server.port })
      expect(yield* Effect.flip(client.run(wrong, request(server.directory, "hi")))).toMatchObject({ _tag: "OpenCodeUnauthorized" })
    }))

  it.effect("a closed port is OpenCodeUnreachable", () =>
    Effect.gen(function*() {
      const client = yield* OpenCodeClient
      const port = yield* freePort
      const closed = { baseUrl: `http://127.0.0.1:${port}`, password: "x" }
      expect(yield* Effect.flip(client.run(closed, request("/tmp", "hi")))).toMatchObject({ _tag: "OpenCodeUnreachable", port })
      expect(yield* Effect.flip(client.health(closed))).toMatchObject({ _tag: "OpenCodeUnreachable", port })
    }))

  it.effect("an unknown model is OpenCodeBadResponse (OpenCode answers HTTP 500)", () =>
    Effect.gen(function*() {
      const server = yield* OpencodeTestServer
      const client = yield* OpenCodeClient
      const error = yield* Effect.flip(
        client.run(serverOf(server), { ...request(server.directory, "hi"), model: { providerID: "openai", modelID: "no-such-model" } })
      )
      expect(error).toMatchObject({ _tag: "OpenCodeBadResponse", status: 500 })
      expect(error.message).toContain("openai/no-such-model")
    }))

  it.effect("calls on a shared watcher use its one subscription: replies, a 429 fails fast and a hang times out", () =>
    Effect.gen(function*() {
      const server = yield* OpencodeTestServer
      const sim = yield* SimulatedModel
      const { client, subscriptions } = yield* countingClient
      const watcher = yield* client.sessionWatcher(serverOf(server))
      const project = yield* watcher.directory(server.directory)
      yield* project.ready
      expect(subscriptions()).toBe(1)

      const tags = { ok: [nonce(), nonce(), nonce()], limited: nonce(), hung: nonce() }
      const started = Date.now()
      const run = (text: string, timeoutMs = 60_000) =>
        Effect.either(client.run(serverOf(server), request(server.directory, text, timeoutMs), { watcher }))
      const [ok, limited, hung] = yield* Effect.all([
        Effect.all(tags.ok.map((tag) => run(`hello ${tag}`)), { concurrency: "unbounded" }),
        Effect.tap(run(`FAULT=429 ${tags.limited}`), () => Effect.sync(() => expect(Date.now() - started).toBeLessThan(15_000))),
        run(`FAULT=hang ${tags.hung}`, 3_000)
      ], { concurrency: "unbounded" })
      ok.forEach((result, i) => expect(Either.getOrThrow(result).text).toContain(tags.ok[i]))
      expect(Either.flip(limited)).toMatchObject(Either.right({ _tag: "OpenCodeProviderError", kind: "rate-limit" }))
      // routed from the shared subscription: failed on OpenCode's first retry, not when OpenCode gave up by itself
      expect(Either.flip(limited).pipe(Either.map((e) => e.message), Either.getOrElse(() => ""))).toContain("OpenCode would retry")
      expect(Either.flip(hung)).toMatchObject(Either.right({ _tag: "OpenCodeTimeout", timeoutMs: 3_000 }))
      // no subscription of their own
      expect(subscriptions()).toBe(1)

      const attempts = requestsFor(sim, tags.limited)
      yield* expectCleanedUp(sessionIdOf(attempts[0]!))
      yield* expectCleanedUp(sessionIdOf(requestsFor(sim, tags.hung)[0]!))
      yield* Effect.sleep(Duration.millis(2_500))
      expect(requestsFor(sim, tags.limited)).toHaveLength(attempts.length)
    }).pipe(Effect.scoped))

  it.effect("a call whose watcher closes (its server is going away) fails as OpenCodeUnreachable, with the session cleaned up", () =>
    Effect.gen(function*() {
      const server = yield* OpencodeTestServer
      const sim = yield* SimulatedModel
      const client = yield* OpenCodeClient
      const scope = yield* Scope.make()
      const watcher = yield* client.sessionWatcher(serverOf(server)).pipe(Scope.extend(scope))
      const tag = nonce()
      const fiber = yield* Effect.fork(client.run(serverOf(server), request(server.directory, `SLEEP=30000 ${tag}`, 60_000), { watcher }))
      const sent = yield* waitFor("the LLM request", () => requestsFor(sim, tag)[0])
      yield* Scope.close(scope, Exit.void)
      expect(yield* Effect.flip(Fiber.join(fiber))).toMatchObject({ _tag: "OpenCodeUnreachable", port: server.port })
      yield* expectCleanedUp(sessionIdOf(sent))
    }))

  it.effect("events decode the status changes of a prompt", () =>
    Effect.gen(function*() {
      const server = yield* OpencodeTestServer
      const client = yield* OpenCodeClient
      const seen: Array<string> = []
      const watcher = yield* Effect.fork(
        client.events(serverOf(server), server.directory).pipe(
          Stream.runForEach((event) => Effect.sync(() => seen.push(event.type)))
        )
      )
      yield* waitFor("server.connected", () => (seen.includes("server.connected") ? true : undefined))
      yield* client.run(serverOf(server), request(server.directory, `events ${nonce()}`))
      yield* waitFor("session.idle", () => (seen.includes("session.idle") ? true : undefined))
      yield* Fiber.interrupt(watcher)
      expect(seen).toEqual(expect.arrayContaining(["session.status", "message.updated", "message.part.updated", "session.idle"]))
    }))
})
