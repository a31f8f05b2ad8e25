import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { runClaude } from "../support/claudeHarness"
import { type FakeAnthropic, startFakeAnthropic } from "../support/fakeAnthropic"
import { makeTempHome, type TempHome } from "../support/tempHome"

// What the real Claude Code 2.1.330 lets through of a PreToolUse deny: its reason (the model sees it as the
// tool_result) and its additionalContext (a system message after it). omcm hands a delegated result back in the reason
// (see programs/hooks/delegatedReason.ts); these measurements are why.

let home: TempHome
let fake: FakeAnthropic

beforeAll(async () => {
  home = makeTempHome("omcm-caps-")
  fake = await startFakeAnthropic({ script: { toolUses: [{ description: "probe", prompt: "probe", subagent_type: "general-purpose" }] } })
})
afterAll(async () => {
  await fake.close()
  home.cleanup()
})

/** `n` characters that say where they are */
const marked = (prefix: string, n: number) => {
  let s = ""
  while (s.length < n) s += `${prefix}${String(s.length).padStart(7, "0")}.`
  return s.slice(0, n)
}

const denyWith = async (reason: string, context: string) => {
  const hook = path.join(home.root, `hook-${reason.length}-${context.length}.js`)
  fs.writeFileSync(hook, `process.stdout.write(${JSON.stringify(JSON.stringify({
    hookSpecificOutput: { hookEventName: "PreToolUse", permissionDecision: "deny", permissionDecisionReason: reason, additionalContext: context }
  }))})`)
  const project = path.join(home.root, "project")
  fs.mkdirSync(project, { recursive: true })
  const run = await runClaude({
    home,
    cwd: project,
    prompt: "PROBE-MAIN go",
    fakeBaseUrl: fake.baseUrl,
    settings: { hooks: { PreToolUse: [{ matcher: "Agent|Task", hooks: [{ type: "command", command: `node ${hook}` }] }] } },
    timeoutMs: 60_000
  })
  expect(run.exitCode).toBe(0)
  return { toolResult: [...fake.toolResultsSeen().values()].at(-1)!.content, request: JSON.stringify(fake.mainRequests().at(-1)!.body) }
}

describe("Claude Code 2.1.330 and a PreToolUse deny", () => {
  it("hands the model the whole reason (60,000 characters here) and an additionalContext of 9,000 characters", async () => {
    const reason = marked("R", 60_000)
    const context = marked("C", 9_000)
    const seen = await denyWith(reason, context)
    expect(seen.toolResult).toContain(reason)
    expect(seen.request).toContain(context)
  }, 90_000)

  it("moves an additionalContext of 11,000 characters to a file and shows a 2 KB preview", async () => {
    const context = marked("C", 11_000)
    const seen = await denyWith("short reason", context)
    expect(seen.request).not.toContain(context)
    expect(seen.request).toContain("additionalContext.txt")
    expect(seen.request).toContain("Preview (first 2KB)")
  }, 90_000)
})
