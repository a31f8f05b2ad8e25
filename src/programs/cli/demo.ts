import { Command, Options } from "@effect/cli"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { totalTokens } from "../../domain/execution"
import { claudeEquivalentCost, describeEstimate, priceCall } from "../../services/tracker"
import { route } from "../../services/router"
import { splitModelId } from "../../domain/model"
import { ConfigLive } from "../../layers/core"
import { PoolRuntimeLive, resolveBinary, makeServerPool } from "../../services/pool"
import { formatCost, formatDuration, formatTokens } from "../../lib/format"
import { renderTable } from "../../lib/table"
import { Config } from "../../services/config"
import { SimulatedModel } from "../../simulated/openaiCompatible"
import { simulatedServeEnv } from "../../simulated/simulatedOpencode"

/** A hulw session's sub-agent calls, across the three tiers (the seed's agents). */
const WORKLOAD: ReadonlyArray<{ readonly agent: string; readonly prompt: string }> = [
  { agent: "oh-my-claudecode:architect", prompt: "Design the module boundaries for a billing service" },
  { agent: "oh-my-claudecode:executor", prompt: "Implement the invoice repository with pagination" },
  { agent: "oh-my-claudecode:explore", prompt: "Find every place that formats currency" },
  { agent: "oh-my-claudecode:writer", prompt: "Write the README section on invoices" },
  { agent: "oh-my-claudecode:researcher", prompt: "Compare two PDF rendering libraries" },
  { agent: "oh-my-claudecode:build-fixer-low", prompt: "Fix the failing type check in invoice.ts" },
  { agent: "oh-my-claudecode:critic", prompt: "Review the billing design for risks" },
  { agent: "oh-my-claudecode:tdd-guide", prompt: "Write the tests for the invoice repository" }
]

const BANNER = [
  "omcm demo: a hulw session's sub-agent calls, routed by FusionRouter and run on a real pool of OpenCode servers.",
  "SIMULATED MODEL: every OpenCode server here talks to a simulated OpenAI-compatible endpoint inside this process.",
  "No real provider is called, no API key is needed; replies and token counts are made up, prices come from your config."
].join("\n")

/**
 * `omcm demo`: the main job on a fresh machine. Starts the simulated model endpoint in-process, a real pool of
 * `opencode serve` processes pointed at it (with their own temporary home), routes a workload in hulw mode, runs the
 * OpenCode share in parallel, and prints the routing table, each call, and the Claude tokens saved.
 */
/** the demo runs no Claude sub-agent: its savings are estimated from the delegated calls' own tokens, and say so */
const ownWorkEstimate = (calls: number) => ({
  claudeTokens: 0, claudeCost: 0, claudeUnpriced: 0, samples: 0, methods: [{ method: "own-work" as const, calls, samples: 0 }]
})

export const demoProgram = (options: { readonly servers: number; readonly latencyMs: number }) =>
  Effect.scoped(
    Effect.gen(function*() {
      const { config, mapping } = yield* Config
      yield* Console.log(`${BANNER}\n`)
      const root = yield* Effect.acquireRelease(
        Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "omcm-demo-"))),
        (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
      )
      const projectDir = path.join(root, "project")
      fs.mkdirSync(projectDir)
      const model = yield* SimulatedModel.make({ latencyMs: options.latencyMs })
      const bin = yield* resolveBinary("opencode", config.pool.opencodeBin, "OMCM_OPENCODE_BIN", process.env)

      const usage = { percent: 0, fiveHour: null, weekly: null, source: "unknown" as const }
      const decisions = WORKLOAD.map((w) => ({ ...w, decision: route({ config, mapping, agent: w.agent, mode: "hulw", usage, heavy: false }) }))
      yield* Console.log(renderTable(
        ["agent", "tier", "target", "model", "why"],
        decisions.map(({ agent, decision: d }) => [
          agent.replace(/^.*:/, ""),
          d.tier,
          d.target === "claude" ? "Claude" : "OpenCode",
          `${d.provider}/${d.model}`,
          d.reason
        ]),
        ["l", "l", "l", "l", "l"]
      ))
      const delegated = decisions.filter((d) => d.decision.target === "opencode")

      const started = yield* Clock.currentTimeMillis
      yield* Console.log(`\nstarting ${options.servers} opencode server(s) (cold start takes a few seconds)...`)
      const pool = yield* makeServerPool({
        minServers: options.servers,
        maxServers: options.servers,
        basePort: config.pool.basePort,
        autoScale: false,
        projectDir,
        healthIntervalMs: config.pool.healthIntervalSeconds * 1000,
        requestTimeoutMs: config.pool.requestTimeoutSeconds * 1000,
        slotsPerServer: config.pool.slotsPerServer,
        scaleDownAfterMs: config.pool.scaleDownAfterSeconds * 1000,
        maxWorkers: Math.max(config.routing.maxOpencodeWorkers, delegated.length),
        startTimeoutMs: config.pool.startTimeoutSeconds * 1000,
        opencodeBin: bin,
        env: simulatedServeEnv({ baseUrl: model.baseUrl, xdgRoot: path.join(root, "opencode"), config }),
        registryDir: path.join(root, "pools")
      })
      const status = yield* pool.initialize
      const ready = yield* Clock.currentTimeMillis
      yield* Console.log(`pool up in ${formatDuration(ready - started)}: ports ${status.servers.map((s) => s.port).join(", ")}; running ${delegated.length} delegated calls in parallel...\n`)

      const calls = yield* Effect.forEach(
        delegated,
        ({ agent, decision, prompt }) =>
          pool.execute(prompt, { model: `${decision.provider}/${decision.model}`, title: `omcm demo: ${agent}` }).pipe(
            Effect.either,
            Effect.map((outcome) => ({ agent, decision, outcome }))
          ),
        { concurrency: "unbounded" }
      )
      const finished = yield* Clock.currentTimeMillis

      let tokens = 0
      let providerCost = 0
      let claudeCost = 0
      let unpriced = 0
      const rows = calls.map(({ agent, decision, outcome }) => {
        const name = agent.replace(/^.*:/, "")
        if (outcome._tag === "Left") return [name, `${decision.provider}/${decision.model}`, "failed", "", "", outcome.left.message.slice(0, 40)]
        const r = outcome.right
        const cost = priceCall(config.prices, `${r.provider}/${r.model}`, r.tokens)
        const onClaude = claudeEquivalentCost(config, decision.tier, r.tokens)
        tokens += totalTokens(r.tokens)
        if (cost === null) unpriced++
        else providerCost += cost
        claudeCost += onClaude ?? 0
        return [name, `${r.provider}/${r.model}`, formatTokens(r.tokens.input), formatTokens(r.tokens.output), formatCost(cost), `${formatDuration(r.executionTime)} :${r.serverPort}`]
      })
      yield* Console.log(renderTable(["call", "model", "in", "out", "cost", "time / server"], rows, ["l", "l", "r", "r", "r", "r"]))
      const ok = calls.filter((c) => c.outcome._tag === "Right").length
      const kept = decisions.length - delegated.length
      const claudeModels = [...new Set(decisions.filter((d) => d.decision.target === "claude").map((d) => splitModelId(config.models[d.decision.tier].claude).model))]
      yield* Console.log([
        "",
        `${ok}/${delegated.length} delegated calls done in ${formatDuration(finished - ready)} (in parallel on ${status.servers.length} server(s)); ${kept} HIGH-tier call(s) stay on Claude (${claudeModels.join(", ")}), not run in the demo.`,
        `Claude tokens saved: ${formatTokens(tokens)}, ${describeEstimate(ownWorkEstimate(ok))} — ${formatCost(providerCost)}${unpriced > 0 ? ` (+${unpriced} unpriced)` : ""} on OpenCode providers instead of ${formatCost(claudeCost)} on the Claude models of their tiers.`,
        "",
        "Next: omcm route <agent> --mode hulw · omcm pool start --detach · omcm install (statusline) · claude --plugin-dir <this package>"
      ].join("\n"))
    })
  )

export const demoCommand = Command.make(
  "demo",
  {
    servers: Options.integer("servers").pipe(Options.withDescription("opencode servers in the pool (default 2)"), Options.withDefault(2)),
    latency: Options.integer("latency").pipe(Options.withDescription("simulated model latency in ms (default 1500)"), Options.withDefault(1500))
  },
  ({ latency, servers }) =>
    demoProgram({ servers: Math.min(4, Math.max(1, servers)), latencyMs: Math.max(0, latency) }).pipe(Effect.provide(PoolRuntimeLive), Effect.provide(ConfigLive))
).pipe(Command.withDescription("Show omcm end to end on a simulated model: routing, a real OpenCode pool, costs and savings (no API keys)"))
