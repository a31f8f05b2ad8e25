import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { runOmcm } from "../support/cli"
import { makeTempHome, type TempHome } from "../support/tempHome"

let home: TempHome
beforeAll(() => {
  home = makeTempHome()
})
afterAll(() => home.cleanup())

const route = (...args: Array<string>) => {
  const r = runOmcm(["route", ...args], home.env)
  expect(r.stderr).toBe("")
  expect(r.status).toBe(0)
  return r.stdout
}

describe("omcm route (default config)", () => {
  it("prints exactly the decision object on one line with --json", () => {
    const out = route("architect", "--mode", "hulw", "--json")
    expect(out.trim().split("\n")).toHaveLength(1)
    const d = JSON.parse(out)
    expect(Object.keys(d).sort()).toEqual(["mode", "model", "provider", "reason", "target", "tier", "usage"])
    expect(d).toMatchObject({ target: "claude", tier: "HIGH", mode: "hulw" })
  })

  it("holds the issue's examples", () => {
    expect(JSON.parse(route("oh-my-claudecode:executor", "--mode", "hulw", "--json"))).toMatchObject({ target: "opencode", provider: "openai" })
    expect(JSON.parse(route("explore", "--mode", "ulw", "--usage", "95", "--json"))).toMatchObject({ target: "opencode", provider: "google", usage: 95 })
    expect(JSON.parse(route("executor-low", "--mode", "ulw", "--usage", "50", "--json"))).toMatchObject({ target: "claude", usage: 50 })
    // the seed's preferOpencode default: explore goes to OpenCode whatever the usage
    expect(JSON.parse(route("explore", "--mode", "ulw", "--usage", "50", "--json"))).toMatchObject({ target: "opencode", usage: 50 })
  })

  it("detects the mode from --prompt and explains itself in text form", () => {
    const out = route("oh-my-claudecode:writer", "--prompt", "write the docs with hulw")
    expect(out).toContain("OpenCode (google/gemini-3.8-flash)")
    expect(out).toContain("mode hulw")
  })

  it("takes usage from OMCM_CLAUDE_USAGE", () => {
    const r = runOmcm(["route", "explore", "--mode", "ulw", "--json"], { ...home.env, OMCM_CLAUDE_USAGE: "75" })
    expect(JSON.parse(r.stdout)).toMatchObject({ target: "opencode", usage: 75 })
  })

  it("rejects a usage out of range with one line and exit 2", () => {
    const r = runOmcm(["route", "explore", "--usage", "120"], home.env)
    expect(r.status).toBe(2)
    expect(r.stderr.trim()).toBe("omcm: --usage: expected a number from 0 to 100, got 120")
  })

  it("keeps ulw's hysteresis across processes: heavy from 90 until usage falls below 85", () => {
    const target = (u: string) => JSON.parse(route("planner", "--mode", "ulw", "--usage", u, "--json")).target
    expect(target("87")).toBe("claude")
    expect(target("91")).toBe("opencode")
    expect(target("87")).toBe("opencode")
    expect(target("85")).toBe("opencode")
    expect(target("84")).toBe("claude")
    expect(target("88")).toBe("claude")
  })
})

describe("omcm statusline", () => {
  it("caches the rate limits for the router and prints one HUD line", () => {
    const input = JSON.stringify({
      session_id: "s-1",
      model: { id: "claude-opus-5-5", display_name: "Opus" },
      rate_limits: { five_hour: { used_percentage: 93, resets_at: Math.floor(Date.now() / 1000) + 3600 }, seven_day: { used_percentage: 20 } }
    })
    const r = runOmcm(["statusline"], home.env, input)
    expect(r.status).toBe(0)
    expect(r.stdout.trim().split("\n")).toHaveLength(1)
    expect(r.stdout).toContain("Claude 93%")
    const d = JSON.parse(route("explore", "--mode", "ulw", "--json"))
    expect(d).toMatchObject({ target: "opencode", usage: 93 })
  })

  it("prints a line even for garbage input", () => {
    const r = runOmcm(["statusline"], home.env, "not json at all")
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/^omcm/)
  })
})
