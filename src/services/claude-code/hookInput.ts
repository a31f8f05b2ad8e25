import * as Schema from "effect/Schema"

/** The parts of Claude Code's hook input omcm reads; every other key is ignored (the protocol grows). */
const Common = {
  session_id: Schema.String,
  cwd: Schema.optional(Schema.String),
  transcript_path: Schema.optional(Schema.String)
}

export const AgentToolInput = Schema.Struct({
  description: Schema.optional(Schema.String),
  prompt: Schema.String,
  subagent_type: Schema.optional(Schema.String),
  model: Schema.optional(Schema.String),
  run_in_background: Schema.optional(Schema.Boolean)
})
export type AgentToolInput = typeof AgentToolInput.Type

export const PreToolUseInput = Schema.Struct({
  ...Common,
  hook_event_name: Schema.Literal("PreToolUse"),
  tool_name: Schema.String,
  /** `default`, `plan` (read-only), `acceptEdits`, `bypassPermissions`, `dontAsk`... */
  permission_mode: Schema.optional(Schema.String),
  tool_input: Schema.Unknown,
  tool_use_id: Schema.optional(Schema.String),
  agent_id: Schema.optional(Schema.String)
})
export type PreToolUseInput = typeof PreToolUseInput.Type

const Usage = Schema.Struct({
  input_tokens: Schema.optional(Schema.Number),
  output_tokens: Schema.optional(Schema.Number),
  cache_read_input_tokens: Schema.optional(Schema.Number),
  cache_creation_input_tokens: Schema.optional(Schema.Number)
})

export const AgentToolResponse = Schema.Struct({
  status: Schema.optional(Schema.String),
  agentType: Schema.optional(Schema.String),
  resolvedModel: Schema.optional(Schema.String),
  totalDurationMs: Schema.optional(Schema.Number),
  totalTokens: Schema.optional(Schema.Number),
  usage: Schema.optional(Usage)
})
export type AgentToolResponse = typeof AgentToolResponse.Type

export const PostToolUseInput = Schema.Struct({
  ...Common,
  hook_event_name: Schema.Literal("PostToolUse"),
  tool_name: Schema.String,
  tool_input: Schema.Unknown,
  tool_response: Schema.Unknown,
  tool_use_id: Schema.optional(Schema.String),
  duration_ms: Schema.optional(Schema.Number)
})

export const UserPromptSubmitInput = Schema.Struct({
  ...Common,
  hook_event_name: Schema.Literal("UserPromptSubmit"),
  prompt: Schema.String
})

export const SessionStartInput = Schema.Struct({
  ...Common,
  hook_event_name: Schema.Literal("SessionStart"),
  source: Schema.optional(Schema.String)
})

export const StopInput = Schema.Struct({
  ...Common,
  hook_event_name: Schema.Literal("Stop", "SubagentStop")
})

export const SessionEndInput = Schema.Struct({
  ...Common,
  hook_event_name: Schema.Literal("SessionEnd"),
  reason: Schema.optional(Schema.String)
})

/** The sub-agent tool: `Agent` since Claude Code 2.x, `Task` before */
export const isAgentTool = (name: string) => name === "Agent" || name === "Task"
