import type { OmcmConfig } from "./configSchema"

/** Every default of config.json. Model ids and prices are data: users update them in their own file. */
export const defaultConfig: OmcmConfig = {
  fusionDefault: false,
  routing: {
    enabled: true,
    usageThreshold: 70,
    mediumThreshold: 80,
    heavyThreshold: 90,
    recoverThreshold: 85,
    maxOpencodeWorkers: 3,
    preferOpencode: ["explore", "researcher", "writer"],
    preferClaude: ["architect", "executor-high", "critic"],
    autoDelegate: true,
    defaultTier: "MEDIUM",
    pacing: false
  },
  // OpenCode's side of each tier: selectors resolved against the OpenCode server's own catalog (only models that are
  // active, support tool calls and whose provider has credentials), then a fixed id that routing uses until a catalog
  // has been read. What they resolve to in the catalog compiled into OpenCode 1.18.33 (docs/models.md):
  //   HIGH   gpt-6-astra (2026-09-04, OpenAI's flagship at $10/$50 per M), then gemini-3.1-pro-preview
  //   MEDIUM gpt-6-sol (2026-09-22), then gemini-3.1-pro-preview (2026-02-19, Google's newest pro)
  //   LOW    gemini-3.8-flash (2026-09-02), then gpt-5.4-mini (2026-03-17)
  models: {
    HIGH: {
      claude: "anthropic/opus",
      opencode: [
        { provider: "openai", match: "^gpt-[0-9.]+(-astra)?$", pick: "newest" },
        { provider: "google", match: "^gemini-[0-9.]+-pro(-preview)?$", pick: "newest" },
        "openai/gpt-6-astra"
      ]
    },
    MEDIUM: {
      claude: "anthropic/sonnet",
      opencode: [
        { provider: "openai", match: "^gpt-[0-9.]+(-codex|-sol)?$", pick: "newest" },
        { provider: "google", match: "^gemini-[0-9.]+-pro(-preview)?$", pick: "newest" },
        "openai/gpt-6-sol"
      ]
    },
    LOW: {
      claude: "anthropic/haiku",
      opencode: [
        { provider: "google", match: "^gemini-[0-9.]+-flash$", pick: "newest" },
        { provider: "openai", match: "^gpt-[0-9.]+-mini$", pick: "newest" },
        "google/gemini-3.8-flash"
      ]
    }
  },
  // USD per million tokens
  prices: {
    "anthropic/opus": { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 },
    "anthropic/sonnet": { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
    "anthropic/haiku": { input: 0.8, output: 4, cacheRead: 0.08, cacheWrite: 1 },
    "openai/gpt-5.3": { input: 5, output: 20, cacheRead: 0.5 },
    "openai/gpt-5.3-codex": { input: 5, output: 20, cacheRead: 0.5 },
    "openai/gpt-5.2": { input: 3, output: 12, cacheRead: 0.3 },
    "openai/gpt-5.2-codex": { input: 3, output: 12, cacheRead: 0.3 },
    "google/gemini-3-pro": { input: 2, output: 8, cacheRead: 0.2 },
    "google/gemini-3-flash": { input: 0.5, output: 2, cacheRead: 0.05 },
    // what the default selectors resolve to in OpenCode 1.18.33's catalog, at its prices (up to 272k tokens of context)
    "openai/gpt-6-astra": { input: 10, output: 50, cacheRead: 1, cacheWrite: 12.5 },
    "openai/gpt-6-sol": { input: 2, output: 10, cacheRead: 0.2, cacheWrite: 2.5 },
    "openai/gpt-5.4-mini": { input: 0.75, output: 4.5, cacheRead: 0.075 },
    "google/gemini-3.8-flash": { input: 0.75, output: 3.75, cacheRead: 0.075 },
    "google/gemini-3.1-pro-preview": { input: 2, output: 12, cacheRead: 0.2 }
  },
  modes: {
    hulw: ["hulw", "hybrid ultrawork", "하이브리드 울트라워크"],
    ulw: ["ulw", "ultrawork", "울트라워크"],
    autopilot: ["autopilot", "auto pilot", "오토파일럿", "만들어줘"]
  },
  usage: {
    statuslineMaxAgeSeconds: 600,
    oauth: {
      enabled: true,
      baseUrl: "https://api.anthropic.com",
      credentialsFile: null,
      userAgent: "claude-code/2.1.330",
      successCacheSeconds: 30,
      failureCacheSeconds: 15,
      timeoutSeconds: 10
    }
  },
  pool: {
    minServers: 1,
    maxServers: 4,
    basePort: 4096,
    autoScale: true,
    slotsPerServer: 2,
    healthIntervalSeconds: 30,
    requestTimeoutSeconds: 240,
    scaleDownAfterSeconds: 60,
    startTimeoutSeconds: 60,
    opencodeBin: null,
    env: {},
    opencodeConfig: null
  },
  hooks: {
    delegateTimeoutSeconds: 240,
    resultInlineChars: 100_000,
    autoStartDaemon: true,
    daemonIdleMinutes: 60
  },
  delegation: {
    idleTimeoutSeconds: 60,
    firstTokenTimeoutSeconds: 45,
    daemonStartWaitSeconds: 15,
    permissions: null,
    redact: { enabled: true, envFiles: true, patterns: [] }
  },
  balancer: { cooldownSeconds: 60 },
  claude: { bin: null },
  tracker: {
    capacity: 10_000,
    emitIntervalSeconds: 60,
    compactAfterHours: 48
  }
}
