import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Fiber, FastCheck as fc } from "effect"
import { patternsOverlap, staticBase } from "../../src/services/executor/globOverlap"
import { DependencyCycle, DuplicateTaskId } from "../../src/services/executor/task"
import {
  findConflicts,
  findConflictsPairwise,
  type GraphTask,
  planTasks,
  planTasksInterruptibly
} from "../../src/services/executor/taskGraph"
import { joinAtMost } from "../../src/lib/format"
import { runSteps, runStepsInterruptibly, type Steps } from "../../src/lib/steps"

/**
 * File conflicts are found through an index of patterns by static base: the exact overlap check runs only for pairs
 * whose bases are nested. Its answers must be those of checking every pair, witness and order included.
 */
describe("staticBase", () => {
  it.each([
    ["src/auth/login.ts", ["src", "auth", "login.ts"]],
    ["./src//auth/", ["src", "auth"]],
    ["src/**/*.ts", ["src"]],
    ["src/a*/b", ["src"]],
    ["**/*.md", []],
    ["*.ts", []],
    ["{src,lib}/x.ts", []],
    ["src/{a,b}/x.ts", ["src"]],
    ["src/[ab]/x", ["src"]],
    ["src/@(a|b)/x", ["src"]],
    ["!src/**", []],
    ["src/a\\*b/c", ["src"]],
    ["src/../x", ["src"]]
  ])("%s -> %j", (pattern, base) => {
    expect(staticBase(pattern)).toEqual(base)
  })

  // every path a pattern claims starts with its base: the property the index stands on
  const segment = fc.constantFrom("a", "b", "ab", "x.ts", "*", "**", "a*", "?", "[ab]", "{a,b}", "{a,b*}", "@(a|b)", "a\\*")
  const pattern = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join("/"))
  it.prop("a witness of two overlapping patterns starts with both bases", [pattern, pattern], ([x, y]) => {
    const witness = patternsOverlap(x, y)
    if (witness === undefined) return
    const parts = witness.split("/")
    for (const base of [staticBase(x), staticBase(y)]) expect({ x, y, witness, base, ok: base.every((b, i) => parts[i] === b) }).toMatchObject({ ok: true })
  }, { fastCheck: { numRuns: 3000 } })
})

describe("findConflicts (indexed) gives the answers of checking every pair", () => {
  const dir = fc.constantFrom("a", "b", "src", "lib", "docs")
  const name = fc.constantFrom("x.ts", "y.ts", "x.md", "index.ts", "a")
  const glob = fc.constantFrom("*", "**", "*.ts", "*.md", "x*", "?.ts", "[xy].ts", "{x,y}.ts", "@(x|y).ts", "**/*.ts")
  const piece = fc.oneof(dir, name, glob)
  const pattern = fc.oneof(
    // a path, a glob under a directory, a directory with a trailing slash, odd syntax now and then
    fc.array(piece, { minLength: 1, maxLength: 4 }).map((p) => p.join("/")),
    fc.tuple(dir, glob).map(([d, g]) => `${d}/${g}`),
    dir.map((d) => `${d}/`),
    fc.constantFrom("!src/**", "./src//x.ts", "{src,lib}/*.ts", "src/../x", "a\\*b", "", "**")
  )
  const task = fc.record({ files: fc.option(fc.array(pattern, { maxLength: 3 }), { nil: undefined }) })
  const tasks = fc.array(task, { maxLength: 40 })

  it.prop("same conflicts, same order, same witnesses", [tasks], ([list]) => {
    expect(findConflicts(list)).toEqual(findConflictsPairwise(list))
  }, { fastCheck: { numRuns: 500 } })

  it("tasks in separate directories are never compared (and still found when nested)", () => {
    const list: Array<GraphTask> = [
      { files: ["packages/a/src/**"] },
      { files: ["packages/b/src/**"] },
      { files: ["packages/a/src/x.ts"] },
      { files: ["packages/*/README.md"] },
      { files: ["packages/b/README.md"] }
    ]
    expect(findConflicts(list)).toEqual([
      { file: "packages/a/src/x.ts", tasks: [0, 2] },
      { file: "packages/b/README.md", tasks: [3, 4] }
    ])
    expect(findConflicts(list)).toEqual(findConflictsPairwise(list))
  })

  it("10,000 tasks with globs finish (a monorepo: each task on a module of a package)", () => {
    const modules = ["auth", "api", "ui", "db", "cli", "core"]
    const list = Array.from({ length: 10_000 }, (_, i) => {
      const p = `packages/p${(i * 7919) % 2_000}`
      const m = modules[i % modules.length]
      return { id: `t${i}`, files: i % 3 === 0 ? [`${p}/src/${m}/**`] : i % 3 === 1 ? [`${p}/src/${m}/*.ts`, `${p}/test/${m}.test.ts`] : [`${p}/README.md`] }
    })
    const plan = planTasks(list)
    if (Either.isLeft(plan)) throw new Error("expected a plan")
    expect(plan.right.order).toHaveLength(10_000)
    // tasks share a package module only when their indices agree modulo 2,000 and 6
    for (const { tasks: [i, j] } of plan.right.conflicts) expect((j - i) % 2_000).toBe(0)
    expect(plan.right.conflicts.length).toBeGreaterThan(0)
  }, 120_000)
})

describe("planTasks on large graphs", () => {
  it("a cycle of 10,000 tasks is one line that says how many were left out", () => {
    const n = 10_000
    const list = Array.from({ length: n }, (_, i) => ({ id: `t${i}`, dependsOn: [`t${(i + 1) % n}`] }))
    const plan = planTasks(list)
    if (Either.isRight(plan)) throw new Error("expected a cycle")
    expect(plan.left).toBeInstanceOf(DependencyCycle)
    expect(plan.left.message).toBe(
      "dependency cycle of 10,000 tasks (each waits for the next): t0 -> t1 -> t2 -> t3 -> t4 -> t5 -> t6 -> t7 -> t8 -> t9 -> ... (9,990 more)"
    )
  })

  it("a short cycle reads as before", () => {
    const plan = planTasks([{ id: "a", dependsOn: ["b"] }, { id: "b", dependsOn: ["a"] }])
    expect(Either.isLeft(plan) && plan.left.message).toBe("dependency cycle: a -> b -> a (each task waits for the next)")
  })

  it("10,000 tasks with one id: the error names ten and counts the rest", () => {
    const plan = planTasks(Array.from({ length: 10_000 }, () => ({ id: "same" })))
    if (Either.isRight(plan)) throw new Error("expected an error")
    expect(plan.left).toBeInstanceOf(DuplicateTaskId)
    expect(plan.left.message).toBe('task id "same" is used by more than one task (tasks #1, #2, #3, #4, #5, #6, #7, #8, #9, #10, ... (9,990 more))')
  })

  it("a long chain is ordered without quadratic work, earlier tasks first among the ready ones", () => {
    const n = 50_000
    const list = Array.from({ length: n }, (_, i) => ({ id: `t${i}`, dependsOn: i === 0 ? [] : [`t${i - 1}`] }))
    const plan = planTasks(list)
    if (Either.isLeft(plan)) throw new Error("expected a plan")
    expect(plan.right.order).toEqual(Array.from({ length: n }, (_, i) => i))
    const diamond = planTasks([
      { id: "d", dependsOn: ["b", "c"] },
      { id: "c", dependsOn: ["a"] },
      { id: "b", dependsOn: ["a"] },
      { id: "a" }
    ])
    expect(Either.map(diamond, (p) => p.order.map((i) => p.ids[i]))).toEqual(Either.right(["a", "c", "b", "d"]))
  })
})

describe("the interruptible runner", () => {
  it("gives the event loop turns, so the fiber can be interrupted in the middle of the work", async () => {
    let steps = 0
    function* endless(): Steps<number> {
      for (;;) {
        steps++
        yield
      }
    }
    const fiber = Effect.runFork(runStepsInterruptibly(endless, 1))
    // a timer fires although the work never ends: the runner gave the event loop turns
    await new Promise((resolve) => setTimeout(resolve, 50))
    await Effect.runPromise(Fiber.interrupt(fiber))
    const seen = steps
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(seen).toBeGreaterThan(0)
    expect(steps).toBe(seen)
  })

  it("runs to the same answer as running at once", async () => {
    const list = Array.from({ length: 300 }, (_, i) => ({ id: `t${i}`, files: [`d${i % 7}/**`, `d${i % 5}/x.ts`] }))
    const interrupted = await Effect.runPromise(planTasksInterruptibly(list))
    const atOnce = planTasks(list)
    expect(Either.isRight(atOnce) && atOnce.right.conflicts).toEqual(interrupted.conflicts)
    function* count(): Steps<number> {
      let n = 0
      for (let i = 0; i < 1000; i++) {
        n += i
        yield
      }
      return n
    }
    expect(runSteps(count())).toBe(499_500)
    expect(await Effect.runPromise(runStepsInterruptibly(count, 0))).toBe(499_500)
  })

  it("joinAtMost", () => {
    expect(joinAtMost(["a", "b"], ", ", 2)).toBe("a, b")
    expect(joinAtMost(["a", "b", "c"], " -> ", 2)).toBe("a -> b -> ... (1 more)")
  })
})
