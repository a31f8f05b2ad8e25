import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { agentName, lookupAgent } from "../../services/router"
import {
  AgentToolInput,
  AgentToolResponse,
  isAgentTool,
  type PostToolUseInput,
  type HookOutput
} from "../../services/claude-code"
import { decodeUnknown } from "../../lib/jsonFile"
import { Config } from "../../services/config"
import { Tracker } from "../../services/tracker"

/**
 * PostToolUse on `Agent`/`Task`: a sub-agent that ran on Claude. Its tokens and duration are recorded, so savings
 * are measured against real Claude runs. A background launch has no numbers yet and is skipped.
 */
export const postToolUse = (input: typeof PostToolUseInput.Type) =>
  Effect.gen(function*() {
    if (!isAgentTool(input.tool_name)) return Option.none<HookOutput>()
    const response = yield* decodeUnknown(AgentToolResponse, { strict: false })(input.tool_response).pipe(Effect.option)
    if (Option.isNone(response) || response.value.status === "async_launched") return Option.none<HookOutput>()
    const call = yield* decodeUnknown(AgentToolInput, { strict: false })(input.tool_input).pipe(Effect.option)
    const { config, mapping } = yield* Config
    const raw = response.value.agentType ?? Option.getOrUndefined(Option.flatMap(call, (c) => Option.fromNullable(c.subagent_type)))
    const agent = lookupAgent(config, mapping, raw)
    const usage = response.value.usage
    const input_ = usage?.input_tokens ?? 0
    const output = usage?.output_tokens ?? Math.max(0, (response.value.totalTokens ?? 0) - input_)
    const tracker = yield* Tracker
    yield* tracker.recordCall({
      source: "claude-subagent",
      sessionId: input.session_id,
      agent: agentName(raw),
      tier: agent.tier,
      target: "claude",
      provider: "anthropic",
      model: response.value.resolvedModel ?? agent.claudeModel,
      success: response.value.status === undefined || response.value.status === "completed",
      durationMs: response.value.totalDurationMs ?? input.duration_ms ?? 0,
      tokens: {
        input: input_,
        output,
        cacheRead: usage?.cache_read_input_tokens ?? 0,
        cacheWrite: usage?.cache_creation_input_tokens ?? 0
      }
    })
    return Option.none<HookOutput>()
  })
