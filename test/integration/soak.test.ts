import { describe, expect, it } from "vitest"
import { OMCM_BIN } from "../support/cli"
import { runSoak, soakFailures, soakPlanFor, soakTable } from "../support/soak"

/**
 * The short variant of the soak (bench/soak.ts runs it for 10 minutes): a real pool daemon of 2 servers, 20
 * delegations and 200 routing decisions relayed to it over 50 s, an `opencode serve` SIGKILLed every ~17 s (one with a
 * call in flight when there is one). Every call is answered, every one is recorded, nothing is left running after
 * `pool stop`. The daemon's memory is only reported here: 50 s is too short for a steady state (its RSS climbs for
 * ~100 s before V8's first major collection brings it down by a third).
 */
describe("soak (short): the pool daemon under mixed load while its servers are killed", () => {
  it("answers and records every call, and leaves no process behind", async () => {
    const report = await runSoak(soakPlanFor(50 / 60, { delegations: 20, routings: 200, kills: 3, rssSampleMs: 1_000 }), {
      omcmBin: OMCM_BIN,
      log: (line) => console.log(`[soak] ${line}`)
    })
    console.log(soakTable(report).join("\n"))
    expect(report.kills).toHaveLength(3)
    expect(report.delegations.problems).toEqual([])
    expect(report.routings.unexpected).toEqual([])
    // with a server left to retry on, a kill costs no delegation its answer
    expect(report.delegations.answered).toBe(20)
    expect(report.routings.answered).toBe(200)
    expect(report.records).toMatchObject({ lost: 0, extra: 0 })
    expect(report.orphans).toEqual([])
    expect(report.daemonStopped).toBe(true)
    expect(soakFailures(report)).toEqual([])
  }, 150_000)
})
