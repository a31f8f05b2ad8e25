import { NodeContext, NodeHttpClient } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Duration, Effect, Layer, Option } from "effect"
import {
  BUILTIN_AGENTS,
  type DecidedRule,
  type LoadedSettings,
  opencodePolicy,
  type OpencodePolicy,
  permissionsOf
} from "../../src/services/delegation"
import { OpenCodeClient } from "../../src/services/pool/OpenCodeClient"
import { SimulatedModel, type SimulatedRequest } from "../../src/simulated/openaiCompatible"
import { OpencodeTestServer, type OpencodeTestServerShape } from "../support/opencodeServer"

// The rulesets made by opencodePolicy against a real `opencode serve` 1.18.33 and a simulated model: OpenCode
// accepts and keeps them, offers the model exactly the tools they leave, and replaces them with a message's `tools`.

const model = { providerID: "openai", modelID: "gpt-5.2-codex" }

const TestLayer = OpencodeTestServer.layer([{ id: "openai", models: [{ id: model.modelID, cost: { input: 1, output: 2 } }] }]).pipe(
  Layer.provideMerge(Layer.mergeAll(SimulatedModel.layer(), OpenCodeClient.layerWithoutDependencies)),
  Layer.provide(Layer.mergeAll(NodeHttpClient.layer, NodeContext.layer))
)

const api = (server: OpencodeTestServerShape, method: string, route: string, body?: unknown) =>
  Effect.promise(async () => {
    const url = new URL(route, server.baseUrl)
    url.searchParams.set("directory", server.directory)
    const response = await fetch(url, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(`opencode:${server.password}`).toString("base64")}`,
        ...(body === undefined ? {} : { "content-type": "application/json" })
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })
    const text = await response.text()
    return { status: response.status, json: text.length > 0 && text.startsWith("{") ? (JSON.parse(text) as Record<string, unknown>) : null, text }
  })

const builtin = (name: string) => Option.fromNullable(BUILTIN_AGENTS.find((a) => a.name === name))

const settings = (permissions: object): LoadedSettings => ({
  source: "project",
  file: "/nowhere/.claude/settings.json",
  root: "/nowhere",
  settings: { permissions: permissions as LoadedSettings["settings"]["permissions"] }
})

const policyFor = (server: OpencodeTestServerShape, agent: string): OpencodePolicy =>
  opencodePolicy({
    agent: builtin(agent),
    permissions: permissionsOf([settings({ deny: ["Bash(touch:*)", "Read(./secrets/**)"], ask: ["WebFetch(domain:example.com)"] })], "/home/nobody"),
    permissionMode: "default",
    directory: server.directory,
    worktree: "/",
    home: "/home/nobody"
  })

const createSession = (server: OpencodeTestServerShape, permission: ReadonlyArray<DecidedRule>) =>
  Effect.gen(function*() {
    const created = yield* api(server, "POST", "/session", { title: "omcm policy test", permission })
    expect(created.status, created.text).toBe(200)
    return String(created.json!.id)
  })

const toolNames = (request: SimulatedRequest): ReadonlyArray<string> => {
  const body = request.body as { tools?: ReadonlyArray<{ function?: { name?: string } }> }
  return (body.tools ?? []).map((t) => t.function?.name ?? "").sort()
}

const lastUserText = (request: SimulatedRequest): string => {
  const body = request.body as { messages?: ReadonlyArray<{ role: string; content: unknown }> }
  const user = body.messages?.filter((m) => m.role === "user").at(-1)
  return typeof user?.content === "string" ? user.content : JSON.stringify(user?.content ?? "")
}

layer(TestLayer, { timeout: Duration.seconds(180), excludeTestServices: true })("opencodePolicy against a real opencode serve", (it) => {
  it.effect("POST /session accepts the ruleset and GET /session/{id} returns it unchanged", () =>
    Effect.gen(function*() {
      const server = yield* OpencodeTestServer
      const policy = policyFor(server, "Explore")
      const id = yield* createSession(server, policy.permission)
      const read = yield* api(server, "GET", `/session/${id}`)
      expect(read.status).toBe(200)
      expect(read.json!.permission).toEqual(policy.permission)
    }))

  it.effect("a rule with an unknown action is refused with 400", () =>
    Effect.gen(function*() {
      const server = yield* OpencodeTestServer
      const refused = yield* api(server, "POST", "/session", { permission: [{ permission: "bash", pattern: "*", action: "maybe" }] })
      expect(refused.status).toBe(400)
    }))

  it.effect("the model is offered exactly the tools the ruleset leaves (built-in Explore: no edit, task or question)", () =>
    Effect.gen(function*() {
      const server = yield* OpencodeTestServer
      const sim = yield* SimulatedModel
      const policy = policyFor(server, "Explore")
      const id = yield* createSession(server, policy.permission)
      const tag = `policy-${Math.random().toString(36).slice(2, 10)}`
      const sent = yield* api(server, "POST", `/session/${id}/message`, {
        parts: [{ type: "text", text: `list the files ${tag}` }],
        model,
        agent: policy.agent,
        system: policy.system
      })
      expect(sent.status, sent.text).toBe(200)
      const request = sim.requests.find((r) => r.url.endsWith("/chat/completions") && lastUserText(r).includes(tag))
      expect(request).toBeDefined()
      const offered = toolNames(request!)
      expect(offered).toEqual(expect.arrayContaining(["bash", "glob", "grep", "read"]))
      for (const hidden of ["edit", "write", "apply_patch", "task", "question"]) expect(offered).not.toContain(hidden)
      expect(JSON.stringify((request!.body as { messages: unknown }).messages)).toContain("You are a file search specialist for Claude Code")
    }))

  it.effect("an agent file's tools list (Read, Grep, Glob) leaves the model read, grep and glob only", () =>
    Effect.gen(function*() {
      const server = yield* OpencodeTestServer
      const sim = yield* SimulatedModel
      const policy = opencodePolicy({
        agent: Option.some({
          name: "explore",
          source: "project",
          file: null,
          description: "project explore",
          systemPrompt: "You explore.",
          tools: ["Read", "Grep", "Glob"],
          disallowedTools: [],
          model: null,
          permissionMode: null,
          readOnly: false
        }),
        permissions: permissionsOf([], "/home/nobody"),
        directory: server.directory,
        worktree: "/",
        home: "/home/nobody"
      })
      const id = yield* createSession(server, policy.permission)
      const tag = `tools-${Math.random().toString(36).slice(2, 10)}`
      const sent = yield* api(server, "POST", `/session/${id}/message`, {
        parts: [{ type: "text", text: `look around ${tag}` }],
        model,
        agent: policy.agent,
        system: policy.system
      })
      expect(sent.status, sent.text).toBe(200)
      const request = sim.requests.find((r) => r.url.endsWith("/chat/completions") && lastUserText(r).includes(tag))
      expect(toolNames(request!)).toEqual(["glob", "grep", "read"])
    }))

  it.effect("a message-body tools map REPLACES the session's ruleset (so the two are never sent together)", () =>
    Effect.gen(function*() {
      const server = yield* OpencodeTestServer
      const policy = policyFor(server, "general-purpose")
      const id = yield* createSession(server, policy.permission)
      const sent = yield* api(server, "POST", `/session/${id}/message`, {
        parts: [{ type: "text", text: "stored only" }],
        noReply: true,
        tools: { bash: false }
      })
      expect(sent.status, sent.text).toBe(200)
      const read = yield* api(server, "GET", `/session/${id}`)
      expect(read.json!.permission).toEqual([{ permission: "bash", pattern: "*", action: "deny" }])
    }))
})
