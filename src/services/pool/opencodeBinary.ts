import * as Effect from "effect/Effect"
import { inOwnNodeModules, isExecutableFile, onPath } from "../../lib/binaries"
import { OpenCodeNotFound } from "./errors"

/**
 * Where a tool's binary is: the configured path, then `envVar`, then PATH, then the project's own node_modules.
 * A configured path that does not exist is an error rather than silently falling through.
 */
export const resolveBinary = (
  name: string,
  configured: string | null,
  envVar: string,
  env: NodeJS.ProcessEnv
): Effect.Effect<string, OpenCodeNotFound> =>
  Effect.suspend(() => {
    const fromEnv = env[envVar]
    const explicit = configured ?? (fromEnv !== undefined && fromEnv.length > 0 ? fromEnv : null)
    if (explicit !== null) {
      return isExecutableFile(explicit) ? Effect.succeed(explicit) : Effect.fail(new OpenCodeNotFound({ tried: [explicit] }))
    }
    const found = onPath(name, env.PATH) ?? inOwnNodeModules(name)
    return found !== undefined
      ? Effect.succeed(found)
      : Effect.fail(new OpenCodeNotFound({ tried: [`$${envVar}`, `${name} on PATH`, `node_modules/.bin/${name}`] }))
  })
