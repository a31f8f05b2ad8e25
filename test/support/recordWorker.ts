// One short-lived omcm-like process: records N calls through the Tracker into $OMCM_HOME/omcm.db, one INSERT each,
// as the hooks do. argv: <worker index> <count>. Bundled by the concurrency test with esbuild.
import { Effect, Layer } from "effect"
import { Config } from "../../src/services/config/Config"
import { CatalogCache } from "../../src/services/models/CatalogCache"
import { Paths } from "../../src/services/config/Paths"
import { Store } from "../../src/services/store/Store"
import { Tracker } from "../../src/services/tracker/Tracker"
import { TrackerStore } from "../../src/services/tracker/TrackerStore"

const worker = Number(process.argv[2] ?? "0")
const count = Number(process.argv[3] ?? "200")

const program = Effect.gen(function*() {
  const tracker = yield* Tracker
  for (let i = 0; i < count; i++) {
    yield* tracker.recordCall({
      source: "test",
      target: i % 2 === 0 ? "opencode" : "claude",
      provider: i % 2 === 0 ? "openai" : "anthropic",
      model: i % 2 === 0 ? "gpt-5.2-codex" : "sonnet",
      agent: "executor",
      sessionId: `worker-${worker}`,
      tokens: { input: 100, output: 10 },
      durationMs: i,
      success: true
    })
  }
})

const layer = Tracker.layerWithoutDependencies.pipe(
  Layer.provide(TrackerStore.layerWithoutDependencies),
  Layer.provide(CatalogCache.none),
  Layer.provide(Store.layerWithoutDependencies),
  Layer.provide(Layer.succeed(Config, Config.make())),
  Layer.provide(Paths.layer)
)

Effect.runPromise(program.pipe(Effect.provide(layer))).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`worker ${worker}: ${String(error)}\n`)
    process.exit(1)
  }
)
