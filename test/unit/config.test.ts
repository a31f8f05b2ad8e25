import { Effect, Exit } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { Schema } from "effect"
import { OmcmConfig } from "../../src/domain/configSchema"
import { defaultConfig } from "../../src/domain/defaults"
import { crossFieldProblem, loadConfig } from "../../src/services/config/Config"
import { makeTempHome, type TempHome } from "../support/tempHome"

let home: TempHome
afterEach(() => home?.cleanup())

const load = (h: TempHome) => Effect.runPromiseExit(loadConfig(h.paths.configFile, h.paths.mappingFile))
const errorOf = async (h: TempHome) => {
  const exit = await load(h)
  if (Exit.isSuccess(exit)) throw new Error("expected a config error")
  const failure = exit.cause._tag === "Fail" ? exit.cause.error : undefined
  return failure?.message
}

describe("Config", () => {
  it("uses the seed's defaults when no file exists", async () => {
    home = makeTempHome()
    const exit = await load(home)
    if (!Exit.isSuccess(exit)) throw new Error("load failed")
    const { config } = exit.value
    expect(config.fusionDefault).toBe(false)
    expect(config.routing).toMatchObject({ enabled: true, usageThreshold: 70, maxOpencodeWorkers: 3, autoDelegate: true })
    expect(config.models.MEDIUM.opencode).toContain("openai/gpt-6-sol")
    expect([...exit.value.sources.values()].every((s) => s === "default")).toBe(true)
  })

  it("the defaults decode with the config schema and pass the cross-field checks", () => {
    expect(Schema.decodeUnknownSync(OmcmConfig, { onExcessProperty: "error" })(defaultConfig)).toEqual(defaultConfig)
    expect(crossFieldProblem(defaultConfig)).toBeUndefined()
  })

  it("deep-merges a partial file over the defaults and records where values came from", async () => {
    home = makeTempHome()
    home.writeConfig({ routing: { usageThreshold: 60, preferClaude: ["critic"] }, prices: { "x/y": { input: 1, output: 2 } } })
    const exit = await load(home)
    if (!Exit.isSuccess(exit)) throw new Error("load failed")
    const { config, sources } = exit.value
    expect(config.routing.usageThreshold).toBe(60)
    expect(config.routing.enabled).toBe(true)
    expect(config.routing.preferClaude).toEqual(["critic"])
    expect(config.prices["x/y"]).toEqual({ input: 1, output: 2 })
    expect(config.prices["openai/gpt-5.2-codex"]).toBeDefined()
    expect(sources.get("routing.usageThreshold")).toBe(home.paths.configFile)
    expect(sources.get("routing.enabled")).toBe("default")
  })

  it.each([
    [{ routing: { maxOpencodeWorkers: 40 } }, "config.json: routing.maxOpencodeWorkers: expected an integer from 1 to 25, got 40"],
    [{ routing: { maxOpencodeWorkers: 2.5 } }, "config.json: routing.maxOpencodeWorkers: expected an integer from 1 to 25, got 2.5"],
    [{ fusionDefault: "yes" }, `config.json: fusionDefault: expected true or false, got "yes"`],
    [{ routing: { usageThreshold: 170 } }, "config.json: routing.usageThreshold: expected a number from 0 to 100, got 170"],
    [{ routing: { preferClaude: ["a", 3] } }, "config.json: routing.preferClaude[1]: expected an agent name, got 3"],
    [{ routing: { preferClaude: "critic" } }, `config.json: routing.preferClaude: expected a list of agent names, got "critic"`],
    [{ routing: { enabeld: false } }, "config.json: routing.enabeld: unknown key"],
    [{ models: { LOW: { opencode: "gemini" } } }, `config.json: models.LOW.opencode: expected a model id of the form provider/model, got "gemini"`],
    [{ routing: { recoverThreshold: 95 } }, "config.json: routing.recoverThreshold: expected at most routing.heavyThreshold (90), got 95"],
    [[1, 2], "config.json: expected a JSON object, got [1,2]"]
  ])("names the file, path and expectation: %j", async (content, message) => {
    home = makeTempHome()
    home.writeConfig(content)
    expect(await errorOf(home)).toBe(message)
  })

  it("reports broken JSON with the file name", async () => {
    home = makeTempHome()
    home.writeConfig("{ \"routing\": ")
    expect(await errorOf(home)).toMatch(/^config\.json: not valid JSON \(/)
  })

  it("checks agent-mapping.json too", async () => {
    home = makeTempHome()
    home.writeConfig({ agents: { explore: { tier: "HUGE" } } }, "agent-mapping.json")
    expect(await errorOf(home)).toBe(`agent-mapping.json: agents.explore.tier: expected one of "HIGH", "MEDIUM", "LOW", got "HUGE"`)
  })
})
