import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Config } from "../../src/services/config"
import { makeLiveSettings } from "../../src/services/daemon"

const harness = Effect.gen(function*() {
  const limits: Array<number> = []
  const lines: Array<string> = []
  const settings = yield* makeLiveSettings(
    Config.make({ routing: { maxOpencodeWorkers: 4 } }),
    { setMaxWorkers: (n) => Effect.sync(() => void limits.push(n)) },
    (line) => Effect.sync(() => void lines.push(line))
  )
  return { limits, lines, settings }
})

describe("the daemon's live settings", () => {
  it.effect("the worker limit is applied at once; the same config again changes and says nothing", () =>
    Effect.gen(function*() {
      const { limits, lines, settings } = yield* harness
      yield* settings.apply(Config.make({ routing: { maxOpencodeWorkers: 4 } }))
      expect(lines).toEqual([])
      yield* settings.apply(Config.make({ routing: { maxOpencodeWorkers: 1 } }))
      expect(limits).toEqual([1])
      expect(lines).toEqual(["config changed: routing.maxOpencodeWorkers 4 -> 1 (applied); routing, models and thresholds apply from the next call"])
      expect(yield* settings.restartNeeded).toEqual([])
    }))

  it.effect("pool settings wait for a restart, are said once, and are forgotten when changed back", () =>
    Effect.gen(function*() {
      const { limits, lines, settings } = yield* harness
      yield* settings.apply(Config.make({ routing: { maxOpencodeWorkers: 4 }, pool: { basePort: 15000, minServers: 0 } }))
      expect([...(yield* settings.restartNeeded)].sort()).toEqual(["pool.basePort", "pool.minServers"])
      expect(lines.at(-1)).toContain("apply only after a restart (omcm pool stop, then omcm pool start)")
      yield* settings.apply(Config.make({ routing: { maxOpencodeWorkers: 4 }, pool: { basePort: 15000, minServers: 0 }, hooks: { resultInlineChars: 10 } }))
      expect(lines.at(-1)).not.toContain("restart")
      yield* settings.apply(Config.make({ routing: { maxOpencodeWorkers: 4 } }))
      expect(yield* settings.restartNeeded).toEqual([])
      expect(limits).toEqual([])
    }))
})
