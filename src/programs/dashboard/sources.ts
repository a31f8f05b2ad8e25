import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { ProviderBalancer } from "../../services/balancer"
import { Config } from "../../services/config"
import { DaemonClient } from "../../services/daemon"
import { CatalogCache } from "../../services/models"
import { windowSparedNow } from "../windowSparedNow"
import { ClaudeUsage, forecastWindow, makeUsageHistory, WINDOW_MS } from "../../services/router"
import { Store } from "../../services/store"
import { MetricsCollector, RealtimeTracker } from "../../services/tracker"
import { candidatesPerTier } from "../cli/balancer"
import { type BalancerView, buildSnapshot, encodeSnapshot, type PoolView, RANGES, type Range, type UsageInput } from "./snapshot"

/** how long the page waits for the pool daemon's status before showing it unreachable */
const POOL_TIMEOUT = "1500 millis"

const unknownUsage = { percent: 0, fiveHour: null, weekly: null, source: "unknown" } as const

/** Claude usage as the router sees it without asking the network, each window's readings and its forecast */
const readUsage = (now: number, threshold: number) =>
  Effect.gen(function*() {
    const usage = yield* ClaudeUsage
    const current = yield* usage.current({ allowNetwork: false }).pipe(Effect.orElseSucceed(() => unknownUsage))
    const cache = yield* usage.readStatuslineCache
    const history = makeUsageHistory(yield* Store)
    const samples = yield* history.since("5h", now - WINDOW_MS["5h"]).pipe(Effect.orElseSucceed(() => []))
    const spared = yield* windowSparedNow(history, yield* MetricsCollector, samples, now).pipe(Effect.orElseSucceed(() => null))
    const weekly = yield* history.since("wk", now - WINDOW_MS.wk).pipe(Effect.orElseSucceed(() => []))
    return {
      current,
      resetsAt: Option.getOrNull(Option.flatMap(cache, (c) => Option.fromNullable(c.fiveHour?.resetsAt))),
      samples,
      forecast: forecastWindow(samples, now, threshold),
      spared,
      weekWindow: { samples: weekly, forecast: forecastWindow(weekly, now, threshold) }
    } satisfies UsageInput
  })

/** The pool daemon and its servers, as `omcm pool status` sees them. */
const readPool: Effect.Effect<PoolView, never, DaemonClient> = Effect.gen(function*() {
  const daemons = yield* DaemonClient
  const found = yield* daemons.find
  if (Option.isNone(found)) return { state: "not running", pid: null, apiPort: null, error: null, status: null } as const
  const { apiPort, pid } = found.value
  return yield* daemons.status(found.value).pipe(
    Effect.timeoutFail({ duration: POOL_TIMEOUT, onTimeout: () => ({ message: "the pool daemon did not answer in time" }) }),
    Effect.map((status): PoolView => ({ state: "running", pid, apiPort, error: null, status })),
    Effect.catchAll((e) => Effect.succeed<PoolView>({ state: "unreachable", pid, apiPort, error: e.message, status: null }))
  )
})

/** The balancer's shared state and each tier's candidates, as `omcm balancer stats` shows them; null if unreadable. */
const readBalancer = Effect.gen(function*() {
  const { config } = yield* Config
  const live = yield* (yield* ProviderBalancer).getStats
  const catalog = Option.getOrUndefined(yield* (yield* CatalogCache).read)
  const perTier = candidatesPerTier(config, catalog, live)
  return {
    strategy: live.strategy,
    coolingDown: live.coolingDown,
    candidates: Object.entries(perTier).map(([tier, ids]) => ({ tier, ids: ids.map((c) => ({ id: c.id, cooling: c.cooling ?? null })) })),
    catalogFetchedAt: catalog?.fetchedAt ?? null,
    recentCalls: Object.entries(live.recentCalls).map(([provider, r]) => ({ provider, ...r }))
  } satisfies BalancerView
}).pipe(Effect.orElseSucceed(() => null))

/** the period of the tables and savings */
const PERIOD = "day"

/**
 * The snapshot of each range, as JSON text: the tracker's ring buffer for the charts and the newest delegations,
 * the MetricsCollector's report of the day for the tables and the savings, and the usage, pool and balancer now.
 */
export const readSnapshots = Effect.gen(function*() {
  const { config } = yield* Config
  const realtime = yield* RealtimeTracker
  const now = yield* Clock.currentTimeMillis
  const [events, live, report, usage, pool, balancer] = yield* Effect.all([
    realtime.getRecentEvents(config.tracker.capacity),
    realtime.getStats("minute"),
    Effect.flatMap(MetricsCollector, (m) => m.getReport(PERIOD)),
    readUsage(now, config.routing.heavyThreshold),
    readPool,
    readBalancer
  ])
  const json = (range: Range) => encodeSnapshot(buildSnapshot({ now, range, events, report, live, routing: config.routing, usage, pool, balancer }))
  return Object.fromEntries(RANGES.map((range) => [range, json(range)])) as Readonly<Record<Range, string>>
})
