import { spawn, spawnSync } from "node:child_process"
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

/** The same without blocking the test runner: for commands that take seconds (pool start, run). */
export const runOmcmAsync = (
  args: ReadonlyArray<string>,
  env: NodeJS.ProcessEnv,
  options: {
    readonly input?: string
    readonly cwd?: string
    readonly timeoutMs?: number
    /** another build of the CLI (a benchmark's bundle does not sit next to dist/) */
    readonly bin?: string
  } = {}
): Promise<CliResult> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [options.bin ?? OMCM_BIN, ...args], { env, cwd: options.cwd, stdio: ["pipe", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()))
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()))
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 180_000)
    child.on("close", (status) => {
      clearTimeout(timer)
      resolve({ status, stdout, stderr })
    })
    child.stdin.end(options.input ?? "")
  })
