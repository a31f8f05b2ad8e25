import { describe, expect, it } from "vitest"
import { hookCommand, OMCM_HOOKS, type OmcmLauncher, statuslineCommand } from "../../src/services/claude-code"
import {
  claudeCheck,
  daemonCheck,
  databaseCheck,
  doctorExitCode,
  hooksCheck,
  modesCheck,
  nodeCheck,
  opencodeCheck,
  pricesCheck,
  providersCheck,
  statuslineCheck,
  tierCheck,
  usageCheck
} from "../../src/services/doctor"
import type { OpencodeCatalog } from "../../src/services/models"
import { resolveTier } from "../../src/services/models"

const launcher: OmcmLauncher = { _tag: "Absolute", node: "/usr/bin/node", script: "/opt/omcm/dist/omcm.js" }
const other: OmcmLauncher = { _tag: "Absolute", node: "/usr/bin/node", script: "/old/omcm/dist/omcm.js" }

const hooksOf = (l: OmcmLauncher) =>
  Object.fromEntries(OMCM_HOOKS.map((spec) => [spec.event, [{ hooks: [{ type: "command", command: hookCommand(l, spec) }] }]]))

const catalog: OpencodeCatalog = {
  version: 1,
  fetchedAt: "2026-12-01T00:00:00.000Z",
  source: "test",
  opencodeVersion: "1.18.33",
  connected: ["openai"],
  providers: [{
    id: "openai",
    name: "OpenAI",
    env: ["OPENAI_API_KEY"],
    models: [{ id: "gpt-5.2", name: "GPT-5.2", family: null, releaseDate: "2026-01-01", status: "active", toolCall: true, cost: null, context: null, output: null }]
  }]
}

describe("doctor checks", () => {
  it("Node: 20 and later pass, older fail with the fix", () => {
    expect(nodeCheck("22.1.0").status).toBe("ok")
    const old = nodeCheck("18.19.0")
    expect(old.status).toBe("fail")
    expect(old.fix).toContain("Node 20")
  })

  it("OpenCode: missing fails naming where it looked; another minor than 1.18 warns; 1.18.x passes", () => {
    const missing = opencodeCheck({ _tag: "Missing", tried: ["/nope/opencode"] })
    expect(missing).toMatchObject({ status: "fail" })
    expect(missing.detail).toContain("/nope/opencode")
    expect(missing.fix).toContain("opencode-ai@1.18.33")
    expect(opencodeCheck({ _tag: "Found", path: "/bin/opencode", version: "1.19.0", error: null }).status).toBe("warn")
    expect(opencodeCheck({ _tag: "Found", path: "/bin/opencode", version: "1.18.40", error: null }).status).toBe("ok")
    expect(opencodeCheck({ _tag: "Found", path: "/bin/opencode", version: null, error: "exit 1" }).status).toBe("fail")
  })

  it("providers: none connected fails with opencode auth login", () => {
    const none = providersCheck({ _tag: "Read", catalog: { ...catalog, connected: [] }, origin: "x" })
    expect(none.status).toBe("fail")
    expect(none.fix).toContain("opencode auth login")
    expect(providersCheck({ _tag: "Read", catalog, origin: "x" }).detail).toContain("openai")
    expect(providersCheck({ _tag: "Unreadable", error: "boom" }).detail).toContain("boom")
  })

  it("a tier: a model that exists passes; an id OpenCode does not know fails (alone) or warns (with a fallback), naming it", () => {
    expect(tierCheck("LOW", resolveTier("LOW", "openai/gpt-5.2", catalog))).toMatchObject({ status: "ok", detail: "LOW → openai/gpt-5.2" })
    const alone = tierCheck("MEDIUM", resolveTier("MEDIUM", "openai/gpt-nope", catalog))
    expect(alone.status).toBe("fail")
    expect(alone.detail).toContain("openai/gpt-nope: dropped: not in OpenCode's catalog")
    expect(alone.fix).toContain("--model-medium")
    const withFallback = tierCheck("HIGH", resolveTier("HIGH", ["openai/gpt-nope", "openai/gpt-5.2"], catalog))
    expect(withFallback.status).toBe("warn")
    expect(withFallback.detail).toContain("openai/gpt-nope")
    // a provider without credentials is the user's choice: no warning when another model serves
    expect(tierCheck("LOW", resolveTier("LOW", ["google/gemini-x", "openai/gpt-5.2"], catalog)).status).toBe("ok")
  })

  it("Claude Code: missing only warns", () => {
    expect(claudeCheck({ _tag: "Missing", tried: ["claude on PATH"] }).status).toBe("warn")
    expect(claudeCheck({ _tag: "Found", path: "/bin/claude", version: "2.1.330", error: null }).detail).toContain("2.1.330")
  })

  it("hooks: this omcm passes; another omcm's fails naming the command; some missing fail; none warns; the plugin passes", () => {
    expect(hooksCheck("s.json", { hooks: hooksOf(launcher) }, launcher).status).toBe("ok")
    const elsewhere = hooksCheck("s.json", { hooks: hooksOf(other) }, launcher)
    expect(elsewhere.status).toBe("fail")
    expect(elsewhere.detail).toContain("/old/omcm/dist/omcm.js")
    expect(elsewhere.detail).toContain("not this omcm (/opt/omcm/dist/omcm.js)")
    const { Stop: _stop, ...partial } = hooksOf(launcher)
    expect(hooksCheck("s.json", { hooks: partial }, launcher)).toMatchObject({ status: "fail", detail: "s.json: omcm's Stop hook is missing" })
    expect(hooksCheck("s.json", null, launcher)).toMatchObject({ status: "warn", fix: "omcm install --hooks" })
    expect(hooksCheck("s.json", { enabledPlugins: { "omcm@local": true } }, launcher).status).toBe("ok")
    expect(hooksCheck("s.json", null, launcher, true).detail).toContain("skills directory")
    expect(hooksCheck("s.json", { hooks: hooksOf(launcher), enabledPlugins: { "omcm@local": true } }, launcher).status).toBe("warn")
  })

  it("statusline: this omcm passes, another omcm fails, the user's own warns, none warns", () => {
    expect(statuslineCheck("s", { statusLine: { type: "command", command: statuslineCommand(launcher) } }, launcher).status).toBe("ok")
    expect(statuslineCheck("s", { statusLine: { type: "command", command: statuslineCommand(other) } }, launcher).status).toBe("fail")
    expect(statuslineCheck("s", { statusLine: { type: "command", command: "my-line" } }, launcher).fix).toContain("--force")
    expect(statuslineCheck("s", {}, launcher).status).toBe("warn")
  })

  it("usage: fresh statusline cache passes; stale with a working OAuth passes; stale and no OAuth warns", () => {
    const now = 1_000_000_000
    expect(usageCheck({ now, maxAgeSeconds: 600, statuslineUpdatedAt: now - 5_000, oauth: null }).status).toBe("ok")
    expect(usageCheck({ now, maxAgeSeconds: 600, statuslineUpdatedAt: now - 900_000, oauth: { fetchedAt: now, ok: true, error: null } }).status).toBe("ok")
    const stale = usageCheck({ now, maxAgeSeconds: 600, statuslineUpdatedAt: now - 900_000, oauth: { fetchedAt: now, ok: false, error: "unauthorized" } })
    expect(stale.status).toBe("warn")
    expect(stale.detail).toContain("stale (15 min ago)")
    expect(stale.detail).toContain("unauthorized")
  })

  it("daemon: not running is fine unless paused; unreachable fails; no healthy server fails", () => {
    expect(daemonCheck({ _tag: "NotRunning", paused: false }).status).toBe("ok")
    expect(daemonCheck({ _tag: "NotRunning", paused: true }).status).toBe("warn")
    expect(daemonCheck({ _tag: "Unreachable", pid: 1, apiPort: 2, error: "refused" }).status).toBe("fail")
    const running = daemonCheck({ _tag: "Running", pid: 1, apiPort: 2, servers: [{ port: 4100, status: "idle", lastError: null }] })
    expect(running).toMatchObject({ status: "ok" })
    expect(running.detail).toContain("4100 idle")
    expect(daemonCheck({ _tag: "Running", pid: 1, apiPort: 2, servers: [{ port: 4100, status: "error", lastError: "crashed" }] }).detail).toContain("crashed")
  })

  it("database and modes name the file and the fix", () => {
    const corrupt = databaseCheck("/h/.omcm/omcm.db", { _tag: "Corrupt", error: "file is not a database" })
    expect(corrupt.status).toBe("fail")
    expect(corrupt.detail).toBe("/h/.omcm/omcm.db is corrupt: file is not a database")
    expect(modesCheck("/h/.omcm", null).status).toBe("ok")
    expect(modesCheck("/h/.omcm", [{ path: "/h/.omcm", dir: true, mode: 0o700 }, { path: "/h/.omcm/a", dir: false, mode: 0o600 }]).status).toBe("ok")
    const open = modesCheck("/h/.omcm", [{ path: "/h/.omcm", dir: true, mode: 0o755 }, { path: "/h/.omcm/daemon.json", dir: false, mode: 0o644 }])
    expect(open.status).toBe("fail")
    expect(open.detail).toContain("/h/.omcm/daemon.json is 0644 (want 0600)")
    expect(open.fix).toBe("chmod -R go-rwx /h/.omcm")
  })

  it("exit 1 only when a check failed", () => {
    expect(doctorExitCode([nodeCheck("22.0.0"), claudeCheck({ _tag: "Missing", tried: [] })])).toBe(0)
    expect(doctorExitCode([nodeCheck("18.0.0")])).toBe(1)
  })
})

describe("doctor: where prices come from and how old they are", () => {
  const now = Date.parse("2026-12-01T00:00:00.000Z")
  const withAnthropic: OpencodeCatalog = {
    ...catalog,
    priceOnly: [{
      id: "anthropic", name: "Anthropic", env: [],
      models: [{ id: "claude-opus-5-5", name: "Opus", family: null, releaseDate: null, status: "active", toolCall: true, cost: { input: 4, output: 20, cacheRead: null, cacheWrite: null }, context: null, output: null }]
    }]
  }
  const unreadable = { _tag: "Unreadable" as const, error: "no server" }

  it("read now: ok, saying where Claude's prices come from and how old the saved catalog was", () => {
    const old = { ...catalog, fetchedAt: "2026-11-20T00:00:00.000Z" }
    const check = pricesCheck(old, { _tag: "Read", catalog: withAnthropic, origin: "the pool daemon" }, now)
    expect(check).toMatchObject({ status: "ok", fix: null })
    expect(check.detail).toBe("from OpenCode's catalog, read now; Claude's from its anthropic entry; the saved one was 11d old")
    expect(pricesCheck(undefined, { _tag: "Read", catalog, origin: "x" }, now).detail).toContain("Claude's from omcm's built-in table")
  })

  it("not readable now: a saved catalog older than a week is stale (warn, with the command that refreshes it)", () => {
    const stale = pricesCheck({ ...withAnthropic, fetchedAt: "2026-11-20T06:00:00.000Z" }, unreadable, now)
    expect(stale).toMatchObject({ status: "warn", fix: "omcm models (a running pool daemon re-reads the catalog every hour)" })
    expect(stale.detail).toBe("from OpenCode's catalog saved 2026-11-20 06:00 UTC, 10d18h ago: older than 7 days, prices may have changed")
    const fresh = pricesCheck({ ...withAnthropic, fetchedAt: "2026-11-30T00:00:00.000Z" }, unreadable, now)
    expect(fresh).toMatchObject({ status: "ok" })
    expect(fresh.detail).toBe("from OpenCode's catalog saved 2026-11-30 00:00 UTC, 1d ago; Claude's from its anthropic entry")
    expect(pricesCheck(undefined, { _tag: "Skipped", why: "OpenCode cannot be run" }, now)).toMatchObject({
      status: "warn",
      detail: "no OpenCode catalog saved: costs come from omcm's built-in table"
    })
  })
})
