import { describe, expect, it } from "vitest"
import { defaultConfig } from "../../src/domain/defaults"
import { detectMode } from "../../src/services/router/keywords"

const detect = (prompt: string) => detectMode(prompt, defaultConfig.modes)

describe("detectMode: every trigger form of the seed", () => {
  const cases: ReadonlyArray<readonly [string, string, string]> = [
    ["/hulw Refactor authentication module", "hulw", "Refactor authentication module"],
    ["hulw: Create REST API with database migrations", "hulw", "Create REST API with database migrations"],
    ["Let's implement a new dashboard hulw", "hulw", "Let's implement a new dashboard"],
    ["Refactor the parser with hulw", "hulw", "Refactor the parser"],
    ["/ulw Fix TypeScript errors", "ulw", "Fix TypeScript errors"],
    ["ulw: Debug memory leak", "ulw", "Debug memory leak"],
    ["Let's optimize database queries with ulw", "ulw", "Let's optimize database queries"],
    ["Fix the flaky tests with ultrawork", "ulw", "Fix the flaky tests"],
    ["Fix the flaky tests ulw", "ulw", "Fix the flaky tests"],
    ["ultrawork: clean up the logs", "ulw", "clean up the logs"],
    ["hybrid ultrawork: port the CLI", "hulw", "port the CLI"],
    ["port the CLI with hybrid ultrawork", "hulw", "port the CLI"],
    ["HULW: shout", "hulw", "shout"],
    ["/Ulw mixed case", "ulw", "mixed case"],
    ["/autopilot Build a todo application with authentication", "autopilot", "Build a todo application with authentication"],
    ["autopilot: Implement user management", "autopilot", "Implement user management"],
    ["auto pilot: write the release notes", "autopilot", "write the release notes"],
    ["/autopilot hulw Create a dashboard with real-time data", "hulw", "Create a dashboard with real-time data"],
    ["autopilot hulw Create a dashboard", "hulw", "Create a dashboard"],
    ["autopilot with fusion Create a dashboard", "hulw", "Create a dashboard"],
    ["autopilot ulw tidy the repo", "ulw", "tidy the repo"],
    ["하이브리드 울트라워크 인증 모듈 리팩토링", "hulw", "인증 모듈 리팩토링"],
    ["울트라워크로 버그 고쳐줘", "ulw", "버그 고쳐줘"],
    ["버그 고쳐줘 울트라워크", "ulw", "버그 고쳐줘"],
    ["오토파일럿 투두 앱", "autopilot", "투두 앱"],
    ["투두 앱 만들어줘", "autopilot", "투두 앱"]
  ]
  it.each(cases)("%s", (prompt, mode, task) => {
    const found = detect(prompt)
    expect(found?.mode).toBe(mode)
    expect(found?.task).toBe(task)
  })

  it("marks autopilot forms", () => {
    expect(detect("/autopilot hulw x")?.autopilot).toBe(true)
    expect(detect("/hulw x")?.autopilot).toBe(false)
  })
})

describe("detectMode: whole words only", () => {
  it.each([
    "Guard the bulwark",
    "hulwx is not a word",
    "ask culwell about it",
    "open src/ulw/index.ts",
    "rename ulw.ts",
    "the hulw_flag variable",
    "prehulw",
    "ultraworking hard",
    "autopilots everywhere",
    "just a normal prompt",
    ""
  ])("%s", (prompt) => {
    expect(detect(prompt)).toBeUndefined()
  })
})

describe("detectMode: configured trigger words", () => {
  it("uses the configured lists", () => {
    const words = { hulw: ["fuse"], ulw: ["save quota"], autopilot: [] }
    expect(detectMode("fuse: do it", words)?.mode).toBe("hulw")
    expect(detectMode("do it with save quota", words)?.task).toBe("do it")
    expect(detectMode("hulw: do it", words)).toBeUndefined()
  })
})
