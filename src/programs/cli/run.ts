import { Args, Command, Options } from "@effect/cli"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { InputError } from "../../domain/errors"
import { type ExecutionResult, totalTokens } from "../../domain/execution"
import type { OmcmConfig } from "../../domain/configSchema"
import { detectMode, FusionRouter } from "../../services/router"
import { priceCall, Tracker } from "../../services/tracker"
import { type Decision, type Mode, splitModelId } from "../../domain/model"
import { HookLive } from "../../layers/core"
import { Config } from "../../services/config"
import { exhaustedAttempts } from "../../services/balancer"
import { formatCost, formatDuration, formatTokens } from "../../lib/format"
import { ClaudeExecutor, type ClaudeExecutorError } from "../../services/executor"
import { type DelegationError, Delegator } from "../../services/daemon"

export interface RunArgs {
  readonly prompt: string
  readonly agent: Option.Option<string>
  readonly mode: Option.Option<Mode>
  readonly model: Option.Option<string>
  readonly usage: Option.Option<number>
  readonly timeout: Option.Option<number>
  readonly json: boolean
}

const MODEL_ID = /^[A-Za-z0-9._-]+\/[A-Za-z0-9._:/-]+$/

/** `--model provider/model` decides the target by itself: an `anthropic/...` model runs on Claude. */
const forced = (decision: Decision, model: string): Decision => {
  const { model: id, provider } = splitModelId(model)
  const target = provider === "anthropic" ? "claude" : "opencode"
  const { candidates: _tierCandidates, ...named } = decision
  return { ...named, target, provider, model: id, reason: `--model ${model} was given, so the work runs on ${target === "claude" ? "Claude" : "OpenCode"}.` }
}

/** the cost line prices the call with the configured table, as `omcm stats` does (unpriced, never $0) */
const summary = (prices: OmcmConfig["prices"], decision: Decision, result: ExecutionResult, via: string) =>
  `── ${decision.target === "claude" ? "Claude" : "OpenCode"} ${result.provider}/${result.model} · ${formatTokens(totalTokens(result.tokens))} tokens (${formatTokens(result.tokens.input)} in, ${formatTokens(result.tokens.output)} out) · ${formatCost(priceCall(prices, `${result.provider}/${result.model}`, result.tokens))} · ${formatDuration(result.executionTime)} · ${via}`

export const runProgram = (args: RunArgs) =>
  Effect.gen(function*() {
    if (args.prompt.trim().length === 0) return yield* new InputError({ message: "run: the prompt is empty" })
    if (Option.isSome(args.model) && !MODEL_ID.test(args.model.value)) {
      return yield* new InputError({ message: `--model: expected provider/model, got ${JSON.stringify(args.model.value)}` })
    }
    const { config } = yield* Config
    const router = yield* FusionRouter
    const detected = detectMode(args.prompt, config.modes)
    const prompt = detected?.task && detected.task.length > 0 ? detected.task : args.prompt
    const routed = yield* router.decide({
      agent: Option.getOrUndefined(args.agent),
      prompt: args.prompt,
      mode: Option.getOrUndefined(args.mode),
      usage: Option.getOrUndefined(args.usage)
    })
    const decision = Option.match(args.model, { onNone: () => routed, onSome: (m) => forced(routed, m) })
    const timeoutMs = Option.getOrElse(args.timeout, () => config.pool.requestTimeoutSeconds) * 1000
    if (!args.json) yield* Console.error(`omcm: ${decision.reason}`)

    const tracker = yield* Tracker
    const agent = Option.getOrElse(args.agent, () => "general-purpose")
    const context = { source: "run" as const, agent, tier: decision.tier, mode: decision.mode }
    yield* tracker.recordRouting({ ...decision, ...context })
    const started = yield* Clock.currentTimeMillis
    const execution: Effect.Effect<{ readonly result: ExecutionResult; readonly via: string }, DelegationError | ClaudeExecutorError, Delegator | ClaudeExecutor> = decision.target === "opencode"
      ? Effect.flatMap(Delegator, (d) =>
        d.delegate({
          prompt,
          model: `${decision.provider}/${decision.model}`,
          candidates: decision.candidates,
          directory: process.cwd(),
          timeoutMs
        }))
      : Effect.flatMap(ClaudeExecutor, (c) =>
        c.execute({ prompt, model: decision.model, cwd: process.cwd(), timeoutMs, env: { OMCM_DELEGATED: "1" } })).pipe(
          Effect.map((result) => ({ result, via: "claude -p" }))
        )
    const { result, via } = yield* execution.pipe(
      Effect.tapError((error) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          tracker.recordCall({
            ...context,
            target: decision.target,
            provider: decision.provider,
            model: decision.model,
            tokens: { input: 0, output: 0 },
            durationMs: now - started,
            success: false,
            error: error._tag,
            failovers: exhaustedAttempts(error)
          })).pipe(Effect.ignore))
    )
    yield* tracker.recordExecution(result, { ...context, target: decision.target })
    yield* Console.log(args.json ? JSON.stringify({ decision, via, result }) : `${result.stdout}\n${summary(config.prices, decision, result, via)}`)
  })

const ExecutionLive = Layer.mergeAll(Delegator.layer, ClaudeExecutor.layer)

export const runCommand = Command.make(
  "run",
  {
    prompt: Args.text({ name: "prompt" }).pipe(Args.withDescription("the task; mode keywords (hulw, ulw, autopilot) are detected in it")),
    agent: Options.text("agent").pipe(Options.withDescription("sub-agent whose tier decides the route (default general-purpose)"), Options.optional),
    mode: Options.choice("mode", ["hulw", "ulw", "autopilot", "off"]).pipe(Options.optional),
    model: Options.text("model").pipe(Options.withDescription("run on this provider/model, whatever the router says"), Options.optional),
    usage: Options.float("usage").pipe(Options.withDescription("Claude usage % to assume"), Options.optional),
    timeout: Options.integer("timeout").pipe(Options.withDescription("seconds (default pool.requestTimeoutSeconds)"), Options.optional),
    json: Options.boolean("json")
  },
  (args) => runProgram(args).pipe(Effect.provide(Layer.mergeAll(HookLive, ExecutionLive)))
).pipe(Command.withDescription("Route one task with FusionRouter and run it on OpenCode (pool) or Claude (claude -p)"))
