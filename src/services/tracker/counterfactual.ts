import type { SummaryRow } from "./TrackerStore"
import { addTotals, tokensOf, type Totals, zeroTotals } from "./totals"

/**
 * How the Claude side of a saving was estimated. `agent`: from recorded Claude runs (PostToolUse totals) of the same
 * sub-agent; `tier`: of other sub-agents of the same tier; `own-work`: no Claude run to learn from, so the delegated
 * call's own tokens priced on its tier's Claude model (OpenCode's system prompt included: a rough estimate).
 */
export type EstimateMethod = "agent" | "tier" | "own-work"

export interface MethodShare {
  readonly method: EstimateMethod
  /** delegated calls estimated this way */
  readonly calls: number
  /** Claude runs behind the estimate (0 for own-work) */
  readonly samples: number
}

/** What the delegated calls would have cost had they run on Claude, and how that was estimated. */
export interface Counterfactual {
  readonly claudeTokens: number
  /** USD of the priced part */
  readonly claudeCost: number
  /** delegated calls whose estimate has no price */
  readonly claudeUnpriced: number
  /** the methods used, most calls first */
  readonly methods: ReadonlyArray<MethodShare>
  /** Claude runs behind the whole estimate */
  readonly samples: number
}

interface Sample {
  readonly runs: number
  readonly tokens: number
  readonly cost: number
  readonly priced: number
}

const isClaudeRun = (key: SummaryRow["key"]) =>
  key.kind === "call" && key.target === "claude" && key.source === "claude-subagent" && key.success === "1"

/** Real Claude sub-agent runs by agent and by tier, from rows grouped by kind, target, source, success, agent, tier. */
export const claudeSamples = (rows: ReadonlyArray<SummaryRow>) => {
  const byAgent = new Map<string, Totals>()
  const byTier = new Map<string, Totals>()
  for (const { key, totals } of rows) {
    if (!isClaudeRun(key)) continue
    if (key.agent) byAgent.set(key.agent, addTotals(byAgent.get(key.agent) ?? zeroTotals, totals))
    if (key.tier) byTier.set(key.tier, addTotals(byTier.get(key.tier) ?? zeroTotals, totals))
  }
  const sample = (t: Totals | undefined): Sample | undefined =>
    t === undefined || t.calls === 0 ? undefined : { runs: t.calls, tokens: tokensOf(t), cost: t.cost, priced: t.calls - t.unpriced }
  return {
    agent: (agent: string) => sample(byAgent.get(agent)),
    tier: (tier: string) => sample(byTier.get(tier))
  }
}
export type ClaudeSamples = ReturnType<typeof claudeSamples>

/**
 * The counterfactual of successful OpenCode calls (`delegated`: rows of them grouped by agent and tier): each group
 * at the mean Claude run of its agent, else of its tier, else at its own tokens' price on Claude.
 */
export const counterfactualOf = (delegated: ReadonlyArray<SummaryRow>, samples: ClaudeSamples): Counterfactual => {
  let claudeTokens = 0, claudeCost = 0, claudeUnpriced = 0
  const calls: Record<EstimateMethod, number> = { agent: 0, tier: 0, "own-work": 0 }
  const used: Record<EstimateMethod, Map<string, number>> = { agent: new Map(), tier: new Map(), "own-work": new Map() }
  for (const { key, totals } of delegated) {
    if (totals.calls === 0) continue
    const byAgent = key.agent ? samples.agent(key.agent) : undefined
    const byTier = byAgent === undefined && key.tier ? samples.tier(key.tier) : undefined
    const sample = byAgent ?? byTier
    if (sample === undefined) {
      calls["own-work"] += totals.calls
      claudeTokens += tokensOf(totals)
      claudeCost += totals.claudeCost
      claudeUnpriced += totals.claudeUnpriced
      continue
    }
    const method: EstimateMethod = byAgent !== undefined ? "agent" : "tier"
    calls[method] += totals.calls
    used[method].set(method === "agent" ? key.agent! : key.tier!, sample.runs)
    claudeTokens += (totals.calls * sample.tokens) / sample.runs
    if (sample.priced > 0) claudeCost += (totals.calls * sample.cost) / sample.priced
    else claudeUnpriced += totals.calls
  }
  const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0)
  const methods = (["agent", "tier", "own-work"] as const)
    .filter((m) => calls[m] > 0)
    .map((m) => ({ method: m, calls: calls[m], samples: sum(used[m]) }))
    .sort((a, b) => b.calls - a.calls)
  return { claudeTokens: Math.round(claudeTokens), claudeCost, claudeUnpriced, methods, samples: methods.reduce((n, m) => n + m.samples, 0) }
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`

const shareText = (m: MethodShare): string =>
  m.method === "own-work"
    ? "the delegated calls' own tokens (0 recorded Claude runs to compare with)"
    : `${plural(m.samples, "recorded Claude run")} of the same ${m.method}`

/**
 * How an estimate was made, in words: `estimated from 12 recorded Claude runs of the same agent`; with several
 * methods, each with its calls: `estimated: 3 calls from 12 recorded Claude runs of the same agent, 1 call from ...`.
 */
export const describeEstimate = (c: Counterfactual): string => {
  if (c.methods.length === 0) return "no estimate (nothing delegated)"
  if (c.methods.length === 1) return `estimated from ${shareText(c.methods[0]!)}`
  return `estimated: ${c.methods.map((m) => `${plural(m.calls, "call")} from ${shareText(m)}`).join(", ")}`
}

/** the short form for the statusline: `from 12 Claude runs` or `own-work estimate, 0 Claude runs` */
export const shortEstimate = (c: Counterfactual): string =>
  c.methods.length === 0
    ? "no estimate"
    : c.samples === 0
    ? "own-work estimate, 0 Claude runs"
    : `from ${plural(c.samples, "Claude run")}${c.methods.some((m) => m.method === "own-work") ? " + own-work estimate" : ""}`
