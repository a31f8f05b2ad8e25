import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { defaultConfig } from "../../src/domain/defaults"
import { hooksSection, OMCM_HOOKS, PRE_TOOL_USE_TIMEOUT_SECONDS } from "../../src/services/claude-code/omcmHooks"

const ROOT = path.resolve(__dirname, "../..")
const readJson = (file: string): Record<string, unknown> => JSON.parse(fs.readFileSync(path.join(ROOT, file), "utf8")) as Record<string, unknown>
const packageJson = readJson("package.json")

describe("the plugin files", () => {
  it("plugin.json names omcm with the package's version", () => {
    const manifest = readJson(".claude-plugin/plugin.json")
    expect(manifest).toMatchObject({ name: "omcm", version: packageJson.version, license: packageJson.license })
    expect(typeof manifest.description).toBe("string")
  })

  it("hooks/hooks.json wires exactly omcm's hooks through the bundled CLI", () => {
    const hooks = readJson("hooks/hooks.json")
    expect(hooks.hooks).toEqual(hooksSection({ _tag: "Plugin" }))
    expect(Object.keys(hooks.hooks as object)).toEqual(OMCM_HOOKS.map((s) => s.event))
    expect(JSON.stringify(hooks)).toContain(`node \\"\${CLAUDE_PLUGIN_ROOT}/dist/omcm.js\\" hook pre-tool-use`)
    // the bundle the hooks run ships with the package
    expect(packageJson.files).toEqual(expect.arrayContaining(["dist", ".claude-plugin", "hooks"]))
  })

  it("PreToolUse may wait out a whole delegation", () => {
    expect(PRE_TOOL_USE_TIMEOUT_SECONDS).toBeGreaterThanOrEqual(defaultConfig.hooks.delegateTimeoutSeconds + 30)
  })
})
