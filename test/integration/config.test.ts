import { afterEach, describe, expect, it } from "vitest"
import { runOmcm } from "../support/cli"
import { makeTempHome, type TempHome } from "../support/tempHome"

let home: TempHome
afterEach(() => home?.cleanup())

describe("omcm config (CLI)", () => {
  it("validate exits 2 with one line naming the problem", () => {
    home = makeTempHome()
    home.writeConfig({ routing: { maxOpencodeWorkers: 40 } })
    const r = runOmcm(["config", "validate"], home.env)
    expect(r.status).toBe(2)
    expect(r.stderr.trim()).toBe("omcm: config.json: routing.maxOpencodeWorkers: expected an integer from 1 to 25, got 40")
    expect(r.stdout).toBe("")
    const route = runOmcm(["route", "explore"], home.env)
    expect(route.status).toBe(2)
    expect(route.stderr.trim().split("\n")).toHaveLength(1)
  })

  it("validate says ok for good files", () => {
    home = makeTempHome()
    home.writeConfig({ fusionDefault: true })
    const r = runOmcm(["config", "validate"], home.env)
    expect(r.status).toBe(0)
    expect(r.stdout).toContain("ok")
  })

  it("show --json prints the effective config with sources; path prints the locations", () => {
    home = makeTempHome()
    home.writeConfig({ routing: { usageThreshold: 65 } })
    const r = runOmcm(["config", "show", "--json"], home.env)
    expect(r.status).toBe(0)
    const shown = JSON.parse(r.stdout)
    expect(shown.config.routing.usageThreshold).toBe(65)
    expect(shown.sources["routing.usageThreshold"]).toBe(home.paths.configFile)
    expect(shown.sources["routing.enabled"]).toBe("default")
    const text = runOmcm(["config", "show"], home.env)
    expect(text.stdout).toMatch(/routing\.usageThreshold\s+65\s+\(from .*config\.json\)/)
    const paths = runOmcm(["config", "path"], home.env)
    expect(paths.stdout).toContain(home.paths.configFile)
    expect(paths.stdout).toContain(home.paths.stateDir)
  })
})
