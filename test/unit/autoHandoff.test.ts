import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { describe, expect, it } from "vitest"
import { autoHandoffNotice, autoHandoffStep, makeAutoHandoffs } from "../../src/services/context"
import type { Usage } from "../../src/domain/model"
import { Store } from "../../src/services/store"

const routing = { heavyThreshold: 90, recoverThreshold: 85 }
const usage = (percent: number): Usage => ({ percent, fiveHour: percent, weekly: null, source: "statusline" })
const ulw = Option.some("ulw" as const)

describe("the Stop hook's step", () => {
  it("writes in ulw at or above heavyThreshold when nothing was written since the crossing", () => {
    expect(autoHandoffStep({ mode: ulw, usage: usage(90), routing, written: false })).toBe("write")
    expect(autoHandoffStep({ mode: ulw, usage: usage(89.9), routing, written: false })).toBe("none")
    expect(autoHandoffStep({ mode: Option.some("hulw"), usage: usage(99), routing, written: false })).toBe("none")
    expect(autoHandoffStep({ mode: Option.none(), usage: usage(99), routing, written: false })).toBe("none")
    expect(autoHandoffStep({ mode: ulw, usage: { ...usage(0), source: "unknown" }, routing, written: false })).toBe("none")
  })
  it("keeps what it wrote until usage falls below recoverThreshold", () => {
    expect(autoHandoffStep({ mode: ulw, usage: usage(95), routing, written: true })).toBe("none")
    expect(autoHandoffStep({ mode: ulw, usage: usage(86), routing, written: true })).toBe("none")
    expect(autoHandoffStep({ mode: ulw, usage: usage(84), routing, written: true })).toBe("rearm")
    expect(autoHandoffStep({ mode: ulw, usage: { ...usage(0), source: "unknown" }, routing, written: true })).toBe("none")
  })
})

describe("the recorded handoff", () => {
  const handoff = { markdown: "/p/.omcm/handoff/context.md", projectPath: "/p", at: 1, usage: 92.4 }
  it("is kept per session in the shared database, and forgotten", async () => {
    const got = await Effect.runPromise(Effect.gen(function*() {
      const handoffs = makeAutoHandoffs(yield* Store)
      yield* handoffs.record("s-1", handoff)
      const one = yield* handoffs.read("s-1")
      const other = yield* handoffs.read("s-2")
      yield* handoffs.forget("s-1")
      const after = yield* handoffs.read("s-1")
      yield* handoffs.record("old", { ...handoff, at: 10 })
      yield* handoffs.record("new", { ...handoff, at: 30 })
      const cleared = yield* handoffs.clearStale(20)
      return { one, other, after, cleared, old: yield* handoffs.read("old"), kept: yield* handoffs.read("new") }
    }).pipe(Effect.provide(Store.layerInMemory)))
    expect(got).toEqual({
      one: Option.some(handoff),
      other: Option.none(),
      after: Option.none(),
      cleared: 1,
      old: Option.none(),
      kept: Option.some({ ...handoff, at: 30 })
    })
  })
  it("is shown relative to the statusline's directory when inside it", () => {
    expect(autoHandoffNotice(handoff, "/p")).toBe("handoff at 92%: .omcm/handoff/context.md · continue in OpenCode: omcm handoff --to opencode --open")
    expect(autoHandoffNotice(handoff, "/q")).toBe("handoff at 92%: /p/.omcm/handoff/context.md · continue in OpenCode: omcm handoff --to opencode --open")
    expect(autoHandoffNotice(handoff, undefined)).toContain(": /p/.omcm/handoff/context.md ·")
  })
})
