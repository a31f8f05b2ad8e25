import { Effect, Option } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { type ClaudePermissions, parseClaudeRule, readClaudePermissions } from "../../src/services/delegation"
import { type ClaudeProject, makeClaudeProject } from "../support/claudeProject"

let world: ClaudeProject
afterEach(() => world?.cleanup())

describe("Claude permission rule syntax", () => {
  it.each([
    ["Bash", { _tag: "Tool", tool: "Bash" }],
    ["Bash(*)", { _tag: "Tool", tool: "Bash" }],
    ["Bash(npm run test:*)", { _tag: "Command", tool: "Bash", match: "prefix", pattern: "npm run test" }],
    ["Bash(touch:*)", { _tag: "Command", tool: "Bash", match: "prefix", pattern: "touch" }],
    ["Bash(git * main)", { _tag: "Command", tool: "Bash", match: "wildcard", pattern: "git * main" }],
    ["Bash(rm -rf /)", { _tag: "Command", tool: "Bash", match: "exact", pattern: "rm -rf /" }],
    ["Read(./secrets/**)", { _tag: "Path", tool: "Read", anchor: "cwd", pattern: "secrets/**" }],
    ["Read(.env)", { _tag: "Path", tool: "Read", anchor: "cwd", pattern: ".env" }],
    ["Edit(/abs/**)", { _tag: "Path", tool: "Edit", anchor: "project", pattern: "abs/**" }],
    ["Edit(//etc/**)", { _tag: "Path", tool: "Edit", anchor: "absolute", pattern: "etc/**" }],
    ["Read(~/x)", { _tag: "Path", tool: "Read", anchor: "home", pattern: "x" }],
    ["WebFetch(domain:example.com)", { _tag: "Domain", tool: "WebFetch", domain: "example.com" }],
    ["mcp__github__create_issue", { _tag: "Tool", tool: "mcp__github__create_issue" }],
    ["mcp__github", { _tag: "Tool", tool: "mcp__github" }],
    ["Agent(Explore)", { _tag: "Specifier", tool: "Agent", specifier: "Explore" }],
    ["Skill(deploy)", { _tag: "Specifier", tool: "Skill", specifier: "deploy" }]
  ])("%s", (raw, expected) => {
    expect(parseClaudeRule(raw)).toMatchObject({ raw, ...expected })
  })

  it.each(["bash", "Bash(unclosed", "Web Fetch", "WebFetch(https://example.com)"])("keeps %s as opaque, with a note", (raw) => {
    const rule = parseClaudeRule(raw)
    expect(rule._tag).toBe("Opaque")
    if (rule._tag === "Opaque") expect(rule.note.length).toBeGreaterThan(0)
  })
})

const read = (w: ClaudeProject, cwd = w.project): ClaudePermissions =>
  Effect.runSync(
    readClaudePermissions({ cwd, claudeConfigDir: w.claudeConfigDir, gitRoot: Option.some(w.project), managedDir: w.managedDir, home: w.home })
  )

describe("reading Claude permission settings", () => {
  it("merges user, project, local and managed files; defaultMode from the highest; directories resolved", () => {
    world = makeClaudeProject()
    world.write(path.join(world.claudeConfigDir, "settings.json"), {
      permissions: { deny: ["Read(~/.ssh/**)"], defaultMode: "acceptEdits", additionalDirectories: ["~/shared"] },
      theme: "dark"
    })
    world.write(path.join(world.project, ".claude/settings.json"), {
      permissions: { deny: ["Bash(touch:*)"], ask: ["Bash(git push:*)"], allow: ["Bash(npm test:*)"], additionalDirectories: ["../lib"] }
    })
    world.write(path.join(world.project, ".claude/settings.local.json"), { permissions: { defaultMode: "plan" } })
    world.write(path.join(world.managedDir, "managed-settings.json"), { permissions: { deny: ["WebSearch"] } })
    world.write(path.join(world.managedDir, "managed-settings.d/10-extra.json"), { permissions: { deny: ["mcp__github"] } })
    const permissions = read(world)
    expect(permissions.rules.map((r) => [r.behavior, r.rule.raw, r.source])).toEqual([
      ["deny", "Read(~/.ssh/**)", "user"],
      ["deny", "Bash(touch:*)", "project"],
      ["ask", "Bash(git push:*)", "project"],
      ["allow", "Bash(npm test:*)", "project"],
      ["deny", "WebSearch", "managed"],
      ["deny", "mcp__github", "managed"]
    ])
    expect(permissions.defaultMode).toBe("plan")
    expect(permissions.additionalDirectories).toEqual([path.join(world.home, "shared"), path.join(world.root, "work", "lib")])
    expect(permissions.skipped).toEqual([])
  })

  it("reads the session directory's project settings only, and local settings there and at the git root", () => {
    world = makeClaudeProject()
    const sub = path.join(world.project, "pkg")
    fs.mkdirSync(sub)
    world.write(path.join(world.project, ".claude/settings.json"), { permissions: { deny: ["WebSearch"] } })
    world.write(path.join(world.project, ".claude/settings.local.json"), { permissions: { deny: ["WebFetch"] } })
    world.write(path.join(sub, ".claude/settings.json"), { permissions: { deny: ["NotebookEdit"] } })
    world.write(path.join(sub, ".claude/settings.local.json"), { permissions: { deny: ["TaskStop"] } })
    expect(read(world, sub).rules.map((r) => [r.rule.raw, r.source])).toEqual([
      ["NotebookEdit", "project"],
      ["WebFetch", "local"],
      ["TaskStop", "local"]
    ])
  })

  it("skips a broken file with its reason and keeps the others; notes entries it cannot use", () => {
    world = makeClaudeProject()
    world.write(path.join(world.claudeConfigDir, "settings.json"), "{ not json")
    world.write(path.join(world.project, ".claude/settings.json"), { permissions: "all" })
    world.write(path.join(world.project, ".claude/settings.local.json"), {
      permissions: { deny: ["Bash(rm:*)", 42], defaultMode: "yolo" }
    })
    const permissions = read(world)
    expect(permissions.rules.map((r) => r.rule.raw)).toEqual(["Bash(rm:*)"])
    expect(permissions.skipped.map((s) => path.basename(s.file))).toEqual(["settings.json", "settings.json"])
    expect(permissions.skipped[0]!.reason).toContain("not valid JSON")
    expect(permissions.skipped[1]!.reason).toContain("permissions")
    expect(permissions.notes.join("\n")).toContain("42")
    expect(permissions.notes.join("\n")).toContain("yolo")
    expect(permissions.defaultMode).toBeNull()
  })
})
