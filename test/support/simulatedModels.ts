/**
 * Fixed OpenCode model ids for the tiers, for tests that route to a simulated model: `openai/gpt-5.2-codex` & co. are
 * no models of OpenCode's real catalog (the defaults choose from that), but the simulated servers list them, as every
 * priced model of the defaults (src/simulated/simulatedOpencode.ts `providersOfConfig`).
 */
export const SIMULATED_TIER_MODELS = {
  HIGH: { opencode: "openai/gpt-5.2" },
  MEDIUM: { opencode: "openai/gpt-5.2-codex" },
  LOW: { opencode: "google/gemini-3-flash" }
} as const
