/** What a hook prints on stdout: Claude Code reads exactly these shapes (see the hook protocol notes). */
export type HookOutput =
  | { readonly hookSpecificOutput: { readonly hookEventName: "PreToolUse"; readonly permissionDecision: "deny"; readonly permissionDecisionReason: string } }
  | { readonly hookSpecificOutput: { readonly hookEventName: "UserPromptSubmit" | "SessionStart"; readonly additionalContext: string } }

export const denyWith = (reason: string): HookOutput => ({
  hookSpecificOutput: { hookEventName: "PreToolUse", permissionDecision: "deny", permissionDecisionReason: reason }
})

export const addContext = (hookEventName: "UserPromptSubmit" | "SessionStart", additionalContext: string): HookOutput => ({
  hookSpecificOutput: { hookEventName, additionalContext }
})

/** Claude Code caps these fields; a longer value would be cut by it, mid-sentence */
export const REASON_LIMIT = 2000
export const CONTEXT_LIMIT = 8000
