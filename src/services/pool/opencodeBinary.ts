import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { OpenCodeNotFound } from "../../domain/poolErrors"

const isExecutable = (file: string) => {
  try {
    fs.accessSync(file, fs.constants.X_OK)
    return fs.statSync(file).isFile()
  } catch {
    return false
  }
}

const onPath = (name: string, envPath: string | undefined): string | undefined =>
  (envPath ?? "").split(path.delimiter).filter((d) => d.length > 0).map((d) => path.join(d, name)).find(isExecutable)

/** node_modules/.bin/<name> in this module's directory or any parent (the project's own install). */
const inOwnNodeModules = (name: string): string | undefined => {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const candidate = path.join(dir, "node_modules", ".bin", name)
    if (isExecutable(candidate)) return candidate
    const parent = path.dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}

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
      return isExecutable(explicit) ? Effect.succeed(explicit) : Effect.fail(new OpenCodeNotFound({ tried: [explicit] }))
    }
    const found = onPath(name, env.PATH) ?? inOwnNodeModules(name)
    return found !== undefined
      ? Effect.succeed(found)
      : Effect.fail(new OpenCodeNotFound({ tried: [`$${envVar}`, `${name} on PATH`, `node_modules/.bin/${name}`] }))
  })
