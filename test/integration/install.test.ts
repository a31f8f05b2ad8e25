import * as fs from "node:fs"
import * as path from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { OMCM_HOOKS } from "../../src/services/claude-code/omcmHooks"
import { OMCM_BIN, runOmcm } from "../support/cli"
import { makeTempHome, type TempHome } from "../support/tempHome"

const ORIGINAL = {
  model: "opus",
  permissions: { allow: ["Bash(ls:*)"], deny: [] },
  env: { FOO: "bar" },
  hooks: {
    Stop: [{ hooks: [{ type: "command", command: "echo user-stop" }] }],
    PreToolUse: [{ matcher: "Bash", hooks: [{ type: "command", command: "echo user-bash", timeout: 5 }] }]
  },
  enabledPlugins: { "other@market": true },
  someFutureKey: [1, { nested: null }]
}

let home: TempHome
let settingsFile: string
let recordFile: string
beforeEach(() => {
  home = makeTempHome("omcm-install-")
  settingsFile = path.join(home.paths.claudeConfigDir, "settings.json")
  recordFile = path.join(home.paths.stateDir, "install-record.json")
})
afterEach(() => home.cleanup())

const writeSettings = (content: unknown) => {
  fs.mkdirSync(path.dirname(settingsFile), { recursive: true })
  fs.writeFileSync(settingsFile, typeof content === "string" ? content : `${JSON.stringify(content, null, 2)}\n`)
}
const readSettings = (): Record<string, unknown> => JSON.parse(fs.readFileSync(settingsFile, "utf8")) as Record<string, unknown>
const backups = () => fs.readdirSync(path.dirname(settingsFile)).filter((name) => name.startsWith("settings.json.omcm-backup-"))
const omcm = (...args: Array<string>) => runOmcm(args, home.env)

const ourStatusLine = { type: "command", command: `${process.execPath} ${OMCM_BIN} statusline`, padding: 0 }

/** every command hook in settings.json whose command runs omcm's bundle */
const omcmHooks = (settings: Record<string, unknown>): ReadonlyArray<{ event: string; matcher: unknown; command: string }> =>
  Object.entries((settings.hooks ?? {}) as Record<string, Array<{ matcher?: string; hooks: Array<{ command: string }> }>>)
    .flatMap(([event, groups]) =>
      groups.flatMap((g) => g.hooks.filter((h) => h.command.includes(OMCM_BIN)).map((h) => ({ event, matcher: g.matcher, command: h.command })))
    )

describe("omcm install / uninstall", () => {
  it("adds the statusLine, keeps a backup of the original, and leaves every other key as it was", () => {
    writeSettings(ORIGINAL)
    const before = fs.readFileSync(settingsFile, "utf8")

    const r = omcm("install")

    expect(r.stderr).toBe("")
    expect(r.status).toBe(0)
    expect(r.stdout).toContain(`statusLine: added (${ourStatusLine.command})`)
    const after = readSettings()
    expect(after).toEqual({ ...ORIGINAL, statusLine: ourStatusLine })
    expect(fs.readFileSync(settingsFile, "utf8")).toBe(`${JSON.stringify(after, null, 2)}\n`)
    expect(backups()).toHaveLength(1)
    expect(fs.readFileSync(path.join(path.dirname(settingsFile), backups()[0]!), "utf8")).toBe(before)
    expect(fs.existsSync(recordFile)).toBe(true)
  })

  it("is idempotent: a second install changes nothing and says so", () => {
    writeSettings(ORIGINAL)
    expect(omcm("install", "--hooks").status).toBe(0)
    const once = fs.readFileSync(settingsFile, "utf8")
    const record = fs.readFileSync(recordFile, "utf8")

    for (const args of [["install", "--hooks"], ["install"]]) {
      const r = omcm(...args)
      expect(r.status).toBe(0)
      expect(r.stdout.trim()).toBe(`omcm is already installed in ${settingsFile}; nothing changed`)
    }

    expect(fs.readFileSync(settingsFile, "utf8")).toBe(once)
    expect(fs.readFileSync(recordFile, "utf8")).toBe(record)
    expect(backups()).toHaveLength(1)
    expect(omcmHooks(readSettings())).toHaveLength(OMCM_HOOKS.length)
  })

  it("uninstall brings the file back to the original value and drops the record", () => {
    writeSettings(ORIGINAL)
    expect(omcm("install").status).toBe(0)

    const r = omcm("uninstall")

    expect(r.stderr).toBe("")
    expect(r.status).toBe(0)
    expect(r.stdout).toContain("statusLine: removed")
    expect(readSettings()).toEqual(ORIGINAL)
    expect(Object.keys(readSettings())).toEqual(Object.keys(ORIGINAL))
    expect(fs.existsSync(recordFile)).toBe(false)
    expect(backups()).toHaveLength(1)
  })

  it("uninstall with nothing installed prints one line and exits 0", () => {
    writeSettings(ORIGINAL)
    const r = omcm("uninstall")
    expect(r.status).toBe(0)
    expect(r.stderr).toBe("")
    expect(r.stdout).toBe(`omcm is not installed in ${settingsFile}; nothing to do\n`)
    expect(readSettings()).toEqual(ORIGINAL)
  })

  it("refuses to replace the user's statusLine without --force; with --force uninstall restores it", () => {
    const theirs = { type: "command", command: "~/bin/my-statusline.sh", padding: 2 }
    writeSettings({ ...ORIGINAL, statusLine: theirs })
    const before = fs.readFileSync(settingsFile, "utf8")

    const refused = omcm("install", "--hooks")
    expect(refused.status).toBe(1)
    expect(refused.stdout).toBe("")
    expect(refused.stderr.trim().split("\n")).toHaveLength(1)
    expect(refused.stderr).toContain(`${settingsFile} already has a statusLine (command "~/bin/my-statusline.sh")`)
    expect(refused.stderr).toContain("--force")
    expect(fs.readFileSync(settingsFile, "utf8")).toBe(before)
    expect(backups()).toEqual([])
    expect(fs.existsSync(recordFile)).toBe(false)

    const forced = omcm("install", "--force")
    expect(forced.status).toBe(0)
    expect(forced.stdout).toContain("statusLine: replaced yours")
    expect(readSettings().statusLine).toEqual(ourStatusLine)

    const undone = omcm("uninstall")
    expect(undone.status).toBe(0)
    expect(undone.stdout).toContain("statusLine: restored")
    expect(readSettings()).toEqual({ ...ORIGINAL, statusLine: theirs })
  })

  it("a settings.json that is not JSON: one line naming the file, exit 2, nothing changed", () => {
    writeSettings("{ \"model\": \"opus\", }\n")

    for (const args of [["install"], ["install", "--hooks", "--force"]]) {
      const r = omcm(...args)
      expect(r.status).toBe(2)
      expect(r.stdout).toBe("")
      expect(r.stderr.trim().split("\n")).toHaveLength(1)
      expect(r.stderr).toContain(`omcm: ${settingsFile}: not valid JSON`)
    }
    expect(fs.readFileSync(settingsFile, "utf8")).toBe("{ \"model\": \"opus\", }\n")
    expect(backups()).toEqual([])
    expect(fs.existsSync(recordFile)).toBe(false)
  })

  it("a hooks key of the wrong shape: exit 2 naming the file and the key, nothing changed", () => {
    writeSettings({ hooks: { PreToolUse: "not a list" } })
    const r = omcm("install", "--hooks")
    expect(r.status).toBe(2)
    expect(r.stderr.trim()).toBe(`omcm: ${settingsFile}: hooks.PreToolUse: expected an array, got "not a list"; nothing was changed`)
    expect(readSettings()).toEqual({ hooks: { PreToolUse: "not a list" } })
  })

  it("--hooks adds one entry per event next to the user's hooks; uninstall removes only those", () => {
    writeSettings(ORIGINAL)

    const r = omcm("install", "--hooks")

    expect(r.status).toBe(0)
    expect(r.stdout).toContain("hooks: added SessionStart, UserPromptSubmit, PreToolUse, PostToolUse, Stop, SessionEnd")
    const after = readSettings()
    const ours = omcmHooks(after)
    expect(ours.map((h) => h.event).sort()).toEqual(OMCM_HOOKS.map((s) => s.event).sort())
    for (const spec of OMCM_HOOKS) {
      expect(ours.filter((h) => h.event === spec.event)).toEqual([
        { event: spec.event, matcher: spec.matcher, command: `${process.execPath} ${OMCM_BIN} hook ${spec.arg}` }
      ])
    }
    const hooks = after.hooks as Record<string, Array<unknown>>
    // the user's groups stay first and untouched; omcm's come in their own group
    expect(hooks.Stop?.[0]).toEqual(ORIGINAL.hooks.Stop[0])
    expect(hooks.PreToolUse?.[0]).toEqual(ORIGINAL.hooks.PreToolUse[0])
    expect(hooks.PreToolUse?.[1]).toEqual({
      matcher: "Agent|Task",
      hooks: [{ type: "command", command: `${process.execPath} ${OMCM_BIN} hook pre-tool-use`, timeout: 300 }]
    })

    expect(omcm("uninstall").status).toBe(0)
    expect(readSettings()).toEqual(ORIGINAL)
    expect(Object.keys(readSettings().hooks as object)).toEqual(Object.keys(ORIGINAL.hooks))
  })

  it("install, then install --hooks, then uninstall: both steps are taken back", () => {
    writeSettings({ model: "sonnet" })
    expect(omcm("install").status).toBe(0)
    const second = omcm("install", "--hooks")
    expect(second.stdout).toContain("statusLine: already installed")
    expect(second.stdout).toContain("hooks: added")
    expect(backups()).toHaveLength(1)

    expect(omcm("uninstall").status).toBe(0)
    expect(readSettings()).toEqual({ model: "sonnet" })
  })

  it("without a settings.json: install creates it (no backup), uninstall removes it again", () => {
    const r = omcm("install", "--hooks")
    expect(r.status).toBe(0)
    expect(backups()).toEqual([])
    expect(readSettings().statusLine).toEqual(ourStatusLine)

    const u = omcm("uninstall")
    expect(u.status).toBe(0)
    expect(u.stdout).toContain("removed")
    expect(fs.existsSync(settingsFile)).toBe(false)
  })

  it("a hook the user already has with the same command is not added twice, and uninstall leaves it", () => {
    const theirs = { hooks: { Stop: [{ hooks: [{ type: "command", command: `${process.execPath} ${OMCM_BIN} hook stop` }] }] } }
    writeSettings(theirs)

    const r = omcm("install", "--hooks")
    expect(r.stdout).toContain("hooks: already installed Stop")
    expect(omcmHooks(readSettings()).filter((h) => h.event === "Stop")).toHaveLength(1)

    expect(omcm("uninstall").status).toBe(0)
    expect(readSettings()).toEqual(theirs)
  })

  it("a statusLine the user changed after install is left alone by uninstall", () => {
    writeSettings(ORIGINAL)
    expect(omcm("install").status).toBe(0)
    writeSettings({ ...readSettings(), statusLine: { type: "command", command: "mine-now" } })

    const r = omcm("uninstall")
    expect(r.status).toBe(0)
    expect(r.stdout).toContain("statusLine: left as it is")
    expect(readSettings().statusLine).toEqual({ type: "command", command: "mine-now" })
  })

  it("writes through a symlinked settings.json and keeps the link and the file mode", () => {
    const real = path.join(home.root, "dotfiles", "claude-settings.json")
    fs.mkdirSync(path.dirname(real), { recursive: true })
    fs.writeFileSync(real, JSON.stringify(ORIGINAL))
    fs.chmodSync(real, 0o640)
    fs.mkdirSync(path.dirname(settingsFile), { recursive: true })
    fs.symlinkSync(real, settingsFile)

    expect(omcm("install").status).toBe(0)

    expect(fs.lstatSync(settingsFile).isSymbolicLink()).toBe(true)
    expect(fs.statSync(real).mode & 0o777).toBe(0o640)
    expect(readSettings().statusLine).toEqual(ourStatusLine)
    expect(omcm("uninstall").status).toBe(0)
    expect(JSON.parse(fs.readFileSync(real, "utf8"))).toEqual(ORIGINAL)
  })
})
