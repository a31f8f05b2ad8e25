import type { Failure } from "../balancer"
import type { OpenCodeNotFound, PoolExecuteError, PortsExhausted, ServerStartFailed } from "../pool"
import type { RemoteExecutionError } from "./api"
import type { DaemonUnreachable } from "./errors"

/** what one candidate's call can end in */
export type DelegationAttemptError =
  | DaemonUnreachable
  | RemoteExecutionError
  | PoolExecuteError
  | ServerStartFailed
  | PortsExhausted
  | OpenCodeNotFound

/**
 * How a failed delegation counts for failover: whose fault it is (a 429 or a bad key cools the provider down; a 5xx,
 * an unknown model or a stalled session, the model; omcm's own trouble, nothing) and whether the next candidate may
 * take the call (never when the model had started its work, nor when the time is up).
 */
export const classifyDelegationFailure = (error: DelegationAttemptError): { readonly failure: Failure; readonly retry: boolean } => {
  switch (error._tag) {
    case "OpenCodeProviderError":
      return {
        failure: {
          scope: error.kind === "other" ? "model" : "provider",
          reason: error.kind === "rate-limit" ? "rate limited" : error.kind === "auth" ? "refused the credentials" : error.message,
          retryAfterMs: error.retryAfterMs
        },
        retry: error.afterOutput !== true
      }
    case "OpenCodeStalled":
      return { failure: { scope: "model", reason: error.message }, retry: error.afterOutput !== true }
    case "RemoteExecutionError": {
      const providerFault = error.kind === "rate-limit" || error.kind === "auth"
      const modelFault = error.tag === "OpenCodeStalled" || error.tag === "OpenCodeBadResponse" || error.tag === "OpenCodeProviderError"
      return {
        failure: {
          scope: providerFault ? "provider" : modelFault ? "model" : "none",
          reason: error.kind === "rate-limit" ? "rate limited" : error.message,
          retryAfterMs: error.retryAfterMs
        },
        retry: (providerFault || modelFault) && error.afterOutput !== true
      }
    }
    case "OpenCodeBadResponse":
      // an unknown model, a provider OpenCode cannot load: another candidate may do
      return { failure: { scope: "model", reason: error.message }, retry: true }
    default:
      // the pool, the daemon, the time budget: not the provider's fault, and another candidate would fare no better
      return { failure: { scope: "none", reason: error.message }, retry: false }
  }
}
