import { Either, Option } from "effect"
import { describe, expect, it } from "vitest"
import type { InstallEntry } from "../../src/services/claude-code/installRecord"
import { commandHook, OMCM_HOOKS, type OmcmLauncher, statuslineCommand } from "../../src/services/claude-code/omcmHooks"
import { planInstall, planUninstall } from "../../src/services/claude-code/settingsInstall"

describe("planInstall / planUninstall", () => {
  const at = (script: string): OmcmLauncher => ({ _tag: "Absolute", node: "/usr/bin/node", script })
  const fresh: InstallEntry = { settingsFile: "/s.json", installedAt: "t", createdFile: false, createdHooksKey: false, hooks: [] }
  const request = (launcher: OmcmLauncher, settings: Record<string, unknown>, entry: InstallEntry) => ({
    settings,
    entry,
    statusLine: { type: "command", command: statuslineCommand(launcher), padding: 0 },
    hooks: OMCM_HOOKS.map((spec) => ({ spec, hook: commandHook(launcher, spec) })),
    force: false
  })
  const install = (launcher: OmcmLauncher, settings: Record<string, unknown>, entry: InstallEntry) =>
    Either.getOrThrow(planInstall(request(launcher, settings, entry)))

  it("an omcm that moved re-points its own statusLine and hooks instead of adding a second set", () => {
    const original = { hooks: { Stop: [{ hooks: [{ type: "command", command: "echo mine" }] }] } }
    const first = install(at("/old/omcm.js"), original, fresh)
    const second = install(at("/new/dist/omcm.js"), first.settings, first.entry)

    expect(second.changed).toBe(true)
    expect(second.changes.statusLine).toEqual(Option.some("updated"))
    expect(second.changes.hooksUpdated).toHaveLength(OMCM_HOOKS.length)
    const text = JSON.stringify(second.settings)
    expect(text).not.toContain("/old/omcm.js")
    expect(text.match(/\/new\/dist\/omcm\.js hook/g)).toHaveLength(OMCM_HOOKS.length)

    const undone = planUninstall(second.settings, second.entry)
    expect(undone.settings).toEqual(original)
  })

  it("a hook the user put into omcm's group survives uninstall", () => {
    const first = install(at("/o.js"), {}, fresh)
    const hooks = first.settings.hooks as Record<string, Array<{ hooks: Array<unknown> }>>
    hooks.Stop![0]!.hooks.push({ type: "command", command: "echo added-later" })

    const undone = planUninstall(first.settings, first.entry)

    expect(undone.settings).toEqual({ hooks: { Stop: [{ hooks: [{ type: "command", command: "echo added-later" }] }] } })
    expect(undone.deleteFile).toBe(false)
  })

  it("a conflicting statusLine is a Left without --force", () => {
    const result = planInstall(request(at("/o.js"), { statusLine: { type: "command", command: "x" } }, fresh))
    expect(Either.isLeft(result) && result.left._tag).toBe("StatusLineConflict")
  })
})
