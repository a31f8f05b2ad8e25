import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import type { TempHome } from "./tempHome"

/** The real Claude Code binary installed as a dev dependency (the platform package when the postinstall did not run). */
export const claudeBin = (): string => {
  const root = path.resolve(__dirname, "../..")
  const wrapper = path.join(root, "node_modules/.bin/claude")
  const native = path.join(root, "node_modules/@anthropic-ai/claude-code-linux-x64/claude")
  // the wrapper stays a small shell stub when the native binary was not copied over it
  return fs.existsSync(wrapper) && fs.statSync(wrapper).size > 1_000_000 ? wrapper : native
}

/** The environment of notes §3: nothing from the developer's session, no traffic but to the fake server. */
export const offlineClaudeEnv = (home: TempHome, fakeBaseUrl: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  ...home.env,
  ANTHROPIC_BASE_URL: fakeBaseUrl,
  ANTHROPIC_API_KEY: "fake",
  DISABLE_TELEMETRY: "1",
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
  DISABLE_AUTOUPDATER: "1",
  ...extra
})

export interface RunClaudeOptions {
  readonly home: TempHome
  readonly cwd: string
  readonly prompt: string
  readonly fakeBaseUrl: string
  /** written to a file and passed with `--settings` */
  readonly settings?: object
  readonly pluginDir?: string
  readonly extraArgs?: ReadonlyArray<string>
  readonly env?: NodeJS.ProcessEnv
  /** default 30 s; the process group is killed when it runs out */
  readonly timeoutMs?: number
}

export interface StreamMessage {
  readonly type: string
  readonly subtype?: string
  readonly [key: string]: unknown
}

export interface ClaudeRun {
  readonly exitCode: number | null
  readonly signal: NodeJS.Signals | null
  readonly timedOut: boolean
  /** every stream-json line that parsed as an object */
  readonly messages: ReadonlyArray<StreamMessage>
  /** the last `result` message */
  readonly result: StreamMessage | undefined
  readonly stdout: string
  readonly stderr: string
  readonly durationMs: number
}

const parseLines = (stdout: string): ReadonlyArray<StreamMessage> =>
  stdout.split("\n").flatMap((line) => {
    try {
      const value: unknown = JSON.parse(line)
      return value !== null && typeof value === "object" && "type" in value && typeof value.type === "string"
        ? [value as StreamMessage]
        : []
    } catch {
      return []
    }
  })

const killGroup = (pid: number | undefined) => {
  if (pid === undefined) return
  try {
    process.kill(-pid, "SIGKILL")
  } catch {
    // the group is already gone
  }
}

/** Run `claude -p <prompt> --output-format stream-json --verbose` offline against a fake Anthropic API. */
export const runClaude = async (options: RunClaudeOptions): Promise<ClaudeRun> => {
  const args = ["-p", options.prompt, "--output-format", "stream-json", "--verbose"]
  if (options.settings !== undefined) {
    const file = path.join(options.home.root, `settings-${Date.now()}-${Math.random().toString(36).slice(2)}.json`)
    fs.writeFileSync(file, JSON.stringify(options.settings, null, 2))
    args.push("--settings", file)
  }
  if (options.pluginDir !== undefined) args.push("--plugin-dir", options.pluginDir)
  args.push(...(options.extraArgs ?? []))

  const started = Date.now()
  // its own process group, so hooks and sub-processes die with it
  const child = spawn(claudeBin(), args, {
    cwd: options.cwd,
    env: offlineClaudeEnv(options.home, options.fakeBaseUrl, options.env),
    stdio: ["ignore", "pipe", "pipe"],
    detached: true
  })
  let stdout = ""
  let stderr = ""
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))

  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    killGroup(child.pid)
  }, options.timeoutMs ?? 30_000)

  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once("error", reject)
    child.once("close", (code, sig) => resolve([code, sig]))
  }).finally(() => {
    clearTimeout(timer)
    killGroup(child.pid)
  })

  const messages = parseLines(stdout)
  return {
    exitCode,
    signal,
    timedOut,
    messages,
    result: messages.filter((m) => m.type === "result").at(-1),
    stdout,
    stderr,
    durationMs: Date.now() - started
  }
}
