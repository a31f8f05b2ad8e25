import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { InputError, StateError } from "../../domain/errors"
import { detectMode } from "./keywords"
import type { Decision, Mode } from "../../domain/model"
import { route } from "./routingPolicy"
import { ClaudeUsage } from "./ClaudeUsage"
import { Config } from "../config"
import { CatalogCache } from "../models"
import { RouterState } from "./RouterState"
import { Sessions } from "./Sessions"

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
          const usage = yield* usageService.current({ override: input.usage, allowNetwork: usageMatters })
          const heavy = usageMatters ? yield* state.observe(config, usage) : false
          // the catalog the daemon or `omcm models` saved (a stat, and a read when it changed): never a server
          const catalog = Option.getOrUndefined(yield* catalogs.read)
          return route({ config, mapping, agent: input.agent, mode, usage, heavy, catalog })
        })

      return { decide }
    })
  )

  static readonly layer = FusionRouter.layerWithoutDependencies.pipe(Layer.provide([Config.layer, ClaudeUsage.layer, RouterState.layer, Sessions.layer, CatalogCache.layer]))
}
