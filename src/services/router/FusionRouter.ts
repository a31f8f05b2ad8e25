import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { InputError, StateError } from "../../domain/errors"
import { detectMode } from "./keywords"
import type { Decision, Mode, Usage } from "../../domain/model"
import { route } from "./routingPolicy"
import { ClaudeUsage } from "./ClaudeUsage"
import { Config } from "../config"
import { CatalogCache } from "../models"
import { RouterState } from "./RouterState"
import { Sessions } from "./Sessions"
import { Store } from "../store"
import { pacedUsage } from "./usageForecast"
import { makeUsageHistory, WINDOW_MS } from "./usageHistory"

export interface DecideInput {
  readonly agent: string | undefined
  /** a prompt to look for mode keywords in, when no mode is given */
  readonly prompt?: string | undefined
  readonly mode?: Mode | undefined
  /** Claude usage %, overriding every other source */
  readonly usage?: number | undefined
  /** the Claude Code session whose stored mode applies when neither mode nor a keyword is given */
  readonly sessionId?: string | undefined
}

export interface FusionRouterShape {
  readonly decide: (input: DecideInput) => Effect.Effect<Decision, StateError | InputError>
}

export class FusionRouter extends Context.Tag("omcm/FusionRouter")<FusionRouter, FusionRouterShape>() {
  static readonly layerWithoutDependencies = Layer.effect(
    FusionRouter,
    Effect.gen(function*() {
      const { config, mapping } = yield* Config
      const usageService = yield* ClaudeUsage
      const state = yield* RouterState
      const sessions = yield* Sessions
      const catalogs = yield* CatalogCache
      const history = makeUsageHistory(yield* Store)

      /** ulw with `routing.pacing`: usage as the 5-hour window's burn rate projects it at its reset */
      const paced = (mode: Mode, usage: Usage) =>
        mode !== "ulw" || !config.routing.pacing || usage.source === "unknown"
          ? Effect.succeed({ usage, projected: null })
          : Effect.flatMap(Clock.currentTimeMillis, (now) =>
            history.since("5h", now - WINDOW_MS["5h"]).pipe(
              Effect.map((samples) => pacedUsage(usage, samples, now)),
              Effect.orElseSucceed(() => ({ usage, projected: null }))
            ))

      const resolveMode = (input: DecideInput): Effect.Effect<Mode, StateError> => {
        if (input.mode !== undefined) return Effect.succeed(input.mode)
        const detected = input.prompt === undefined ? undefined : detectMode(input.prompt, config.modes)
        if (detected !== undefined) return Effect.succeed(detected.mode)
        if (input.sessionId === undefined) return Effect.succeed("off")
        return sessions.getMode(input.sessionId).pipe(Effect.map(Option.match({ onNone: () => "off", onSome: (s) => s.mode })))
      }

      const decide = (input: DecideInput) =>
        Effect.gen(function*() {
          const mode = yield* resolveMode(input)
          // only ulw and Claude-first autopilot depend on usage: only they may wait on the network or touch shared state
          const usageMatters = mode === "ulw" || (mode === "autopilot" && !config.fusionDefault)
          const actual = yield* usageService.current({ override: input.usage, allowNetwork: usageMatters })
          const { usage, projected } = yield* paced(mode, actual)
          const heavy = usageMatters ? yield* state.observe(config, usage) : false
          // the catalog the daemon or `omcm models` saved (a stat, and a read when it changed): never a server
          const catalog = Option.getOrUndefined(yield* catalogs.read)
          const decision = route({ config, mapping, agent: input.agent, mode, usage, heavy, catalog })
          return projected === null ? decision : {
            ...decision,
            reason: `${decision.reason} (routing.pacing: the 5-hour window is at ${Math.round(actual.fiveHour ?? 0)}% and on course for ${Math.round(projected)}% by its reset)`
          }
        })

      return { decide }
    })
  )

  static readonly layer = FusionRouter.layerWithoutDependencies.pipe(
    Layer.provide([Config.layer, ClaudeUsage.layer, RouterState.layer, Sessions.layer, CatalogCache.layer, Store.layer])
  )
}
