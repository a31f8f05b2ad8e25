import { describe, expect, it } from "@effect/vitest"
import { parsePorcelainZ } from "../../src/services/context/gitStatus"

describe("parsePorcelainZ", () => {
  it("keeps the first character of every path and reads renames", () => {
    const output = " M a.txt\0R  new name.txt\0old name.txt\0A  src/new file.ts\0?? x\0 D gone.txt\0UU both.ts\0"
    expect(parsePorcelainZ(output)).toEqual([
      { path: "a.txt", status: "modified", from: null },
      { path: "new name.txt", status: "renamed", from: "old name.txt" },
      { path: "src/new file.ts", status: "added", from: null },
      { path: "x", status: "untracked", from: null },
      { path: "gone.txt", status: "deleted", from: null },
      { path: "both.ts", status: "conflicted", from: null }
    ])
    expect(parsePorcelainZ(" M sub/x.ts\0R  sub/b.ts\0a.ts\0", "sub/")).toEqual([
      { path: "x.ts", status: "modified", from: null },
      { path: "b.ts", status: "renamed", from: "../a.ts" }
    ])
  })
})

