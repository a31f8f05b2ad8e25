import { describe, expect, it } from "@effect/vitest"
import { opencodeServeEnv, simulatedOpencodeConfig } from "../../src/services/pool/opencodeEnv"

describe("opencode serve environment", () => {
  it("sets the offline flags, the password and a private HOME/XDG tree", () => {
    const env = opencodeServeEnv({ password: "pw", xdgRoot: "/tmp/x", base: { PATH: "/bin", HOME: "/real" }, extra: { FOO: "1" } })
    expect(env).toMatchObject({
      PATH: "/bin",
      HOME: "/tmp/x/home",
      XDG_CONFIG_HOME: "/tmp/x/home/.config",
      XDG_DATA_HOME: "/tmp/x/home/.local/share",
      XDG_CACHE_HOME: "/tmp/x/home/.cache",
      XDG_STATE_HOME: "/tmp/x/home/.local/state",
      OPENCODE_DISABLE_AUTOUPDATE: "1",
      OPENCODE_DISABLE_MODELS_FETCH: "1",
      OPENCODE_DISABLE_LSP_DOWNLOAD: "1",
      OPENCODE_DISABLE_SHARE: "1",
      npm_config_offline: "true",
      OPENCODE_SERVER_PASSWORD: "pw",
      FOO: "1"
    })
  })

  it("keeps the base HOME without xdgRoot", () => {
    expect(opencodeServeEnv({ password: "pw", base: { HOME: "/h" } }).HOME).toBe("/h")
  })

  it("builds a config whose providers all point at the simulated server", () => {
    const config = simulatedOpencodeConfig({
      baseUrl: "http://127.0.0.1:9/v1",
      providers: [
        { id: "openai", models: [{ id: "gpt-5.2-codex", cost: { input: 3, output: 12, cache_read: 0.3 } }] },
        { id: "google", models: [{ id: "gemini-3-flash" }] }
      ]
    })
    expect(config).toMatchObject({
      autoupdate: false,
      share: "disabled",
      snapshot: false,
      model: "openai/gpt-5.2-codex",
      enabled_providers: ["openai", "google"],
      provider: {
        openai: {
          npm: "@ai-sdk/openai-compatible",
          options: { baseURL: "http://127.0.0.1:9/v1" },
          whitelist: ["gpt-5.2-codex"],
          models: { "gpt-5.2-codex": { cost: { input: 3, output: 12, cache_read: 0.3 }, limit: { context: 128_000, output: 4096 } } }
        },
        google: { models: { "gemini-3-flash": { cost: { input: 0, output: 0 } } } }
      }
    })
  })
})
