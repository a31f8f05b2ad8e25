import type { FailoverAttempt } from "./ProviderBalancer"

/**
 * The candidates a call gave up on before it ran on Claude, for its record (none: it did not fail over). By tag, so a
 * hook that only records does not load the balancer.
 */
export const exhaustedAttempts = (error: { readonly _tag: string }): ReadonlyArray<FailoverAttempt> | undefined => {
  if (error._tag !== "CandidatesExhausted" || !("attempts" in error) || !Array.isArray(error.attempts)) return undefined
  const attempts: ReadonlyArray<FailoverAttempt> = error.attempts
  return attempts.length > 0 ? attempts : undefined
}
