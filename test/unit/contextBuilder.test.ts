import { describe, expect, it } from "@effect/vitest"
import { parsePorcelainZ } from "../../src/services/context/gitStatus"
import { type HandoffContext, serializeContextToMarkdown } from "../../src/services/context/handoff"

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

describe("serializeContextToMarkdown", () => {
  const base: HandoffContext = {
    version: 1,
    task: { description: "Implementing login functionality", goal: null, constraints: [] },
    files: { modified: [], referenced: [], changes: [] },
    todos: { pending: [], inProgress: [], completed: [] },
    decisions: { recent: [], learnings: [] },
    meta: {
      sessionId: "s",
      projectPath: "/opt/my-project",
      startTime: null,
      buildTime: "2026-01-28T06:30:00.000Z",
      claudeUsage: null,
      mode: null,
      git: "ok",
      from: "Claude Code",
      to: "OpenCode"
    }
  }

  it("an empty context says none and unknown, never undefined or null", () => {
    const md = serializeContextToMarkdown(base)
    expect(md).not.toMatch(/undefined|null|NaN/)
    expect(md).toBe(`# Task Handoff Context

> Switched from Claude Code to OpenCode
> Generated: 2026-01-28T06:30:00.000Z

---

## Session Information
| Item | Value |
|------|-----|
| Session ID | \`s\` |
| Project Path | \`/opt/my-project\` |
| Started | unknown |
| Timestamp | 2026-01-28T06:30:00.000Z |
| Usage | unknown |
| Mode | unknown |

## Current Task
Implementing login functionality

## Pending TODOs
none

## Completed TODOs
none

## Recently Modified Files
none

## Decisions
none

## Session Learnings
none
`)
  })

  it("the seed's full example, with awkward paths kept intact", () => {
    const md = serializeContextToMarkdown({
      ...base,
      task: { description: "Implementing login functionality", goal: "Ship it", constraints: ["Use JWT"] },
      files: {
        modified: ["src/auth/login.ts", "new name.ts", "a|b`c.ts"],
        referenced: [],
        changes: [
          { path: "src/auth/login.ts", status: "modified", from: null },
          { path: "new name.ts", status: "renamed", from: "old name.ts" },
          { path: "a|b`c.ts", status: "untracked", from: null }
        ]
      },
      todos: { pending: ["Add password validation logic"], inProgress: ["Implement session management"], completed: [] },
      decisions: { recent: ["JWT token-based authentication selected", "Using Redis for session management"], learnings: ["CORS configuration required"] },
      meta: { ...base.meta, projectPath: "/opt/my|project", claudeUsage: { fiveHourUsage: 87, weeklyUsage: null } }
    })
    expect(md).toContain("| Project Path | `/opt/my\\|project` |")
    expect(md).toContain("| Usage | 5-hour: 87%, Weekly: unknown |")
    expect(serializeContextToMarkdown({ ...base, meta: { ...base.meta, mode: "hulw" } })).toContain("| Mode | hulw |")
    expect(md).toContain("## Current Task\nImplementing login functionality\n\n**Goal:** Ship it\n\n**Constraints:**\n- Use JWT")
    expect(md).toContain("## Pending TODOs\n- [ ] Implement session management (in progress)\n- [ ] Add password validation logic")
    expect(md).toContain("## Recently Modified Files\n- `src/auth/login.ts`\n- `new name.ts` (renamed from `old name.ts`)\n- ``a|b`c.ts`` (untracked)")
    expect(md).toContain("## Decisions\n1. JWT token-based authentication selected\n2. Using Redis for session management")
    expect(md).toContain("## Session Learnings\n- CORS configuration required")
    expect(md).not.toMatch(/undefined|null/)
  })
})
