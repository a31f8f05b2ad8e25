import * as fs from "node:fs"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { startSimulatedModel } from "../../src/simulated/openaiCompatible"
import { runOmcm, runOmcmAsync } from "../support/cli"
import { opencodePidsUnder, simulatedPoolConfig } from "../support/poolFixture"
import { makeTempHome } from "../support/tempHome"

// The first hulw call of a session, right after the SessionStart hook launched the pool daemon: it waits for that
// daemon and is delegated on it, every time (it used to start a server of its own on the daemon's port now and then,
// lose the race and run on Claude).

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const RUNS = 10

describe("the first delegation right after SessionStart", () => {
  it(`is delegated on the daemon SessionStart launched, ${RUNS} runs out of ${RUNS}`, async () => {
    const model = await startSimulatedModel({})
    cleanups.push(model.close)
    const outcomes: Array<string> = []
    for (let run = 0; run < RUNS; run++) {
      const h = makeTempHome("omcm-first-")
      const { OMCM_NO_AUTOSTART: _, ...rest } = h.env
      const env = { ...rest, OMCM_RELAY_TRACE: "1" }
      const stop = async () => {
        await runOmcmAsync(["pool", "stop"], h.env)
        for (const pid of opencodePidsUnder(h.root)) process.kill(pid, "SIGKILL")
        h.cleanup()
      }
      h.writeConfig(simulatedPoolConfig(h, model))
      const cwd = path.join(h.root, "project")
      fs.mkdirSync(cwd, { recursive: true })
      const hook = (event: string, input: object) =>
        runOmcmAsync(["hook", event], env, { input: JSON.stringify({ session_id: `S${run}`, cwd, ...input }) })
      try {
        const started = JSON.parse((await hook("session-start", { hook_event_name: "SessionStart", source: "startup" })).stdout)
        expect(started.hookSpecificOutput.additionalContext).toContain("OpenCode pool starting in the background")
        await hook("user-prompt-submit", { hook_event_name: "UserPromptSubmit", prompt: "hulw: go" })
        const call = await hook("pre-tool-use", {
          hook_event_name: "PreToolUse",
          tool_name: "Agent",
          tool_input: { description: "d", prompt: `first call ${run}`, subagent_type: "executor" }
        })
        const reason: string = call.stdout.length > 0 ? JSON.parse(call.stdout).hookSpecificOutput?.permissionDecisionReason ?? "" : ""
        const status = JSON.parse(runOmcm(["pool", "status", "--json"], h.env).stdout)
        outcomes.push(
          reason.includes("completed by OpenCode") && status.running === true && status.totalRequests === 1
            ? "delegated on the daemon"
            : `run ${run}: reason ${JSON.stringify(reason.slice(0, 120))}, daemon ${JSON.stringify(status)}`
        )
        // no server but the daemon's ever ran for this session
        expect(opencodePidsUnder(h.root)).toHaveLength(status.servers?.length ?? 0)
      } finally {
        await stop()
      }
    }
    expect(outcomes).toEqual(Array.from({ length: RUNS }, () => "delegated on the daemon"))
  }, 900_000)
})
