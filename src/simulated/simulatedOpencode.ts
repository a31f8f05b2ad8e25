import type { OmcmConfig } from "../domain/configSchema"
import { splitModelId } from "../domain/model"
import { opencodeServeEnv, type SimulatedProviderSpec, simulatedOpencodeConfig } from "../services/pool"

/** Every OpenCode model the configuration routes to, grouped by provider, with the configured prices. */
export const providersOfConfig = (config: OmcmConfig, extraModels: ReadonlyArray<string> = []): ReadonlyArray<SimulatedProviderSpec> => {
  const ids = new Set([...Object.values(config.models).map((m) => m.opencode), ...extraModels])
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
