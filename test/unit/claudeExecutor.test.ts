import { describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { resolveClaudeBin } from "../../src/services/executor/ClaudeExecutor"

describe("ClaudeExecutor", () => {
  it("resolves the binary: option, then OMCM_CLAUDE_BIN, then PATH, then node_modules/.bin", () => {
    const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? "/tmp", "omcm-bin-"))
    try {
      const onPath = path.join(dir, "claude")
      fs.writeFileSync(onPath, "#!/bin/sh\n", { mode: 0o755 })
      expect(resolveClaudeBin("/x/claude", { OMCM_CLAUDE_BIN: "/y/claude", PATH: dir })).toBe("/x/claude")
      expect(resolveClaudeBin(undefined, { OMCM_CLAUDE_BIN: "/y/claude", PATH: dir })).toBe("/y/claude")
      expect(resolveClaudeBin(undefined, { PATH: `/nonexistent:${dir}` })).toBe(onPath)
      expect(resolveClaudeBin(undefined, { PATH: "/nonexistent" })).toMatch(/node_modules\/(\.bin|@anthropic-ai\/[^/]+)\/claude$/)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
