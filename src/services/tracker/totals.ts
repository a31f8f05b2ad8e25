/**
 * Sums over a set of tracked events. Routing counts decisions; every other figure counts events that carry an
 * outcome (calls). `cost` is USD of the priced ones; `unpriced` counts those whose model has no price.
 */
export interface Totals {
  readonly routed: number
  readonly calls: number
  readonly errors: number
  readonly cacheHits: number
  readonly durationMs: number
  readonly input: number
  readonly output: number
  readonly reasoning: number
  readonly cacheRead: number
  readonly cacheWrite: number
  readonly cost: number
  readonly unpriced: number
  readonly claudeCost: number
  readonly claudeUnpriced: number
}

export const zeroTotals: Totals = {
  routed: 0, calls: 0, errors: 0, cacheHits: 0, durationMs: 0, input: 0, output: 0, reasoning: 0, cacheRead: 0,
  cacheWrite: 0, cost: 0, unpriced: 0, claudeCost: 0, claudeUnpriced: 0
}

export const addTotals = (a: Totals, b: Totals): Totals => ({
  routed: a.routed + b.routed,
  calls: a.calls + b.calls,
  errors: a.errors + b.errors,
  cacheHits: a.cacheHits + b.cacheHits,
  durationMs: a.durationMs + b.durationMs,
  input: a.input + b.input,
  output: a.output + b.output,
  reasoning: a.reasoning + b.reasoning,
  cacheRead: a.cacheRead + b.cacheRead,
  cacheWrite: a.cacheWrite + b.cacheWrite,
  cost: a.cost + b.cost,
  unpriced: a.unpriced + b.unpriced,
  claudeCost: a.claudeCost + b.claudeCost,
  claudeUnpriced: a.claudeUnpriced + b.claudeUnpriced
})

export const tokensOf = (t: Totals): number => t.input + t.output + t.reasoning + t.cacheRead + t.cacheWrite
