import * as path from "node:path"

/**
 * Flags that keep `opencode serve` offline and quick to stop: no self-update, no models.dev fetch, no LSP download, no
 * share, no background npm install of its plugin typings (SIGTERM is ignored while that install runs).
 */
export const OPENCODE_OFFLINE_FLAGS: Readonly<Record<string, string>> = {
  OPENCODE_DISABLE_AUTOUPDATE: "1",
  OPENCODE_DISABLE_MODELS_FETCH: "1",
  OPENCODE_DISABLE_DEFAULT_PLUGINS: "1",
  OPENCODE_DISABLE_LSP_DOWNLOAD: "1",
  OPENCODE_DISABLE_SHARE: "1",
  OPENCODE_DISABLE_CLAUDE_CODE: "1",
  OPENCODE_DISABLE_EXTERNAL_SKILLS: "1",
  npm_config_offline: "true"
}

export interface OpencodeServeEnvOptions {
  /** HTTP basic auth password of the server (user `opencode`) */
  readonly password: string
  /** when set, HOME and every XDG dir live under it, so OpenCode's state stays out of the real home */
  readonly xdgRoot?: string | undefined
  /** the base environment (PATH etc.); default: the current process's */
  readonly base?: NodeJS.ProcessEnv | undefined
  /** added last, overriding everything */
  readonly extra?: Readonly<Record<string, string>> | undefined
}

/** The complete environment for `opencode serve`. */
export const opencodeServeEnv = (options: OpencodeServeEnvOptions): Record<string, string> => {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(options.base ?? process.env)) {
    if (value !== undefined) env[key] = value
  }
  if (options.xdgRoot !== undefined) {
    const home = path.join(options.xdgRoot, "home")
    Object.assign(env, {
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, ".config"),
      XDG_DATA_HOME: path.join(home, ".local", "share"),
      XDG_CACHE_HOME: path.join(home, ".cache"),
      XDG_STATE_HOME: path.join(home, ".local", "state")
    })
  }
  Object.assign(env, OPENCODE_OFFLINE_FLAGS, { OPENCODE_SERVER_PASSWORD: options.password }, options.extra ?? {})
  return env
}

/** USD per million tokens, as OpenCode's config wants it. */
export interface OpencodeModelCost {
  readonly input: number
  readonly output: number
  readonly cache_read?: number
  readonly cache_write?: number
}

export interface SimulatedModelSpec {
  /** the id OpenCode knows the model by (and sends as `model` to the server) */
  readonly id: string
  readonly name?: string
  readonly cost?: OpencodeModelCost
  readonly context?: number
  readonly output?: number
}

export interface SimulatedProviderSpec {
  readonly id: string
  readonly name?: string
  readonly models: ReadonlyArray<SimulatedModelSpec>
}

export interface SimulatedOpencodeConfigOptions {
  /** the simulated server's `http://127.0.0.1:PORT/v1` */
  readonly baseUrl: string
  readonly providers: ReadonlyArray<SimulatedProviderSpec>
}

/**
 * An OpenCode config (for `OPENCODE_CONFIG_CONTENT`) whose providers all talk to one simulated OpenAI-compatible
 * server, with every other provider of the catalog hidden (`enabled_providers`).
 *
 * Provider ids (verified with 1.18.33): the built-in ids work as they are, so `openai/gpt-5.2-codex`,
 * `openai/gpt-5.2` and `google/gemini-3-flash` reach the simulated server under those exact ids, no mapping needed.
 * A config entry is merged over the catalog's entry of the same id:
 * - `npm` and `options.baseURL` apply to the models the config lists: they use `@ai-sdk/openai-compatible`
 *   (chat completions at `baseURL`) instead of the catalog's `@ai-sdk/openai` (Responses API) or `@ai-sdk/google`.
 * - The catalog's other models of that provider would stay listed with their own SDK but our `baseURL`, and fail
 *   against the simulated server: `whitelist` hides them.
 * - A listed model that the catalog also has (`gpt-5.2` is in the snapshot compiled into 1.18.33) keeps the
 *   catalog's fields the config leaves out (e.g. `limit.input: 272000`), so `limit` and `cost` are always set here.
 * OpenCode picks its system prompt from the model id (a `gemini` id gets a longer one): the same simulated server
 * reports ~9.7k prompt tokens for `google/gemini-3-flash` and ~7.2k for the `openai` ids. The model id also picks the
 * edit tools, whatever the provider or SDK: `gpt-*` ids (not `gpt-4*`, `gpt-oss*`) get `apply_patch`, all others
 * `write` + `edit` (docs/opencode-tool-calls.md).
 */
export const simulatedOpencodeConfig = (options: SimulatedOpencodeConfigOptions): Record<string, unknown> => {
  const provider: Record<string, unknown> = {}
  for (const p of options.providers) {
    const models: Record<string, unknown> = {}
    for (const m of p.models) {
      models[m.id] = {
        id: m.id,
        name: m.name ?? `${m.id} (simulated)`,
        tool_call: true,
        reasoning: false,
        attachment: false,
        temperature: false,
        limit: { context: m.context ?? 128_000, input: m.context ?? 128_000, output: m.output ?? 4096 },
        cost: m.cost ?? { input: 0, output: 0, cache_read: 0, cache_write: 0 }
      }
    }
    provider[p.id] = {
      npm: "@ai-sdk/openai-compatible",
      name: p.name ?? `${p.id} (simulated)`,
      options: { baseURL: options.baseUrl, apiKey: "sk-simulated" },
      // without it the catalog's other models of a built-in provider stay listed, with the catalog's own SDK
      whitelist: p.models.map((m) => m.id),
      models
    }
  }
  const first = options.providers[0]?.models[0] === undefined
    ? undefined
    : `${options.providers[0].id}/${options.providers[0].models[0].id}`
  return {
    $schema: "https://opencode.ai/config.json",
    autoupdate: false,
    share: "disabled",
    snapshot: false,
    lsp: false,
    ...(first === undefined ? {} : { model: first, small_model: first }),
    enabled_providers: options.providers.map((p) => p.id),
    provider
  }
}
