// The relay: the first thing `omcm hook <event>` and `omcm statusline` run. When the pool daemon is up it hands the
// input to the daemon, which answers with its warm runtime, and prints the answer: the call then costs little more
// than Node's own start. It is plain Node on purpose (no Effect, no schema library): loading a runtime is exactly what it avoids.
// The call goes through files in the relay directory, not a socket: `node:net` alone would cost more than the whole
// exchange (see src/programs/relaySpool.ts for the daemon's side). Everything read is checked by hand; the daemon
// decodes the input with the hook schemas. When no daemon answers, the hook runs in this process (`fallback`).
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

/** larger than any hook input Claude Code sends */
const STDIN_LIMIT = 8 * 1024 * 1024
/** below the 300 s timeout the hooks are registered with */
const REQUEST_TIMEOUT_MS = 290_000
/** a daemon that has not taken the call by then is stuck or not ours: the call is withdrawn and answered here */
const PICKUP_TIMEOUT_MS = 1_500
/** what the daemon needs of the caller's environment to find the same files */
const FORWARDED_ENV = ["HOME", "OMCM_HOME", "OMCM_CONFIG_DIR", "CLAUDE_CONFIG_DIR", "OMCM_CLAUDE_USAGE", "NO_COLOR", "TERM"] as const

const stateDir = (env: NodeJS.ProcessEnv) =>
  env.OMCM_HOME !== undefined && env.OMCM_HOME.length > 0 ? env.OMCM_HOME : path.join(env.HOME || os.homedir(), ".omcm")

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/**
 * A process's start time in clock ticks since boot (field 22 of `/proc/<pid>/stat`, Linux); null when unknown. The
 * same parsing as `processStartTicks` in src/lib/processes.ts, duplicated because the relay imports nothing of ours:
 * the command name (field 2) may hold spaces and parentheses, so the fields are counted from the last ")".
 */
const startTicksOf = (pid: number): string | null => {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8")
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null
  } catch {
    return null
  }
}

/**
 * The pid of the running daemon, from its state file: alive, and started when the file says (a daemon that died
 * leaves a pid another process may have taken since; relaying to it would cost the pick-up timeout for nothing).
 */
export const findDaemon = (env: NodeJS.ProcessEnv): number | undefined => {
  try {
    const value: unknown = JSON.parse(fs.readFileSync(path.join(stateDir(env), "daemon.json"), "utf8"))
    const { pid, startTicks } = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>
    if (typeof pid !== "number" || !Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined
    if (typeof startTicks === "string") {
      const now = startTicksOf(pid)
      if (now !== null && now !== startTicks) return undefined
    }
    return pid
  } catch {
    return undefined
  }
}

/** ~/.omcm is private: directories 0700, files 0600 (src/lib/privateFiles.ts, which the relay cannot import) */
const log = (env: NodeJS.ProcessEnv, event: string, error: string) => {
  try {
    const dir = path.join(stateDir(env), "logs")
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
    fs.appendFileSync(path.join(dir, "hooks.log"), `${JSON.stringify({ ts: new Date().toISOString(), event, error })}\n`, { mode: 0o600 })
  } catch {
    // nowhere to write: the call still proceeds
  }
}

/**
 * All of stdin, or undefined past the limit. Read synchronously (a `process.stdin` stream would load the networking
 * code this relay avoids); a non-blocking stdin (EAGAIN) is read the usual way from where it stopped.
 */
const readStdin = (done: (text: string | undefined) => void) => {
  // a terminal reads as empty (like the in-process programs); waiting for it would hang
  try {
    if (fs.fstatSync(0).isCharacterDevice()) return done("")
  } catch {
    return done("")
  }
  const chunks: Array<Buffer> = []
  let size = 0
  const buffer = Buffer.allocUnsafe(64 * 1024)
  try {
    for (;;) {
      const n = fs.readSync(0, buffer, 0, buffer.length, null)
      if (n === 0) break
      size += n
      if (size > STDIN_LIMIT) return done(undefined)
      chunks.push(Buffer.from(buffer.subarray(0, n)))
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EAGAIN") {
      let over = false
      process.stdin.on("data", (chunk: Buffer) => {
        size += chunk.length
        if (size > STDIN_LIMIT) over = true
        else chunks.push(chunk)
      })
      process.stdin.on("end", () => done(over ? undefined : Buffer.concat(chunks).toString("utf8")))
      process.stdin.on("error", () => done(over ? undefined : Buffer.concat(chunks).toString("utf8")))
      return
    }
    // EOF reported as an error, or a closed stdin: what was read is the input
  }
  done(Buffer.concat(chunks).toString("utf8"))
}

/** a hook's answer is its JSON output (none: the call proceeds); the statusline's is its line */
const printAnswer = (env: NodeJS.ProcessEnv, event: string, raw: string) => {
  try {
    const reply: unknown = JSON.parse(raw)
    const { output, text } = (typeof reply === "object" && reply !== null ? reply : {}) as { output?: unknown; text?: unknown }
    if (typeof text === "string") process.stdout.write(`${text}\n`)
    else if (typeof output === "object" && output !== null) process.stdout.write(`${JSON.stringify(output)}\n`)
  } catch {
    log(env, event, "the pool daemon's answer was not JSON; the call proceeds")
  }
}

/**
 * Relay one hook call to the daemon. `fallback(stdin)` runs the hook in this process instead: when no daemon runs, or
 * the daemon never took the call. Once the daemon has taken it (and may have started a delegation), a failure lets
 * the call through rather than risk doing the work twice.
 */
export const relayHook = (event: string, fallback: (stdin: string | undefined) => void): void => {
  const env = process.env
  // omcm's own `claude -p` children are never routed again: nothing to decide, so no runtime to load
  if (env.OMCM_DELEGATED === "1") return readStdin(() => undefined)
  if (env.OMCM_NO_RELAY === "1" || event.length === 0) return fallback(undefined)
  relay("hook", event, fallback)
}

/** Relay one statusline redraw to the daemon; `fallback(stdin)` draws it in this process instead. */
export const relayStatusline = (fallback: (stdin: string | undefined) => void): void => {
  if (process.env.OMCM_NO_RELAY === "1") return fallback(undefined)
  relay("statusline", "statusline", fallback)
}

const relay = (kind: RelayKind, event: string, fallback: (stdin: string | undefined) => void): void => {
  const env = process.env
  const daemon = findDaemon(env)
  if (daemon === undefined) return fallback(undefined)
  readStdin((text) => {
    if (text === undefined) return log(env, event, `${kind} input larger than ${STDIN_LIMIT} bytes`)
    relayCall({ env, daemon, kind, event, text }, {
      answered: (raw) => {
        printAnswer(env, event, raw)
        if (env.OMCM_RELAY_TRACE === "1") process.stderr.write(`omcm relay: answered by the pool daemon (pid ${daemon})\n`)
      },
      withdrawn: () => fallback(text),
      failed: (why) => log(env, event, why)
    })
  })
}

export type RelayKind = "hook" | "statusline"

export interface RelayCall {
  /** the caller's environment: where the relay directory is, and what the daemon is told of it */
  readonly env: NodeJS.ProcessEnv
  /** the daemon's pid (`findDaemon`) */
  readonly daemon: number
  readonly kind: RelayKind
  readonly event: string
  readonly text: string
}

/** How one relayed call ended: exactly one of these is called, once. */
export interface RelayOutcome {
  /** the daemon's answer file (`{ output }` or `{ text }`) */
  readonly answered: (raw: string) => void
  /** nobody took the call (no relay directory, a daemon that died or is stuck): the caller answers it itself */
  readonly withdrawn: () => void
  /** the daemon took the call and gave no answer: the call proceeds, `why` is what to log */
  readonly failed: (why: string) => void
}

/**
 * One call through the relay directory: leaves `<id>.req` for the daemon, waits for `<id>.res`. Exported for the soak
 * benchmark (test/support/soak.ts), which drives thousands of calls through this same exchange from one process.
 */
export const relayCall = (call: RelayCall, outcome: RelayOutcome): void => {
  const { daemon, env, event, kind, text } = call
  const forwarded: Record<string, string> = {}
  for (const key of FORWARDED_ENV) {
    const value = env[key]
    if (value !== undefined) forwarded[key] = value
  }
  const dir = path.join(stateDir(env), "relay")
  const id = `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`
  const request = path.join(dir, `${id}.req`)
  const response = path.join(dir, `${id}.res`)
  const tmp = path.join(dir, `${id}.tmp`)
  try {
    fs.writeFileSync(tmp, JSON.stringify({ kind, event, text, pid: process.pid, env: forwarded }), { mode: 0o600 })
    fs.renameSync(tmp, request)
  } catch {
    fs.rmSync(tmp, { force: true })
    return outcome.withdrawn()
  }

  const started = Date.now()
  let finished = false
  let watcher: fs.FSWatcher | undefined
  let timer: ReturnType<typeof setInterval> | undefined
  const finish = (then: () => void) => {
    if (finished) return
    finished = true
    watcher?.close()
    clearInterval(timer)
    then()
  }
  /** true when the call was still waiting to be taken: now nobody will take it */
  const withdraw = () => {
    try {
      fs.unlinkSync(request)
      return true
    } catch {
      return false
    }
  }
  const answered = () => {
    if (finished) return true
    let raw: string
    try {
      raw = fs.readFileSync(response, "utf8")
    } catch {
      return false
    }
    fs.rmSync(response, { force: true })
    finish(() => outcome.answered(raw))
    return true
  }
  const check = () => {
    if (answered()) return
    const waited = Date.now() - started
    const alive = isAlive(daemon)
    if (!alive || waited > PICKUP_TIMEOUT_MS) {
      if (withdraw()) return finish(outcome.withdrawn)
      if (!alive) return finish(() => outcome.failed("the pool daemon stopped while answering; the call proceeds"))
    }
    if (waited > REQUEST_TIMEOUT_MS) finish(() => outcome.failed("the pool daemon gave no answer in time; the call proceeds"))
  }
  try {
    watcher = fs.watch(dir, (_, name) => {
      if (name === `${id}.res`) answered()
    })
    watcher.on("error", () => undefined)
  } catch {
    watcher = undefined
  }
  // the timer also keeps this process alive while it waits; without directory events it is all there is
  timer = setInterval(check, watcher === undefined ? 5 : 100)
  answered()
}
