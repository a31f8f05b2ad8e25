import { agentName, lookupAgent } from "../router"
import type { AgentMapping, OmcmConfig } from "../../domain/configSchema"
import type { EventSource, TrackedEvent } from "./events"
import { type ExecutionResult, type TokenUsage, zeroTokens } from "../../domain/execution"
import type { Mode, Target, Tier } from "../../domain/model"
import { claudeEquivalentCost, type PriceBook, priceWith, tableBook } from "./pricing"

/** Token counts as callers have them: anything left out is 0. */
export interface TokenCount {
  readonly input: number
  readonly output: number
  readonly reasoning?: number
  readonly cacheRead?: number
  readonly cacheWrite?: number
}

/**
 * A routing decision. A `Decision` spreads into it: `{ ...decision, agent, source, sessionId }`.
 * The seed's `recordRouting({provider, agent, duration, success, cacheHit, tokenCount})` is this with the outcome
 * of the routed work: when `duration` is given the event carries an outcome (latency, success, tokens, cost).
 */
export interface RoutingInput {
  readonly source: EventSource
  readonly agent: string
  /** `openai`, `google`, `anthropic`... (the model id's provider part) */
  readonly provider: string
  /** the model id's part after the provider (`gpt-5.2-codex`), or the whole id (`openai/gpt-5.2-codex`) */
  readonly model?: string | undefined
  /** default: `claude` for the anthropic/claude provider, else `opencode` */
  readonly target?: Target | undefined
  readonly tier?: Tier | undefined
  readonly mode?: Mode | undefined
  readonly sessionId?: string | null | undefined
  readonly reason?: string | undefined
  readonly duration?: number | undefined
  readonly success?: boolean | undefined
  readonly cacheHit?: boolean | undefined
  readonly tokenCount?: TokenCount | undefined
}

/** A finished call on a provider. `success: false` calls are counted as errors and never as savings. */
export interface CallInput {
  readonly source: EventSource
  readonly target: Target
  readonly provider: string
  /** the model id's part after the provider, or the whole `provider/model` id */
  readonly model: string
  readonly tokens: TokenCount
  readonly durationMs: number
  readonly success: boolean
  readonly error?: string | null | undefined
  readonly agent?: string | undefined
  /** default: the agent's tier from the catalog and agent-mapping.json */
  readonly tier?: Tier | undefined
  readonly mode?: Mode | undefined
  readonly sessionId?: string | null | undefined
  /** default: the call read cached tokens */
  readonly cacheHit?: boolean | undefined
  readonly detail?: string | undefined
  /** the candidate asked first (`provider/model`), when another one answered */
  readonly requestedModel?: string | undefined
  /** the candidates given up on the way, and why */
  readonly failovers?: ReadonlyArray<{ readonly id: string; readonly error: string }> | undefined
}

/** What an `ExecutionResult` does not say about itself. */
export interface ExecutionContext {
  readonly source: EventSource
  readonly target: Target
  readonly agent?: string | undefined
  readonly tier?: Tier | undefined
  readonly mode?: Mode | undefined
  readonly sessionId?: string | null | undefined
}

export const fullTokens = (t: TokenCount | undefined): TokenUsage =>
  t === undefined ? zeroTokens : {
    input: t.input,
    output: t.output,
    reasoning: t.reasoning ?? 0,
    cacheRead: t.cacheRead ?? 0,
    cacheWrite: t.cacheWrite ?? 0
  }

const CLAUDE_PROVIDERS = new Set(["anthropic", "claude"])

/** `gpt-5.2-codex` under `openai`; a whole id `openai/gpt-5.2-codex` is cut to its model part. */
const modelPart = (provider: string, model: string): string =>
  model.startsWith(`${provider}/`) ? model.slice(provider.length + 1) : model

const tierOf = (config: OmcmConfig, mapping: AgentMapping, tier: Tier | undefined, agent: string | undefined): Tier | undefined =>
  tier ?? (agent === undefined ? undefined : lookupAgent(config, mapping, agent).tier)

interface Priced {
  readonly cost: number | null
  readonly claudeCost: number | null
}

const price = (
  config: OmcmConfig, book: PriceBook, provider: string, model: string | undefined, target: Target, tier: Tier | undefined, tokens: TokenUsage
): Priced => {
  const cost = model === undefined ? null : priceWith(book, `${provider}/${model}`, tokens)
  const claudeCost = tier !== undefined ? claudeEquivalentCost(config, tier, tokens, book) : target === "claude" ? cost : null
  return { cost, claudeCost }
}

const tokenColumns = (t: TokenUsage) => ({
  inputTokens: t.input,
  outputTokens: t.output,
  reasoningTokens: t.reasoning,
  cacheRead: t.cacheRead,
  cacheWrite: t.cacheWrite
})

/** `book`: the prices to use (default: config.json's table alone) */
export const routingEvent = (
  config: OmcmConfig, mapping: AgentMapping, input: RoutingInput, now: number, book: PriceBook = tableBook(config.prices)
): TrackedEvent => {
  const target = input.target ?? (CLAUDE_PROVIDERS.has(input.provider) ? "claude" : "opencode")
  const model = input.model === undefined ? undefined : modelPart(input.provider, input.model)
  const tier = tierOf(config, mapping, input.tier, input.agent)
  const outcome = input.duration !== undefined
  const tokens = fullTokens(input.tokenCount)
  const priced = outcome ? price(config, book, input.provider, model, target, tier, tokens) : { cost: null, claudeCost: null }
  return {
    ts: now,
    kind: "routing",
    source: input.source,
    sessionId: input.sessionId ?? null,
    agent: agentName(input.agent),
    tier: tier ?? null,
    mode: input.mode ?? null,
    target,
    provider: input.provider,
    model: model ?? null,
    success: outcome ? input.success !== false : true,
    cacheHit: outcome && input.cacheHit === true,
    durationMs: outcome ? Math.max(0, input.duration ?? 0) : 0,
    ...tokenColumns(outcome ? tokens : zeroTokens),
    cost: priced.cost,
    claudeCost: priced.claudeCost,
    detail: input.reason ?? null,
    outcome
  }
}

export const callEvent = (
  config: OmcmConfig, mapping: AgentMapping, input: CallInput, now: number, book: PriceBook = tableBook(config.prices)
): TrackedEvent => {
  const model = modelPart(input.provider, input.model)
  const tier = tierOf(config, mapping, input.tier, input.agent)
  const tokens = fullTokens(input.tokens)
  const priced = price(config, book, input.provider, model, input.target, tier, tokens)
  return {
    ts: now,
    kind: "call",
    source: input.source,
    sessionId: input.sessionId ?? null,
    agent: input.agent === undefined ? null : agentName(input.agent),
    tier: tier ?? null,
    mode: input.mode ?? null,
    target: input.target,
    provider: input.provider,
    model,
    success: input.success,
    cacheHit: input.cacheHit ?? tokens.cacheRead > 0,
    durationMs: Math.max(0, input.durationMs),
    ...tokenColumns(tokens),
    cost: priced.cost,
    claudeCost: priced.claudeCost,
    error: input.success ? null : (input.error ?? "failed"),
    detail: input.detail ?? null,
    ...(input.requestedModel === undefined ? {} : { requestedModel: input.requestedModel }),
    ...(input.failovers === undefined || input.failovers.length === 0 ? {} : { failovers: input.failovers }),
    outcome: true
  }
}

/** A delegated call's result as a call: success is exit code 0, its stderr is the error. */
export const executionCall = (result: ExecutionResult, context: ExecutionContext): CallInput => ({
  ...context,
  provider: result.provider,
  model: result.model,
  tokens: result.tokens,
  durationMs: result.executionTime,
  requestedModel: result.requestedModel,
  failovers: result.failovers,
  success: result.exitCode === 0,
  error: result.exitCode === 0 ? null : (result.stderr.trim().split("\n")[0] || `exit code ${result.exitCode}`)
})
