import type { OmcmConfig } from "../domain/configSchema"
import { splitModelId } from "../domain/model"
import { explicitIds } from "../services/models"
import { opencodeServeEnv, type SimulatedProviderSpec, simulatedOpencodeConfig } from "../services/pool"

/**
 * Every OpenCode model the configuration names, grouped by provider, with the configured prices: the fixed ids of
 * `models.*.opencode` (with the defaults, the real catalog ids routing uses until a catalog is read, which the
 * default selectors also resolve to against a simulated server) and every priced model but Claude's (the defaults
 * price `openai/gpt-5.2-codex` & co., the ids tests and `omcm run --model` use).
 */
export const providersOfConfig = (config: OmcmConfig, extraModels: ReadonlyArray<string> = []): ReadonlyArray<SimulatedProviderSpec> => {
  const priced = Object.keys(config.prices).filter((id) => id.includes("/") && splitModelId(id).provider !== "anthropic")
  const ids = new Set([...Object.values(config.models).flatMap((m) => explicitIds(m.opencode)), ...priced, ...extraModels])
  const byProvider = new Map<string, Array<SimulatedProviderSpec["models"][number]>>()
  for (const id of ids) {
    const { model, provider } = splitModelId(id)
    const price = config.prices[id]
    const models = byProvider.get(provider) ?? []
    models.push({
      id: model,
      ...(price === undefined ? {} : {
        cost: { input: price.input, output: price.output, cache_read: price.cacheRead ?? price.input, cache_write: price.cacheWrite ?? price.input }
      })
    })
    byProvider.set(provider, models)
  }
  return [...byProvider].map(([id, models]) => ({ id, models }))
}

/**
 * The environment of `opencode serve` processes that talk to a simulated model server instead of real providers:
 * the offline flags, a private HOME/XDG tree under `xdgRoot`, and a config whose `openai`, `google`, ... providers
 * all point at `baseUrl`.
 */
export const simulatedServeEnv = (options: {
  readonly baseUrl: string
  readonly xdgRoot: string
  readonly config: OmcmConfig
  readonly extraModels?: ReadonlyArray<string>
}): Record<string, string> =>
  opencodeServeEnv({
    password: "",
    xdgRoot: options.xdgRoot,
    extra: {
      OPENCODE_CONFIG_CONTENT: JSON.stringify(
        simulatedOpencodeConfig({ baseUrl: options.baseUrl, providers: providersOfConfig(options.config, options.extraModels) })
      )
    }
  })
