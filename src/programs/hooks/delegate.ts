// Loaded only when a hook delegates (see HookDelegation): keeps the pool, @effect/platform-node, an HTTP client, the
// daemon client and the agent/permission mapping out of every other hook call; dist/omcm.js even has it in a payload
// of its own (src/payloads/delegate.ts). Config and Paths are the hook's own: a hook relayed to the daemon brings its
// caller's environment (see layers/core makeRelayLive).
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { ProviderBalancer } from "../../services/balancer"
import { Config, Paths } from "../../services/config"
import { Store } from "../../services/store"
import { DaemonClient, Delegator } from "../../services/daemon"
import { type DelegationPlan, planDelegation } from "../../services/delegation"
import { PoolRuntimeLive } from "../../services/pool"
import type { HookDelegated, HookDelegationRequest } from "./delegation"

const DelegatorLive = Delegator.layerWithoutDependencies.pipe(
  Layer.provide([DaemonClient.layerWithoutDependencies, ProviderBalancer.layerWithoutDependencies, PoolRuntimeLive]),
  Layer.provide([FetchHttpClient.layer, Store.layerWithoutDependencies])
)

/** the result header's word on the role the session was given */
const roleOf = (plan: DelegationPlan, subagentType: string | undefined): string =>
  Option.match(plan.lookup.definition, {
    onNone: () => `no definition of "${subagentType ?? "general-purpose"}" found; it ran as a general-purpose agent`,
    onSome: (d) =>
      `${d.name} (${d.source === "built-in" ? "Claude Code's built-in definition" : `${d.source} definition ${d.file ?? ""}`.trim()}${
        plan.policy.readOnly ? ", read-only" : ""
      })`
  })

/**
 * The same agent on another model: its Claude definition's role as the system text, its tools and the user's
 * permission rules as the session's ruleset (config.json `delegation.permissions` replaces the mirrored rules).
 */
export const runDelegation = (request: HookDelegationRequest) =>
  Effect.gen(function*() {
    const { config } = yield* Config
    const paths = yield* Paths
    const plan = yield* planDelegation({
      cwd: request.directory,
      permissionMode: request.permissionMode,
      subagentType: request.subagentType,
      claudeConfigDir: paths.claudeConfigDir,
      home: paths.home
    })
    const own = config.delegation.permissions
    const permission = own === null
      ? plan.policy.permission
      // the user's own ruleset, and still nobody to answer a question
      : [...own, { permission: "question", pattern: "*", action: "deny" as const }]
    const delegation = yield* Effect.flatMap(Delegator, (d) =>
      d.delegate({ ...request, agent: plan.policy.agent, policy: { system: plan.policy.system, permission } }))
    return { ...delegation, role: roleOf(plan, request.subagentType) } satisfies HookDelegated
  }).pipe(Effect.provide(DelegatorLive))
