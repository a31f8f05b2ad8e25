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

/** past this, Claude Code 2.1.330 moves a hook's additionalContext to a file and shows a 2 KB preview */
export const CONTEXT_LIMIT = 8000
