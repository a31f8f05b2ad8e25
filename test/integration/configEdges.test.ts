import * as fs from "node:fs"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { runOmcm } from "../support/cli"
import { makeTempHome, type TempHome } from "../support/tempHome"

/**
 * Edge cases of the configuration files, each one clear line through `omcm config validate` (exit 2):
 * `<file>: <json path>: <expectation>, got <value>`.
 */
let home: TempHome | undefined
afterEach(() => {
  home?.cleanup()
  home = undefined
})

const validate = (h: TempHome) => runOmcm(["config", "validate"], h.env)

const fresh = () => {
  home = makeTempHome("omcm-config-edges-")
  fs.mkdirSync(home.paths.configDir, { recursive: true })
  return home
}

describe("omcm config validate: edge cases", () => {
  it.each(["config.json", "agent-mapping.json"] as const)("a dangling symlink %s is an error, not a missing file", (name) => {
    const h = fresh()
    const target = path.join(h.root, "dotfiles", name)
    fs.symlinkSync(target, path.join(h.paths.configDir, name))
    expect(validate(h)).toEqual({ status: 2, stdout: "", stderr: `omcm: ${name}: expected a file, got a symlink to ${target}, which does not exist\n` })
    // the same link once its target exists is read through
    fs.mkdirSync(path.dirname(target))
    fs.writeFileSync(target, "{}")
    expect(validate(h).status).toBe(0)
  })

  it.each([
    [`{"__proto__": {"routing": {"enabled": false}}}`, "config.json: __proto__: unknown key"],
    [`{"routing": {"__proto__": {"enabled": false}}}`, "config.json: routing.__proto__: unknown key"],
    [`{"prices": {"__proto__": {"input": 1, "output": 1}}}`, "config.json: prices.__proto__: unknown key"],
    [`{"delegation": {"redact": {"patterns": [{"name": "a", "pattern": "b", "__proto__": {}}]}}}`, "config.json: delegation.redact.patterns[0].__proto__: unknown key"]
  ])("a __proto__ key is an unknown key like any other: %s", (content, message) => {
    const h = fresh()
    h.writeConfig(content)
    expect(validate(h)).toEqual({ status: 2, stdout: "", stderr: `omcm: ${message}\n` })
  })

  it.each([
    [`{"agents": []}`, `agent-mapping.json: agents: expected an object of agent names, each with a tier and/or a model, got []`],
    [`{"agents": {"explore": []}}`, `agent-mapping.json: agents.explore: expected an object with a tier and/or a model, got []`],
    [`{"agents": {"__proto__": {"tier": "LOW"}}}`, `agent-mapping.json: agents.__proto__: unknown key`],
    [`{"providers": []}`, `agent-mapping.json: providers: expected an object of provider names, each with its settings, got []`],
    [`{"providers": {"openai": {"models": "gpt"}}}`, `agent-mapping.json: providers.openai.models: expected a list of model names, got "gpt"`]
  ])("agent-mapping.json of the wrong shape is a sentence, not a schema type: %s", (content, message) => {
    const h = fresh()
    h.writeConfig(content, "agent-mapping.json")
    const r = validate(h)
    expect(r).toEqual({ status: 2, stdout: "", stderr: `omcm: ${message}\n` })
    expect(r.stderr).not.toMatch(/readonly|\{ .*\?:/)
  })

  it("an object where config.json wants one, given something else: said in words", () => {
    const h = fresh()
    h.writeConfig(`{"routing": 5}`)
    expect(validate(h)).toEqual({ status: 2, stdout: "", stderr: "omcm: config.json: routing: expected an object, got 5\n" })
  })
})
