import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck as fc } from "effect"
import picomatch from "picomatch"
import { expandBraces, normalizePattern, patternsOverlap } from "../../src/services/executor/globOverlap"
import { canRunInParallel, dependentsToSkip, planTasks, startable, type TaskStatus } from "../../src/services/executor/taskGraph"
import { analyzeTask, selectStrategy } from "../../src/services/executor/taskStrategy"

describe("patternsOverlap", () => {
  it.each([
    ["src/auth/**", "src/auth/login.ts", "src/auth/login.ts"],
    ["src/auth.ts", "src/auth.ts", "src/auth.ts"],
    ["./src//auth.ts", "src/auth.ts", "src/auth.ts"],
    ["src/auth/", "src/auth/deep/x.ts", "src/auth/deep/x.ts"],
    ["src/**/*.ts", "src/auth/**", "src/auth/x.ts"],
    ["src/a*", "src/*b", "src/ab"],
    ["*.{ts,js}", "*.js", "x.js"],
    ["a/[ab]", "a/[bc]", "a/b"],
    ["**/*.test.ts", "src/**/login.*", "src/login.test.ts"],
    ["src/**", "src", "src"],
    ["a/**/b", "a/b", "a/b"],
    ["src/*", "src/.env", "src/.env"],
    ["docs/v{1..3}/*.md", "docs/v2/intro.md", "docs/v2/intro.md"]
  ])("%s and %s overlap at %s", (a, b, file) => {
    expect(patternsOverlap(a, b)).toBe(file)
    expect(patternsOverlap(b, a)).toBeDefined()
  })

  it.each([
    ["src/api/**", "src/ui/**"],
    ["src/auth.ts", "src/auth.js"],
    ["src/*.ts", "src/*.js"],
    ["a/*/b", "a/b"],
    ["a/[ab]", "a/[cd]"],
    ["docker/**", ".dockerignore"],
    ["src/auth", "src/auth/login.ts"],
    ["src/*.ts", "src/auth/login.ts"]
  ])("%s and %s are disjoint", (a, b) => {
    expect(patternsOverlap(a, b)).toBeUndefined()
    expect(patternsOverlap(b, a)).toBeUndefined()
  })

  it("over-approximates syntax it does not model exactly (never misses a collision)", () => {
    expect(patternsOverlap("src/@(a|b).ts", "src/*.ts")).toBeDefined()
    expect(patternsOverlap("!src/**", "lib/x/*.ts")).toBeDefined()
    expect(patternsOverlap("a/[!x]*", "a/x*")).toBeDefined()
  })

  it("expands braces, nested and numeric", () => {
    expect(expandBraces("a/{b,c{d,e}}/{1..2}")).toEqual(["a/b/1", "a/b/2", "a/cd/1", "a/cd/2", "a/ce/1", "a/ce/2"])
    expect(expandBraces("a/{b}")).toEqual(["a/{b}"])
    expect(normalizePattern("./x//y/")).toBe("x/y/**")
  })

  // globs built from the syntax the intersection models exactly, checked against picomatch itself
  const segment = fc.constantFrom("a", "b", "ab", "*", "?", "a*", "*b", "[ab]", "{a,b}", "**")
  const glob = fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => s.join("/"))
  const path = fc.array(fc.constantFrom("a", "b", "ab", "ba", "aa", "bb"), { minLength: 1, maxLength: 4 }).map((s) => s.join("/"))
  const matches = (g: string, p: string) => picomatch(g, { dot: true })(p)
  /** the documented reading: a trailing `/**` also claims the directory itself */
  const claims = (g: string, p: string): boolean => matches(g, p) || (g.endsWith("/**") && claims(g.slice(0, -3), p))

  it.prop("a path both globs match means they overlap", [glob, glob, path], ([a, b, p]) => {
    if (matches(a, p) && matches(b, p)) expect(patternsOverlap(a, b)).toBeDefined()
  }, { fastCheck: { numRuns: 2000 } })

  it.prop("the witness of an overlap is matched by both globs", [glob, glob], ([a, b]) => {
    const witness = patternsOverlap(a, b)
    if (witness !== undefined) expect({ a, b, witness, ok: claims(a, witness) && claims(b, witness) }).toMatchObject({ ok: true })
  }, { fastCheck: { numRuns: 2000 } })
})

describe("canRunInParallel", () => {
  it("seed example: dependencies", () => {
    const check = canRunInParallel([
      { id: "task-1", files: ["src/services/user.ts"] },
      { id: "task-2", files: ["src/services/auth.ts"] },
      { id: "task-3", files: ["src/__tests__/integration.test.ts"], dependsOn: ["task-1", "task-2"] }
    ])
    expect(check).toEqual({ canParallel: false, reason: "Dependencies exist between tasks", conflicts: [] })
  })

  it("seed example: the same file", () => {
    expect(canRunInParallel([{ id: "refactor-1", files: ["src/auth.ts"] }, { id: "refactor-2", files: ["src/auth.ts"] }])).toEqual({
      canParallel: false,
      reason: "File conflicts detected",
      conflicts: [{ file: "src/auth.ts", tasks: [0, 1] }]
    })
  })

  it("glob conflicts name a path both tasks can touch; disjoint globs and file-less tasks do not conflict", () => {
    const check = canRunInParallel([
      { files: ["src/auth/**"] },
      { files: ["src/api/**"] },
      { files: ["src/auth/login.ts", "src/api/x.ts"] },
      { files: [] }
    ])
    expect(check.conflicts).toEqual([{ file: "src/auth/login.ts", tasks: [0, 2] }, { file: "src/api/x.ts", tasks: [1, 2] }])
    expect(canRunInParallel([{ files: ["src/api/**"] }, { files: ["src/ui/**"] }, {}])).toEqual({
      canParallel: true,
      reason: "No dependencies or file conflicts",
      conflicts: []
    })
  })
})

describe("planTasks and scheduling", () => {
  const t = (id: string, dependsOn: ReadonlyArray<string> = [], files: ReadonlyArray<string> = []) => ({ id, dependsOn, files })

  it("orders topologically, the list order breaking ties", () => {
    const plan = Either.getOrThrow(planTasks([t("d", ["b", "c"]), t("c", ["a"]), t("b"), t("a")]))
    expect(plan.order.map((i) => plan.ids[i])).toEqual(["b", "a", "c", "d"])
  })

  it("names the cycle, self-dependencies too", () => {
    const error = Either.flip(planTasks([t("x"), t("a", ["b"]), t("b", ["a"])]))
    expect(Either.getOrThrow(error).message).toBe("dependency cycle: a -> b -> a (each task waits for the next)")
    expect(Either.getOrThrow(Either.flip(planTasks([t("self", ["self"])]))).message).toBe("dependency cycle: self -> self (each task waits for the next)")
  })

  it("starts what is ready, within limits, never two conflicting tasks together", () => {
    const plan = Either.getOrThrow(planTasks([t("a", [], ["src/**"]), t("b", [], ["src/x.ts"]), t("c"), t("d", ["c"])]))
    const pending: ReadonlyArray<TaskStatus> = ["pending", "pending", "pending", "pending"]
    expect(startable(plan, pending, { maxConcurrent: 4 })).toEqual([0, 2])
    expect(startable(plan, pending, { maxConcurrent: 1 })).toEqual([0])
    expect(startable(plan, ["succeeded", "pending", "running", "pending"], { maxConcurrent: 4 })).toEqual([1])
    expect(startable(plan, pending, { maxConcurrent: 4, oneAtATime: [true, false, true, false] })).toEqual([0])
  })

  it("skips every transitive dependent of a failure once", () => {
    const plan = Either.getOrThrow(planTasks([t("a"), t("b", ["a"]), t("c", ["a", "b"]), t("d", ["c"]), t("e")]))
    const skipped = dependentsToSkip(plan, ["failed", "pending", "pending", "pending", "pending"], 0)
    expect(skipped).toEqual([
      { index: 1, reason: `skipped: dependency "a" failed` },
      { index: 2, reason: `skipped: dependency "b" was skipped` },
      { index: 3, reason: `skipped: dependency "c" was skipped` }
    ])
  })
})

describe("analyzeTask and selectStrategy", () => {
  it("seed example: a medium implementation", () => {
    const task = { type: "implementation" as const, description: "Add database schema migration", agent: "executor" }
    expect(analyzeTask(task)).toMatchObject({ inferredType: "implementation", complexity: "medium", estimatedDuration: 8000 })
    expect(selectStrategy(task)).toMatchObject({ mode: "serve", parallelizable: true, routeToOpenCode: true })
  })

  it("infers type and complexity from words, and says which", () => {
    const a = analyzeTask({ description: "Investigate why the cache misses" })
    expect(a).toMatchObject({ inferredType: "analysis", complexity: "medium", suggestedAgent: "architect-medium" })
    expect(a.reasons[0]).toBe(`type "analysis" from the word "Investigate"`)
    expect(analyzeTask({ description: "Fix a typo in the README" })).toMatchObject({ inferredType: "documentation", complexity: "low", suggestedAgent: "writer" })
    expect(analyzeTask({ description: "Redesign the security model across services" })).toMatchObject({ complexity: "high", suggestedAgent: "executor-high" })
    expect(analyzeTask({ description: "Update things", files: ["a", "b", "c", "d", "e"] }).complexity).toBe("high")
  })

  it("keeps high complexity and analysis on Claude; dependencies make a task not parallelizable", () => {
    expect(selectStrategy({ description: "Refactor the entire project" })).toMatchObject({ mode: "run", routeToOpenCode: false })
    expect(selectStrategy({ description: "Write unit tests", dependsOn: ["impl"] })).toMatchObject({
      mode: "serve",
      parallelizable: false,
      reason: "medium test work suits the OpenCode pool; waits for impl"
    })
  })
})
