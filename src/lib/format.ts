/** 12345 -> "12.3k" */
export const formatTokens = (n: number): string =>
  n >= 1_000_000 ? `${(n / 1_000_000).toFixed(1)}M` : n >= 1_000 ? `${(n / 1_000).toFixed(1)}k` : String(Math.round(n))

/** null means the model has no price in the table */
export const formatCost = (usd: number | null): string =>
  usd === null ? "unpriced" : usd >= 1 ? `$${usd.toFixed(2)}` : `$${usd.toFixed(4)}`

export const formatDuration = (ms: number): string => (ms >= 10_000 ? `${(ms / 1000).toFixed(0)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`)
