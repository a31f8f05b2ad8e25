import { spawnSync } from "node:child_process"
import * as path from "node:path"

export const OMCM_BIN = path.resolve(__dirname, "../../dist/omcm.js")

export interface CliResult {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Run the bundled omcm CLI as a user would, with the given environment and stdin. */
export const runOmcm = (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv, input?: string, cwd?: string): CliResult => {
  const result = spawnSync(process.execPath, [OMCM_BIN, ...args], { env, input: input ?? "", cwd, encoding: "utf8", timeout: 60_000 })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}
