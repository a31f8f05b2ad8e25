/**
 * The checks of `omcm doctor`, as pure functions of what was observed: each gives one line (ok / warn / fail), what
 * was found, and for a warn or a fail the command or step that fixes it. Gathering the facts (running binaries,
 * reading files, asking servers) is the CLI's part (src/programs/cli/doctorProbes.ts).
 */
import type { Tier } from "../../domain/model"
import { isJsonObject, type JsonObject } from "../../lib/jsonValue"
import { shellQuote } from "../../lib/shellQuote"
import { hookCommand, OMCM_HOOKS, type OmcmLauncher, pluginEnabled, statuslineCommand } from "../claude-code"
import { type OpencodeCatalog, type TierResolution, whyNoCandidate } from "../models"
import type { Integrity } from "../store"
import { CATALOG_STALE_AFTER_MS, priceFreshness } from "../tracker"
import { formatSpan } from "../../lib/format"

export type CheckStatus = "ok" | "warn" | "fail"

export interface Check {
  /** a stable key (`--json`) */
  readonly id: string
  readonly status: CheckStatus
  /** what was found, in one line */
  readonly detail: string
  /** what to run or do; null when nothing needs fixing */
  readonly fix: string | null
}

const ok = (id: string, detail: string): Check => ({ id, status: "ok", detail, fix: null })
const warn = (id: string, detail: string, fix: string): Check => ({ id, status: "warn", detail, fix })
const fail = (id: string, detail: string, fix: string): Check => ({ id, status: "fail", detail, fix })

/** the OpenCode release whose server API omcm speaks (package.json pins opencode-ai 1.18.33) */
export const SUPPORTED_OPENCODE = { major: 1, minor: 18, pinned: "1.18.33" } as const

export const MINIMUM_NODE_MAJOR = 20

export const nodeCheck = (version: string): Check => {
  const major = Number(version.split(".")[0])
  return major >= MINIMUM_NODE_MAJOR
    ? ok("node", `Node ${version}`)
    : fail("node", `Node ${version}: omcm needs ${MINIMUM_NODE_MAJOR} or later`, `install Node ${MINIMUM_NODE_MAJOR}+ (e.g. nvm install 22)`)
}

/** where a binary was found and what its `--version` said */
export type BinaryFound =
  | { readonly _tag: "Found"; readonly path: string; readonly version: string | null; readonly error: string | null }
  | { readonly _tag: "Missing"; readonly tried: ReadonlyArray<string> }

const INSTALL_OPENCODE = `npm install -g opencode-ai@${SUPPORTED_OPENCODE.pinned}`

export const opencodeCheck = (found: BinaryFound): Check => {
  if (found._tag === "Missing") {
    return fail("opencode", `OpenCode not found (tried ${found.tried.join(", ")})`, `${INSTALL_OPENCODE} (or set pool.opencodeBin / OMCM_OPENCODE_BIN)`)
  }
  if (found.version === null) {
    return fail("opencode", `${found.path} --version failed${found.error === null ? "" : `: ${found.error}`}`, INSTALL_OPENCODE)
  }
  const [major, minor] = found.version.split(".").map(Number)
  if (major !== SUPPORTED_OPENCODE.major || minor !== SUPPORTED_OPENCODE.minor) {
    return warn(
      "opencode",
      `OpenCode ${found.version} at ${found.path}: omcm speaks the server API of ${SUPPORTED_OPENCODE.major}.${SUPPORTED_OPENCODE.minor}.x`,
      INSTALL_OPENCODE
    )
  }
  return ok("opencode", `OpenCode ${found.version} at ${found.path} (server API ${SUPPORTED_OPENCODE.major}.${SUPPORTED_OPENCODE.minor}.x, the one omcm speaks)`)
}

const CONNECT = "opencode auth login (or set OPENAI_API_KEY / GOOGLE_GENERATIVE_AI_API_KEY for omcm's servers)"

/** the catalog read from OpenCode now: its connected providers, or why it could not be read */
export type CatalogRead =
  | { readonly _tag: "Read"; readonly catalog: OpencodeCatalog; readonly origin: string }
  | { readonly _tag: "Unreadable"; readonly error: string }
  | { readonly _tag: "Skipped"; readonly why: string }

export const providersCheck = (read: CatalogRead): Check => {
  if (read._tag === "Skipped") return fail("providers", `cannot ask OpenCode which providers have credentials: ${read.why}`, "fix the checks above")
  if (read._tag === "Unreadable") return fail("providers", `OpenCode's catalog could not be read: ${read.error}`, "omcm models (it says more); then omcm doctor")
  const { connected } = read.catalog
  return connected.length === 0
    ? fail("providers", `OpenCode has credentials for no provider (asked ${read.origin})`, CONNECT)
    : ok("providers", `connected: ${connected.join(", ")} (asked ${read.origin})`)
}

/**
 * Where the prices of `omcm stats` and the savings come from: OpenCode's catalog (read now, or as saved: stale after
 * a week), Claude's from its `anthropic` entry when it has one, else omcm's built-in table.
 */
export const pricesCheck = (saved: OpencodeCatalog | undefined, read: CatalogRead, now: number): Check => {
  const claude = (catalog: OpencodeCatalog) =>
    [...catalog.providers, ...(catalog.priceOnly ?? [])].some((p) => p.id === "anthropic" && p.models.some((m) => m.cost !== null))
      ? "Claude's from its anthropic entry"
      : "Claude's from omcm's built-in table (the catalog has no anthropic entry)"
  if (read._tag === "Read") {
    const was = saved === undefined ? "" : `; the saved one was ${formatSpan(now - Date.parse(saved.fetchedAt))} old`
    return ok("prices", `from OpenCode's catalog, read now; ${claude(read.catalog)}${was}`)
  }
  const refresh = "omcm models (a running pool daemon re-reads the catalog every hour)"
  if (saved === undefined) return warn("prices", "no OpenCode catalog saved: costs come from omcm's built-in table", refresh)
  const freshness = priceFreshness(saved, now)
  const age = `saved ${saved.fetchedAt.slice(0, 16).replace("T", " ")} UTC, ${formatSpan(freshness.ageMs ?? 0)} ago`
  return freshness.stale
    ? warn("prices", `from OpenCode's catalog ${age}: older than ${CATALOG_STALE_AFTER_MS / 86_400_000} days, prices may have changed`, refresh)
    : ok("prices", `from OpenCode's catalog ${age}; ${claude(saved)}`)
}

/** One tier: its models resolve against the catalog to at least one usable model; fixed ids that do not are named. */
export const tierCheck = (tier: Tier, resolution: TierResolution): Check => {
  const id = `models.${tier}`
  const first = resolution.candidates[0]
  const setFix = `connect the provider (${CONNECT.split(" (")[0]}) or choose another model: omcm setup --model-${tier.toLowerCase()} <provider/model> (omcm models lists them)`
  if (first === undefined) {
    return fail(id, `${tier}: no usable OpenCode model (${whyNoCandidate(resolution)}); ${tier}-tier calls stay on Claude`, setFix)
  }
  // a fixed id OpenCode does not know, or cannot use (a provider not connected is the user's choice, not a problem)
  const unusableIds = resolution.entries.filter((e) =>
    typeof e.choice === "string" && e.leftOut.some((l) => l.id === e.choice && !l.reason.includes("is not connected"))
  )
  const rest = resolution.candidates.length > 1 ? ` (then ${resolution.candidates.slice(1).map((c) => c.id).join(", ")})` : ""
  if (unusableIds.length > 0) {
    return warn(id, `${tier} → ${first.id}${rest}; but ${unusableIds.map((e) => `${e.label}: ${e.outcome}`).join("; ")}`, setFix)
  }
  return ok(id, `${tier} → ${first.id}${rest}`)
}

export const claudeCheck = (found: BinaryFound): Check => {
  if (found._tag === "Missing") {
    return warn("claude", `Claude Code not found (tried ${found.tried.join(", ")}); omcm routes Claude Code's sub-agents`, "npm install -g @anthropic-ai/claude-code (or set claude.bin / OMCM_CLAUDE_BIN)")
  }
  if (found.version === null) {
    return warn("claude", `${found.path} --version failed${found.error === null ? "" : `: ${found.error}`}`, "npm install -g @anthropic-ai/claude-code")
  }
  return ok("claude", `Claude Code ${found.version} at ${found.path}`)
}

/** every command hook of a settings object, with its event */
const commandHooks = (settings: JsonObject): ReadonlyArray<{ readonly event: string; readonly command: string }> => {
  const hooks = settings.hooks
  if (!isJsonObject(hooks)) return []
  return Object.entries(hooks).flatMap(([event, groups]) =>
    (Array.isArray(groups) ? groups : []).flatMap((group) =>
      isJsonObject(group) && Array.isArray(group.hooks)
        ? group.hooks.flatMap((h) => (isJsonObject(h) && typeof h.command === "string" ? [{ event, command: h.command }] : []))
        : []
    )
  )
}

const OMCM_HOOK_COMMAND = /omcm(?:\.js)?['"]?\s+hook\s+([a-z-]+)/

/** a command runs this omcm: the very command install writes, or one naming the same script */
const runsThis = (command: string, expected: string, launcher: OmcmLauncher): boolean =>
  command === expected || (launcher._tag === "Absolute" && command.includes(shellQuote(launcher.script)))

/** Claude Code's settings: the hooks of `omcm install --hooks`, or the plugin, wired to this omcm. */
export const hooksCheck = (
  settingsFile: string,
  settings: JsonObject | null,
  launcher: OmcmLauncher,
  /** the plugin linked into `<claude config>/skills/omcm` (loaded at start-up as omcm@skills-dir) */
  pluginLinked = false
): Check => {
  const found = settings === null ? [] : commandHooks(settings).filter((h) => OMCM_HOOK_COMMAND.test(h.command))
  const plugin = pluginLinked || (settings !== null && pluginEnabled(settings))
  const fix = "omcm install --hooks"
  if (found.length === 0) {
    return plugin
      ? ok("hooks", pluginLinked ? "the omcm plugin is linked into Claude Code's skills directory" : `the omcm plugin is enabled in ${settingsFile}`)
      : warn("hooks", `no omcm hooks in ${settingsFile} and the omcm plugin is not enabled there (fine if you start claude --plugin-dir <omcm>)`, fix)
  }
  const elsewhere = found.filter((h) => !runsThis(h.command, hookCommand(launcher, OMCM_HOOKS.find((s) => s.event === h.event) ?? OMCM_HOOKS[0]!), launcher))
  if (elsewhere.length > 0) {
    const first = elsewhere[0]!
    return fail("hooks", `${settingsFile}: the ${first.event} hook runs ${JSON.stringify(first.command)}, not this omcm (${launcher._tag === "Absolute" ? launcher.script : "the plugin"})`, fix)
  }
  const missing = OMCM_HOOKS.filter((spec) => !found.some((h) => h.event === spec.event)).map((s) => s.event)
  if (missing.length > 0) return fail("hooks", `${settingsFile}: omcm's ${missing.join(", ")} hook${missing.length === 1 ? " is" : "s are"} missing`, fix)
  if (plugin) return warn("hooks", `${settingsFile} has omcm's hooks and the omcm plugin enabled: every hook runs twice`, "disable one: omcm uninstall, or turn the plugin off")
  return ok("hooks", `all ${OMCM_HOOKS.length} hooks in ${settingsFile} run this omcm`)
}

export const statuslineCheck = (settingsFile: string, settings: JsonObject | null, launcher: OmcmLauncher): Check => {
  const line = settings?.statusLine
  const command = isJsonObject(line) && typeof line.command === "string" ? line.command : null
  if (command === null) return warn("statusline", `no statusLine in ${settingsFile}: omcm sees your Claude usage only through the OAuth endpoint`, "omcm install")
  if (runsThis(command, statuslineCommand(launcher), launcher)) return ok("statusline", `${settingsFile}'s statusLine runs this omcm`)
  if (/omcm(?:\.js)?['"]?\s+statusline/.test(command)) {
    return fail("statusline", `${settingsFile}'s statusLine runs ${JSON.stringify(command)}, not this omcm`, "omcm install")
  }
  return warn("statusline", `${settingsFile}'s statusLine is another command (${JSON.stringify(command)})`, "omcm install --force (omcm uninstall puts yours back)")
}

/** the statusline's usage cache and the OAuth endpoint's last answer */
export interface UsageFacts {
  readonly now: number
  readonly maxAgeSeconds: number
  readonly statuslineUpdatedAt: number | null
  readonly oauth: { readonly fetchedAt: number; readonly ok: boolean; readonly error: string | null } | null
}

const ago = (ms: number) => (ms < 120_000 ? `${Math.round(ms / 1000)} s ago` : ms < 7_200_000 ? `${Math.round(ms / 60_000)} min ago` : `${Math.round(ms / 3_600_000)} h ago`)

export const usageCheck = (u: UsageFacts): Check => {
  if (u.statuslineUpdatedAt !== null && u.now - u.statuslineUpdatedAt <= u.maxAgeSeconds * 1000) {
    return ok("usage", `Claude usage cached by the statusline ${ago(u.now - u.statuslineUpdatedAt)}`)
  }
  const cached = u.statuslineUpdatedAt === null ? "the statusline has cached no usage yet" : `the statusline's usage is stale (${ago(u.now - u.statuslineUpdatedAt)})`
  if (u.oauth !== null && u.oauth.ok) return ok("usage", `${cached}; the OAuth usage endpoint answered ${ago(u.now - u.oauth.fetchedAt)}`)
  const oauth = u.oauth === null ? "the OAuth endpoint was not asked yet" : `the OAuth endpoint failed ${ago(u.now - u.oauth.fetchedAt)}: ${u.oauth.error ?? "unknown"}`
  return warn("usage", `${cached}, ${oauth}; ulw mode counts usage as unknown`, "run Claude Code with omcm's statusline (omcm install), or log in to Claude Code")
}

export type DaemonFacts =
  | { readonly _tag: "NotRunning"; readonly paused: boolean }
  | { readonly _tag: "Unreachable"; readonly pid: number; readonly apiPort: number; readonly error: string }
  | {
    readonly _tag: "Running"
    readonly pid: number
    readonly apiPort: number
    readonly servers: ReadonlyArray<{ readonly port: number; readonly status: string; readonly lastError: string | null }>
  }

export const daemonCheck = (d: DaemonFacts): Check => {
  switch (d._tag) {
    case "NotRunning":
      return d.paused
        ? warn("daemon", "the pool daemon is stopped, and hooks will not start it (omcm pool stop)", "omcm pool start --detach")
        : ok("daemon", "the pool daemon is not running; a SessionStart hook starts it (or: omcm pool start --detach)")
    case "Unreachable":
      return fail("daemon", `the pool daemon (pid ${d.pid}) does not answer on 127.0.0.1:${d.apiPort}: ${d.error}`, "omcm pool stop && omcm pool start --detach")
    case "Running": {
      const healthy = d.servers.filter((s) => s.status === "busy" || s.status === "idle")
      const list = d.servers.map((s) => `${s.port} ${s.status}`).join(", ")
      if (d.servers.length > 0 && healthy.length === 0) {
        const error = d.servers.find((s) => s.lastError !== null)?.lastError
        return fail("daemon", `the pool daemon (pid ${d.pid}, API ${d.apiPort}) has no healthy server (${list})${error ? `: ${error}` : ""}`, "omcm pool stop && omcm pool start --detach")
      }
      return ok("daemon", `the pool daemon runs (pid ${d.pid}, API 127.0.0.1:${d.apiPort}); servers: ${list.length > 0 ? list : "none yet"}`)
    }
  }
}

export const databaseCheck = (file: string, db: Integrity): Check => {
  switch (db._tag) {
    case "Missing":
      return ok("database", `${file} is not created yet`)
    case "Ok":
      return ok("database", `${file}: integrity ok (PRAGMA quick_check)`)
    case "Corrupt":
      return fail("database", `${file} is corrupt: ${db.error}`, `mv ${shellQuote(file)} ${shellQuote(`${file}.corrupt`)} (omcm starts a new one; it also does so itself on its next write)`)
  }
}

export interface FileMode {
  readonly path: string
  readonly dir: boolean
  /** the permission bits */
  readonly mode: number
}

const octal = (mode: number) => mode.toString(8).padStart(4, "0")

/** Everything under the state directory is its owner's alone: directories 0700, files 0600 (no group or other bits). */
export const modesCheck = (stateDir: string, entries: ReadonlyArray<FileMode> | null): Check => {
  if (entries === null) return ok("modes", `${stateDir} is not created yet`)
  const open = entries.filter((e) => (e.mode & 0o077) !== 0)
  if (open.length === 0) return ok("modes", `${stateDir}: ${entries.length} entries, all private (directories 0700, files 0600)`)
  const shown = open.slice(0, 4).map((e) => `${e.path} is ${octal(e.mode)} (want ${e.dir ? "0700" : "0600"})`).join(", ")
  return fail("modes", `${open.length} entr${open.length === 1 ? "y" : "ies"} under ${stateDir} others may read: ${shown}${open.length > 4 ? ", ..." : ""}`, `chmod -R go-rwx ${shellQuote(stateDir)}`)
}

export const configCheck = (error: string | null, files: ReadonlyArray<string>): Check =>
  error === null ? ok("config", `configuration valid (${files.join(", ")})`) : fail("config", error, "fix the file named (omcm config validate)")

/** the exit code of a doctor run: 1 when a check failed */
export const doctorExitCode = (checks: ReadonlyArray<Check>): number => (checks.some((c) => c.status === "fail") ? 1 : 0)

export const formatCheck = (c: Check): string =>
  `${c.status.padEnd(4)}  ${c.id.padEnd(14)} ${c.detail}${c.fix === null ? "" : `  → fix: ${c.fix}`}`
