/** 12345 -> "12.3k" */
export const formatTokens = (n: number): string =>
  n >= 1_000_000 ? `${(n / 1_000_000).toFixed(1)}M` : n >= 1_000 ? `${(n / 1_000).toFixed(1)}k` : String(Math.round(n))

/** null means the model has no price in the table */
export const formatCost = (usd: number | null): string =>
  usd === null ? "unpriced" : usd >= 1 ? `$${usd.toFixed(2)}` : `$${usd.toFixed(4)}`

/** "850 ms", "1.2 s", "42 s": one call's duration in a sentence */
export const formatDuration = (ms: number): string => (ms >= 10_000 ? `${(ms / 1000).toFixed(0)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`)

/** compact, for table cells: "850ms", "1.2s", "3.5m" */
export const formatMs = (ms: number): string =>
  ms < 1000 ? `${Math.round(ms)}ms` : ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : `${(ms / 60_000).toFixed(1)}m`

/** a sum of dollars in a table: "$0.00", "$0.0123", "$1.50" */
export const formatUsd = (usd: number): string => `$${usd === 0 ? "0.00" : usd >= 0.1 ? usd.toFixed(2) : usd.toFixed(4)}`

/** A cost cell: "unpriced" when nothing is priced, never $0 for a model missing from the price table. */
export const formatCostCell = (cost: number | null, unpriced: number): string =>
  cost === null ? "unpriced" : unpriced > 0 ? `${formatUsd(cost)} + ${unpriced} unpriced` : formatUsd(cost)

/** 9990 -> "9,990" */
export const formatCount = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",")

/**
 * At most `max` items joined with `separator`; past that, the first `max` and how many more: "a -> b -> ... (9,990
 * more)". Long lists in one line (an error, a summary) stay readable.
 */
export const joinAtMost = (items: ReadonlyArray<string>, separator: string, max: number): string =>
  items.length <= max
    ? items.join(separator)
    : `${items.slice(0, max).join(separator)}${separator}... (${formatCount(items.length - max)} more)`

/** a span as its two largest units: `45m`, `2h10m`, `3d4h` (under a minute: `<1m`) */
export const formatSpan = (ms: number): string => {
  const minutes = Math.floor(Math.max(0, ms) / 60_000)
  if (minutes < 1) return "<1m"
  if (minutes < 60) return `${minutes}m`
  const hours = Math.floor(minutes / 60)
  if (hours < 24) return `${hours}h${minutes % 60 === 0 ? "" : `${String(minutes % 60).padStart(2, "0")}m`}`
  const days = Math.floor(hours / 24)
  return `${days}d${hours % 24 === 0 ? "" : `${hours % 24}h`}`
}
