import { describe, expect, it } from "@effect/vitest"
import { Schema } from "effect"
import * as fs from "node:fs"
import { HandoffContext } from "../../src/services/context/handoff"
import { serializeContextToJSON, serializeContextToMarkdown } from "../../src/services/context/handoffMarkdown"

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
    buildTime: "2026-01-28T15:30:00+09:00",
    claudeUsage: null,
    mode: null,
    git: "ok",
    from: "Claude Code",
    to: "OpenCode",
    transcript: null,
    sources: null
  }
}

/** the seed's example, as OMCM-FEATURES.md prints it */
const SEED_EXAMPLE = `# Task Handoff Context

> Switched from Claude Code to OpenCode
> Generated: 2026-01-28T15:30:00+09:00

---

## Session Information
| Item | Value |
|------|-----|
| Project Path | \`/opt/my-project\` |
| Timestamp | 2026-01-28T15:30:00+09:00 |
| Usage | 5-hour: 87%, Weekly: 45% |

## Current Task
Implementing login functionality

## Pending TODOs
- [ ] Add password validation logic
- [ ] Implement session management

## Recently Modified Files
- src/auth/login.ts
- src/auth/signup.ts
- src/middleware/auth.ts

## Decisions
1. JWT token-based authentication selected
2. Using Redis for session management

## Session Learnings
- Password hashing with bcrypt
- CORS configuration required
`

/** the blocks between blank-line-separated headings: title, quote, rule, then one per `## ` section */
const sections = (md: string): ReadonlyArray<string> => md.trim().split(/\n\n(?=#|>|---)/)

const seedContext: HandoffContext = {
  ...base,
  files: {
    modified: ["src/auth/login.ts", "src/auth/signup.ts", "src/middleware/auth.ts"],
    referenced: [],
    changes: ["src/auth/login.ts", "src/auth/signup.ts", "src/middleware/auth.ts"].map((path) => ({ path, status: "modified" as const, from: null }))
  },
  todos: { pending: ["Add password validation logic", "Implement session management"], inProgress: [], completed: [] },
  decisions: {
    recent: [{ text: "JWT token-based authentication selected", source: "given" }, { text: "Using Redis for session management", source: "given" }],
    learnings: [{ text: "Password hashing with bcrypt", source: "given" }, { text: "CORS configuration required", source: "given" }]
  },
  meta: { ...base.meta, claudeUsage: { fiveHourUsage: 87, weeklyUsage: 45 } }
}

describe("serializeContextToMarkdown", () => {
  it("the seed's example comes out section by section as the seed prints it; what the seed has no section for follows", () => {
    const ours = sections(serializeContextToMarkdown(seedContext))
    const seed = sections(SEED_EXAMPLE)
    expect(seed.map((s) => s.split("\n")[0])).toEqual([
      "# Task Handoff Context",
      "> Switched from Claude Code to OpenCode",
      "---",
      "## Session Information",
      "## Current Task",
      "## Pending TODOs",
      "## Recently Modified Files",
      "## Decisions",
      "## Session Learnings"
    ])
    seed.forEach((section, i) => expect(ours[i]).toBe(section))
    expect(ours.slice(seed.length).map((s) => s.split("\n")[0])).toEqual(["## Session Details"])
  })

  it("the seed's file still reads the same: the example in OMCM-FEATURES.md is the one tested here", () => {
    const file = "/work/shared/seed/OMCM-FEATURES.md"
    if (!fs.existsSync(file)) return
    const text = fs.readFileSync(file, "utf8")
    const start = text.indexOf("```markdown\n# Task Handoff Context")
    expect(start).toBeGreaterThan(0)
    const example = text.slice(start + "```markdown\n".length, text.indexOf("```", start + 12))
    expect(example).toBe(SEED_EXAMPLE)
  })

  it("an empty context says none and unknown, never undefined or null", () => {
    const md = serializeContextToMarkdown(base)
    expect(md).not.toMatch(/undefined|null|NaN/)
    expect(md).toContain("## Pending TODOs\nnone\n\n## Recently Modified Files\nnone\n\n## Decisions\nnone\n\n## Session Learnings\nnone")
    expect(md).toContain("| Usage | unknown |")
    expect(md).toContain("## Session Details\n| Item | Value |\n|------|-----|\n| Session ID | `s` |\n| Started | unknown |\n| Mode | unknown |")
  })

  it("in-progress TODOs, completed ones, referenced files, awkward paths and where notes came from", () => {
    const md = serializeContextToMarkdown({
      ...base,
      task: { description: "Implementing login functionality", goal: "Ship it", constraints: ["Use JWT"] },
      files: {
        modified: ["src/auth/login.ts", "new name.ts", "a|b`c.ts", "*star.ts", "line\nbreak.ts", "from-transcript.ts"],
        referenced: ["package.json"],
        changes: [
          { path: "src/auth/login.ts", status: "modified", from: null },
          { path: "new name.ts", status: "renamed", from: "old name.ts" },
          { path: "a|b`c.ts", status: "untracked", from: null },
          { path: "*star.ts", status: "untracked", from: null },
          { path: "line\nbreak.ts", status: "added", from: null }
        ]
      },
      todos: { pending: ["Add password validation logic"], inProgress: ["Implement session management"], completed: ["Read the code"] },
      decisions: {
        recent: [{ text: "JWT selected", source: "transcript /t.jsonl line 4" }],
        learnings: [{ text: "CORS configuration required", source: "given" }]
      },
      meta: {
        ...base.meta,
        projectPath: "/opt/my|project",
        mode: "ulw",
        claudeUsage: { fiveHourUsage: 87, weeklyUsage: null },
        transcript: "/t.jsonl",
        sources: { task: "given", todos: "transcript /t.jsonl (TodoWrite, line 9)", files: "git status", notes: "transcript" }
      }
    })
    expect(md).toContain("| Project Path | `/opt/my\\|project` |")
    expect(md).toContain("| Usage | 5-hour: 87%, Weekly: unknown |")
    expect(md).toContain("## Current Task\nImplementing login functionality\n\n**Goal:** Ship it\n\n**Constraints:**\n- Use JWT")
    expect(md).toContain("## Pending TODOs\n- [ ] Implement session management (in progress)\n- [ ] Add password validation logic")
    expect(md).toContain(
      "## Recently Modified Files\n- src/auth/login.ts\n- new name.ts (renamed from old name.ts)\n- ``a|b`c.ts`` (untracked)\n" +
        "- `*star.ts` (untracked)\n- `\"line\\nbreak.ts\"` (added)\n- from-transcript.ts"
    )
    expect(md).toContain("## Decisions\n1. JWT selected _(transcript /t.jsonl line 4)_")
    expect(md).toContain("## Session Learnings\n- CORS configuration required\n")
    expect(md).toContain("## Completed TODOs\n- [x] Read the code")
    expect(md).toContain("## Referenced Files\n- package.json")
    expect(md).toContain("| Mode | ulw |\n| Transcript | `/t.jsonl` |\n| Task from | given |\n| TODOs from | transcript /t.jsonl (TodoWrite, line 9) |")
    expect(md).not.toMatch(/undefined|null/)
  })
})

describe("serializeContextToJSON", () => {
  it("round-trips through the schema; notes written as plain strings (older handoffs) read as given", () => {
    const json = serializeContextToJSON(seedContext)
    expect(Schema.decodeUnknownSync(HandoffContext)(JSON.parse(json))).toEqual(seedContext)
    const old = JSON.parse(json)
    old.decisions.recent = ["JWT"]
    delete old.meta.sources
    delete old.meta.transcript
    const read = Schema.decodeUnknownSync(HandoffContext)(old)
    expect(read.decisions.recent).toEqual([{ text: "JWT", source: "given" }])
    expect(read.meta.sources).toBeNull()
  })
})
