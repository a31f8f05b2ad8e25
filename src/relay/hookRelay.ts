// The hook relay: the first thing `omcm hook <event>` runs. When the pool daemon is up it forwards the hook's
// input to the daemon, which decides with its warm runtime, and prints the answer: the hook then costs little more
// than Node's own start. It is plain Node on purpose (no Effect, no schema library): loading a runtime is exactly
// what it avoids. Everything it receives is checked by hand, and the daemon decodes the input with the hook schemas.
// When no daemon answers, the hook runs in this process (`fallback`).
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"

/** larger than any hook input Claude Code sends */
const STDIN_LIMIT = 8 * 1024 * 1024
/** below the 300 s timeout the hooks are registered with */
const REQUEST_TIMEOUT_MS = 290_000
/** what the daemon needs of the caller's environment to find the same files */
const FORWARDED_ENV = ["HOME", "OMCM_HOME", "OMCM_CONFIG_DIR", "CLAUDE_CONFIG_DIR", "OMCM_CLAUDE_USAGE"] as const

interface Daemon {
  readonly pid: number
  readonly apiPort: number
  readonly token: string
}

const stateDir = (env: NodeJS.ProcessEnv) =>
  env.OMCM_HOME !== undefined && env.OMCM_HOME.length > 0 ? env.OMCM_HOME : path.join(env.HOME || os.homedir(), ".omcm")

const readDaemon = (env: NodeJS.ProcessEnv): Daemon | undefined => {
  try {
    const value: unknown = JSON.parse(fs.readFileSync(path.join(stateDir(env), "daemon.json"), "utf8"))
    if (typeof value !== "object" || value === null) return undefined
    const { apiPort, pid, token } = value as Record<string, unknown>
    if (typeof pid !== "number" || typeof apiPort !== "number" || typeof token !== "string") return undefined
    process.kill(pid, 0)
    return { pid, apiPort, token }
  } catch {
    return undefined
  }
}

const log = (env: NodeJS.ProcessEnv, event: string, error: string) => {
  try {
    const dir = path.join(stateDir(env), "logs")
    fs.mkdirSync(dir, { recursive: true })
    fs.appendFileSync(path.join(dir, "hooks.log"), `${JSON.stringify({ ts: new Date().toISOString(), event, error })}\n`)
  } catch {
    // nowhere to write: the call still proceeds
  }
}

const readAll = (done: (text: string | undefined) => void) => {
  const chunks: Array<Buffer> = []
  let size = 0
  let over = false
  process.stdin.on("data", (chunk: Buffer) => {
    size += chunk.length
    if (size > STDIN_LIMIT) over = true
    else chunks.push(chunk)
  })
  process.stdin.on("end", () => done(over ? undefined : Buffer.concat(chunks).toString("utf8")))
  process.stdin.on("error", () => done(Buffer.concat(chunks).toString("utf8")))
}

/** status and body of a raw HTTP/1.1 response (Content-Length or chunked) */
const parseResponse = (raw: Buffer): { readonly status: number; readonly body: string } | undefined => {
  const split = raw.indexOf("\r\n\r\n")
  if (split < 0) return undefined
  const head = raw.subarray(0, split).toString("latin1").split("\r\n")
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head[0] ?? "")?.[1] ?? NaN)
  if (!Number.isInteger(status)) return undefined
  let body = raw.subarray(split + 4)
  if (head.some((line) => /^transfer-encoding:\s*chunked/i.test(line))) {
    const parts: Array<Buffer> = []
    let at = 0
    for (;;) {
      const eol = body.indexOf("\r\n", at)
      if (eol < 0) break
      const size = parseInt(body.subarray(at, eol).toString("latin1"), 16)
      if (!(size > 0)) break
      parts.push(body.subarray(eol + 2, eol + 2 + size))
      at = eol + 2 + size + 2
    }
    body = Buffer.concat(parts)
  }
  return { status, body: body.toString("utf8") }
}

/**
 * Relay one hook call to the daemon. `fallback(stdin)` runs the hook in this process instead: when no daemon runs,
 * or the daemon surely did not take the call (connection refused, rejected). Once the daemon may have started work
 * (a delegation), a failure lets the call through rather than risk doing the work twice.
 *
 * The request is written by hand over a socket (one POST, `Connection: close`): loading `node:http` would cost more
 * than the whole exchange.
 */
export const relayHook = (event: string, fallback: (stdin: string | undefined) => void): void => {
  const env = process.env
  if (env.OMCM_DELEGATED === "1" || env.OMCM_NO_RELAY === "1" || event.length === 0) return fallback(undefined)
  const daemon = readDaemon(env)
  if (daemon === undefined) return fallback(undefined)
  // connect while stdin is read
  const socket = net.connect({ host: "127.0.0.1", port: daemon.apiPort })
  socket.setTimeout(REQUEST_TIMEOUT_MS)
  let sent = false
  let settled = false
  let text: string | undefined
  let stdinDone = false
  let fallbackWhenRead = false
  /** stdin is being read by the relay: the in-process hook may only start once all of it is in `text` */
  const fallbackAfterStdin = () => {
    if (stdinDone) fallback(text)
    else fallbackWhenRead = true
  }
  const received: Array<Buffer> = []
  const settle = (f: () => void) => {
    if (settled) return
    settled = true
    f()
  }
  const complete = () => {
    const raw = Buffer.concat(received)
    const split = raw.indexOf("\r\n\r\n")
    if (split < 0) return false
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(raw.subarray(0, split).toString("latin1"))?.[1]
    return length !== undefined && raw.length - split - 4 >= Number(length)
  }
  // a whole answer ends the exchange even if the server keeps the connection open
  socket.on("data", (chunk: Buffer) => {
    received.push(chunk)
    if (complete()) socket.end()
  })
  socket.on("timeout", () => socket.destroy(new Error("no answer in time")))
  socket.on("error", (error: NodeJS.ErrnoException) =>
    settle(() => {
      if (!sent || error.code === "ECONNREFUSED") return fallbackAfterStdin()
      log(env, event, `relay to the pool daemon failed (${error.message}); the call proceeds`)
    }))
  socket.on("end", () =>
    settle(() => {
      const response = parseResponse(Buffer.concat(received))
      if (response === undefined) return log(env, event, "the pool daemon's answer was not HTTP; the call proceeds")
      if (response.status === 401 || response.status === 404) return fallbackAfterStdin()
      try {
        const reply: unknown = JSON.parse(response.body)
        const output = typeof reply === "object" && reply !== null ? (reply as { output?: unknown }).output : undefined
        if (typeof output === "object" && output !== null) process.stdout.write(`${JSON.stringify(output)}\n`)
      } catch {
        log(env, event, `the pool daemon answered HTTP ${response.status} without JSON; the call proceeds`)
      }
    }))
  readAll((input) => {
    stdinDone = true
    text = input
    if (fallbackWhenRead) {
      if (input !== undefined) fallback(input)
      else log(env, event, `hook input larger than ${STDIN_LIMIT} bytes`)
      return
    }
    if (input === undefined) {
      socket.destroy()
      settled = true
      return log(env, event, `hook input larger than ${STDIN_LIMIT} bytes`)
    }
    const forwarded: Record<string, string> = {}
    for (const key of FORWARDED_ENV) {
      const value = env[key]
      if (value !== undefined) forwarded[key] = value
    }
    const body = Buffer.from(JSON.stringify({ text, env: forwarded }), "utf8")
    const head = `POST /hook/${encodeURIComponent(event)} HTTP/1.1\r\nHost: 127.0.0.1:${daemon.apiPort}\r\n` +
      `Authorization: Bearer ${daemon.token}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n` +
      "Connection: close\r\n\r\n"
    sent = true
    // no half-close: an HTTP server reads a FIN from the client as a hang-up and abandons the call (a delegation
    // would be aborted); our side ends once the whole answer is in
    socket.write(Buffer.concat([Buffer.from(head, "latin1"), body]))
  })
}
