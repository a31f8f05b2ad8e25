import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { agentName, FusionRouter } from "../../services/router"
import {
  AgentToolInput,
  isAgentTool,
  type PreToolUseInput,
  recordFailure,
  denyWith,
  type HookOutput
} from "../../services/claude-code"
import { decodeUnknown } from "../../lib/jsonFile"
import { Config } from "../../services/config"
import { exhaustedAttempts } from "../../services/balancer"
import { Tracker } from "../../services/tracker"
import { delegatedReason } from "./delegatedReason"
import { HookDelegation } from "./delegation"

/**
 * PreToolUse on `Agent`/`Task`: route the sub-agent call. Claude target: no output, the call runs as usual.
 * OpenCode target: run the sub-agent's prompt on the pool and hand the result back as a `deny` whose reason carries
 * it (the only answer that stops Claude Code from also running the sub-agent). Any failure lets the call through.
 *
 * `run_in_background: true` calls are delegated the same way: the result comes back at once, as if the background
 * task had already finished (letting them through would keep most hulw work on Claude, since Claude Code's model
 * launches sub-agents in the background by default).
 */
export const preToolUse = (input: PreToolUseInput) =>
  Effect.gen(function*() {
    if (!isAgentTool(input.tool_name)) return Option.none<HookOutput>()
    const call = yield* decodeUnknown(AgentToolInput, { strict: false })(input.tool_input).pipe(Effect.option)
    if (Option.isNone(call)) {
      yield* recordFailure("PreToolUse", input.session_id, "tool_input is not an Agent call (no prompt): let through")
      return Option.none<HookOutput>()
    }
    const router = yield* FusionRouter
    const tracker = yield* Tracker
    const { config } = yield* Config
    const agent = agentName(call.value.subagent_type)
    const decision = yield* router.decide({ agent: call.value.subagent_type, sessionId: input.session_id })
    const now = yield* Clock.currentTimeMillis
    const base = { sessionId: input.session_id, agent, tier: decision.tier, mode: decision.mode, source: "hook" as const }
    yield* tracker.recordRouting({ ...decision, ...base })
    if (decision.target === "claude") return Option.none<HookOutput>()

    const model = `${decision.provider}/${decision.model}`
    const delegation = yield* HookDelegation
    const outcome = yield* Effect.either(delegation.run({
      prompt: call.value.prompt,
      model,
      candidates: decision.candidates,
      directory: input.cwd ?? process.cwd(),
      timeoutMs: config.hooks.delegateTimeoutSeconds * 1000,
      title: `omcm ${agent}: ${call.value.description ?? call.value.prompt.slice(0, 50)}`,
      subagentType: call.value.subagent_type,
      permissionMode: input.permission_mode
    }))
    const finished = yield* Clock.currentTimeMillis
    if (outcome._tag === "Left") {
      const why = outcome.left.message
      yield* tracker.recordCall({
        ...base,
        target: "opencode",
        provider: decision.provider,
        model: decision.model,
        tokens: { input: 0, output: 0 },
        success: false,
        durationMs: finished - now,
        error: outcome.left._tag,
        detail: why,
        failovers: exhaustedAttempts(outcome.left)
      })
      yield* recordFailure("PreToolUse", input.session_id, `delegation of ${agent} to ${model} failed, the call runs on Claude: ${why}`)
      return Option.none<HookOutput>()
    }
    const { result, role } = outcome.right
    yield* tracker.recordExecution(result, { ...base, target: "opencode" })
    const { reason } = yield* delegatedReason({
      agent,
      role,
      result,
      projectDir: input.cwd ?? process.cwd(),
      fileStem: `${input.session_id}-${input.tool_use_id ?? finished}`,
      inlineChars: config.hooks.resultInlineChars
    })
    return Option.some(denyWith(reason))
  })
