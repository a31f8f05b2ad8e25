import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import * as path from "node:path"
import type { OmcmLauncher } from "../../services/claude-code"

/** This very omcm: the node running it and the real path of the bundled CLI (dist/omcm.js). */
export const currentLauncher = Effect.sync((): OmcmLauncher => {
  const script = path.resolve(process.argv[1] ?? "omcm")
  let real = script
  try {
    real = fs.realpathSync(script)
  } catch {
    // not a file (tests running from source): keep the resolved path
  }
  return { _tag: "Absolute", node: process.execPath, script: real }
})
