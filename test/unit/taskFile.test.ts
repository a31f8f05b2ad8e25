import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { readTaskFile } from "../../src/services/executor/taskFile"
import { makeTempHome } from "../support/tempHome"

const withFile = (content: string) =>
  Effect.acquireRelease(Effect.sync(() => makeTempHome("omcm-tasks-")), (h) => Effect.sync(h.cleanup)).pipe(
    Effect.map((home) => {
      const file = path.join(home.root, "tasks.json")
      fs.writeFileSync(file, content)
      return file
    })
  )

describe("readTaskFile", () => {
  it.scoped("reads a list or an object with tasks, and decodes gemini as google", () =>
    Effect.gen(function*() {
      const list = yield* readTaskFile(yield* withFile(JSON.stringify([{ id: "a", description: "x", provider: "gemini" }])))
      expect(list).toEqual([{ id: "a", description: "x", provider: "google" }])
      const wrapped = yield* readTaskFile(yield* withFile(JSON.stringify({ tasks: [{ id: "b", description: "y", files: ["src/**"] }] })))
      expect(wrapped).toEqual([{ id: "b", description: "y", files: ["src/**"] }])
    }))

  it.scoped("problems are one line starting with the file name", () =>
    Effect.gen(function*() {
      const bad = yield* Effect.flip(readTaskFile(yield* withFile(JSON.stringify([{ id: "a", description: "x", dependsOn: "b" }]))))
      expect(bad.message).toBe(`tasks.json: task "a" (#1): dependsOn: expected a list of task ids, got "b"`)
      const unknownField = yield* Effect.flip(readTaskFile(yield* withFile(JSON.stringify([{ id: "a", description: "x", deps: [] }]))))
      expect(unknownField.message).toBe(`tasks.json: task "a" (#1): deps: unknown field`)
      const missing = yield* Effect.flip(readTaskFile(yield* withFile(JSON.stringify([{ description: "x" }]))))
      expect(missing.message).toBe(`tasks.json: task #1: id: is missing`)
      const torn = yield* Effect.flip(readTaskFile(yield* withFile("[{")))
      expect(torn.message).toMatch(/^tasks\.json: not valid JSON/)
      const notList = yield* Effect.flip(readTaskFile(yield* withFile(`{"id": "a"}`)))
      expect(notList.message).toBe(`tasks.json: tasks: expected a list of tasks, got {"id":"a"}`)
    }))
})
