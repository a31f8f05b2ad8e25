import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import * as fs from "node:fs"
import { makeRelayLive, type RelayServices } from "./core"
import { Paths } from "../services/config"

const MAX_CONTEXTS = 8

const mtime = (file: string) => {
  try {
    return fs.statSync(file).mtimeMs
  } catch {
    return 0
  }
}

/**
 * The daemon answers relayed hooks with services built once per caller environment (one SQLite connection, the
 * config decoded once) instead of once per call. Editing config.json or agent-mapping.json gives the next call fresh
 * services: their modification times are part of the key.
 */
export const makeHookContexts = Effect.gen(function*() {
  const entries = new Map<string, { readonly scope: Scope.CloseableScope; readonly context: Context.Context<RelayServices> }>()
  const lock = yield* Effect.makeSemaphore(1)
  yield* Effect.addFinalizer(() =>
    Effect.forEach([...entries.values()], (e) => Scope.close(e.scope, Exit.void), { discard: true }).pipe(
      Effect.zipRight(Effect.sync(() => entries.clear()))
    ))

  const contextFor = (env: NodeJS.ProcessEnv) =>
    lock.withPermits(1)(Effect.gen(function*() {
      const paths = Paths.fromEnv(env)
      const key = JSON.stringify([
        paths.stateDir, paths.configDir, paths.claudeConfigDir, env.OMCM_CLAUDE_USAGE ?? null,
        mtime(paths.configFile), mtime(paths.mappingFile)
      ])
      const cached = entries.get(key)
      if (cached !== undefined) return cached.context
      const scope = yield* Scope.make()
      const context = yield* Layer.buildWithScope(makeRelayLive(env), scope).pipe(
        Effect.tapErrorCause(() => Scope.close(scope, Exit.void))
      )
      entries.set(key, { scope, context })
      if (entries.size > MAX_CONTEXTS) {
        const [oldestKey, oldest] = entries.entries().next().value as [string, { scope: Scope.CloseableScope }]
        entries.delete(oldestKey)
        yield* Scope.close(oldest.scope, Exit.void)
      }
      return context
    }))

  return { contextFor }
})
