import { Effect, Option } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import {
  type DelegationPlan,
  effectiveMode,
  evaluatePermission,
  NO_PERMISSIONS,
  opencodePolicy,
  parseClaudeRule,
  type PermissionRule,
  planDelegation,
  translateRule,
  wildcardMatch
} from "../../src/services/delegation"
import { agentMarkdown, type ClaudeProject, makeClaudeProject } from "../support/claudeProject"

let world: ClaudeProject
afterEach(() => world?.cleanup())

/** OpenCode 1.18.33's own `build` agent rules, which come before the session's (read from its binary). */
const BUILD_AGENT: ReadonlyArray<PermissionRule> = [
  { permission: "*", pattern: "*", action: "allow" },
  { permission: "doom_loop", pattern: "*", action: "ask" },
  { permission: "external_directory", pattern: "*", action: "ask" },
  { permission: "question", pattern: "*", action: "deny" },
  { permission: "read", pattern: "*", action: "allow" },
  { permission: "read", pattern: "*.env", action: "ask" },
  { permission: "question", pattern: "*", action: "allow" }
]

const plan = (w: ClaudeProject, options: { readonly agent?: string; readonly mode?: string; readonly cwd?: string; readonly override?: ReadonlyArray<PermissionRule> } = {}): DelegationPlan =>
  Effect.runSync(
    planDelegation({
      cwd: options.cwd ?? w.project,
      permissionMode: options.mode,
      subagentType: options.agent,
      claudeConfigDir: w.claudeConfigDir,
      home: w.home,
      managedDir: w.managedDir,
      override: options.override
    })
  )

/** What OpenCode decides for a call, with the build agent's rules first and the session's after. */
const decide = (p: DelegationPlan, permission: string, pattern: string) => evaluatePermission(permission, pattern, BUILD_AGENT, p.policy.permission)

const projectSettings = (w: ClaudeProject, permissions: object) => w.write(path.join(w.project, ".claude/settings.json"), { permissions })

describe("OpenCode's wildcard (ported)", () => {
  it("matches like OpenCode 1.18.33", () => {
    expect(wildcardMatch("touch", "touch *")).toBe(true)
    expect(wildcardMatch("touch a b", "touch *")).toBe(true)
    expect(wildcardMatch("touchy", "touch *")).toBe(false)
    expect(wildcardMatch("src/a/b.ts", "src/*")).toBe(true)
    expect(wildcardMatch("a.env", "?.env")).toBe(true)
    expect(wildcardMatch("edit", "*")).toBe(true)
  })
})

describe("Claude rules as OpenCode patterns", () => {
  const context = { cwd: "/repo/pkg", worktree: "/repo", home: "/home/me", root: "/repo/pkg" }
  const patterns = (raw: string) => translateRule(parseClaudeRule(raw), context).patterns.map((p) => `${p.permission} ${p.pattern}`)

  it("makes paths relative to the worktree, as OpenCode's read and edit patterns are", () => {
    expect(patterns("Read(./secrets/**)")).toEqual(["read pkg/secrets/*"])
    expect(patterns("Edit(//etc/**)")).toEqual(["edit ../etc/*"])
    expect(patterns("Read(~/.ssh/**)")).toEqual(["read ../home/me/.ssh/*"])
    expect(patterns("Edit(/src/**/*.ts)")).toEqual(["edit pkg/src/*/*.ts", "edit pkg/src/*.ts"])
    expect(patterns("Read(.env)")).toEqual(["read pkg/.env", "read pkg/*/.env", "read pkg/.env/*"])
  })

  it("turns commands, domains, tools and MCP names into OpenCode's", () => {
    expect(patterns("Bash(npm run test:*)")).toEqual(["bash npm run test *"])
    expect(patterns("Bash(git * main)")).toEqual(["bash git * main"])
    expect(patterns("WebFetch(domain:example.com)")).toContain("webfetch https://example.com/*")
    expect(patterns("Read")).toEqual(["read *", "list *"])
    expect(patterns("Write")).toEqual(["edit *"])
    expect(patterns("mcp__my.server__do_it")).toEqual(["my_server_do_it *"])
    expect(patterns("Agent(Explore)")).toEqual(["task Explore"])
    expect(translateRule(parseClaudeRule("ExitPlanMode"), context).note).toContain("no such tool")
  })
})

describe("the OpenCode policy of a delegated sub-agent", () => {
  it("a project explore agent with tools Read, Grep, Glob gets only those", () => {
    world = makeClaudeProject()
    world.write(path.join(world.project, ".claude/agents/explore.md"), agentMarkdown({ name: "explore", description: "d", tools: "Read, Grep, Glob" }, "You explore."))
    const p = plan(world, { agent: "explore" })
    expect(p.policy.tools).toMatchObject({
      read: true,
      grep: true,
      glob: true,
      edit: false,
      write: false,
      apply_patch: false,
      bash: false,
      webfetch: false,
      websearch: false,
      task: false,
      todowrite: false,
      skill: false,
      question: false
    })
    expect(decide(p, "bash", "ls")).toBe("deny")
    expect(decide(p, "edit", "a.ts")).toBe("deny")
    expect(decide(p, "read", "src/a.ts")).toBe("allow")
    expect(decide(p, "some_mcp_tool", "*")).toBe("deny")
    expect(p.policy.system.startsWith("You explore.")).toBe(true)
    expect(p.policy.system).toContain(world.project)
  })

  it.each(["Explore", "Plan"])("built-in %s is read-only: no edits, bash for read-only commands only", (agent) => {
    world = makeClaudeProject()
    const p = plan(world, { agent })
    expect(p.policy.readOnly).toBe(true)
    expect(p.policy.tools).toMatchObject({ edit: false, write: false, apply_patch: false, task: false, read: true, bash: true })
    expect(decide(p, "edit", "a.ts")).toBe("deny")
    for (const command of ["ls -la", "git status", "git log --oneline", "cat README.md", "grep -r foo src", "find . -name x"]) {
      expect([command, decide(p, "bash", command)]).toEqual([command, "allow"])
    }
    for (const command of ["touch a", "rm -rf x", "cat a > b", "npm install", "find . -delete", "git commit -m x", "sh"]) {
      expect([command, decide(p, "bash", command)]).toEqual([command, "deny"])
    }
  })

  it("a Bash(touch:*) deny rule becomes a bash deny rule", () => {
    world = makeClaudeProject()
    projectSettings(world, { deny: ["Bash(touch:*)"] })
    const p = plan(world)
    expect(p.policy.permission).toContainEqual({ permission: "bash", pattern: "touch *", action: "deny" })
    expect(decide(p, "bash", "touch created.txt")).toBe("deny")
    expect(decide(p, "bash", "touch")).toBe("deny")
    expect(decide(p, "bash", "echo hi")).toBe("allow")
    expect(p.policy.summary.join("\n")).toContain("Bash(touch:*)")
  })

  it("an ask rule becomes a deny rule", () => {
    world = makeClaudeProject()
    projectSettings(world, { ask: ["Bash(git push:*)", "WebFetch"] })
    const p = plan(world)
    expect(decide(p, "bash", "git push origin main")).toBe("deny")
    expect(decide(p, "bash", "git status")).toBe("allow")
    expect(p.policy.tools.webfetch).toBe(false)
    expect(p.policy.summary.join("\n")).toContain("nobody can answer")
  })

  it("plan mode denies edits and all but read-only bash", () => {
    world = makeClaudeProject()
    const p = plan(world, { mode: "plan" })
    expect(p.policy.mode).toBe("plan")
    expect(p.policy.tools.edit).toBe(false)
    expect(decide(p, "edit", "src/a.ts")).toBe("deny")
    expect(decide(p, "bash", "npm test")).toBe("deny")
    expect(decide(p, "bash", "git diff")).toBe("allow")
  })

  it("keeps the session in its directory: outside is denied but for the additional directories", () => {
    world = makeClaudeProject()
    const shared = path.join(world.root, "shared")
    projectSettings(world, { additionalDirectories: [shared] })
    const p = plan(world)
    expect(decide(p, "external_directory", "/etc/*")).toBe("deny")
    expect(decide(p, "external_directory", path.join(world.home, "*"))).toBe("deny")
    expect(decide(p, "external_directory", `${shared}/*`)).toBe("allow")
    expect(decide(p, "external_directory", `${shared}/deep/dir/*`)).toBe("allow")
  })

  it("below the git root, the rest of the repository is out of reach for read and edit", () => {
    world = makeClaudeProject()
    const sub = path.join(world.project, "pkg")
    fs.mkdirSync(sub)
    const p = plan(world, { cwd: sub })
    expect(p.worktree).toBe(world.project)
    expect(decide(p, "read", "pkg/a.ts")).toBe("allow")
    expect(decide(p, "edit", "pkg/a.ts")).toBe("allow")
    expect(decide(p, "read", "other/a.ts")).toBe("deny")
    expect(decide(p, "edit", "README.md")).toBe("deny")
  })

  it("translates path, domain and MCP rules", () => {
    world = makeClaudeProject()
    projectSettings(world, { deny: ["Read(./secrets/**)", "Edit(/config/*.json)", "Read(.env)", "WebFetch(domain:example.com)", "mcp__github"] })
    const p = plan(world)
    expect(decide(p, "read", "secrets/key.pem")).toBe("deny")
    expect(decide(p, "read", "src/a.ts")).toBe("allow")
    expect(decide(p, "read", ".env")).toBe("deny")
    expect(decide(p, "read", "deep/down/.env")).toBe("deny")
    expect(decide(p, "edit", "config/app.json")).toBe("deny")
    expect(decide(p, "edit", "src/app.json")).toBe("allow")
    expect(decide(p, "webfetch", "https://example.com/page")).toBe("deny")
    expect(decide(p, "webfetch", "https://example.org/")).toBe("allow")
    expect(decide(p, "github_create_issue", "*")).toBe("deny")
  })

  it("dontAsk allows only what is pre-approved", () => {
    world = makeClaudeProject()
    projectSettings(world, { allow: ["Bash(npm test:*)", "Edit(src/**)"] })
    const p = plan(world, { mode: "dontAsk" })
    expect(decide(p, "bash", "npm test -- --watch=false")).toBe("allow")
    expect(decide(p, "bash", "npm install")).toBe("deny")
    expect(decide(p, "bash", "ls")).toBe("allow")
    expect(decide(p, "edit", "src/a.ts")).toBe("allow")
    expect(decide(p, "edit", "README.md")).toBe("deny")
    expect(decide(p, "webfetch", "https://example.com")).toBe("deny")
  })

  it("agent files narrow further: disallowedTools, and a Bash(...) entry in tools limits bash to it", () => {
    world = makeClaudeProject()
    world.write(path.join(world.project, ".claude/agents/a.md"), agentMarkdown({ name: "gitter", description: "d", tools: "Read, Bash(git log:*)" }, "x"))
    world.write(path.join(world.project, ".claude/agents/b.md"), agentMarkdown({ name: "nowrite", description: "d", disallowedTools: "Write, WebFetch" }, "x"))
    const gitter = plan(world, { agent: "gitter" })
    expect(decide(gitter, "bash", "git log -5")).toBe("allow")
    expect(decide(gitter, "bash", "git push")).toBe("deny")
    const nowrite = plan(world, { agent: "nowrite" })
    expect(nowrite.policy.tools).toMatchObject({ edit: false, write: false, webfetch: false, bash: true, task: true })
  })

  it("never produces an ask, whatever it is given", () => {
    world = makeClaudeProject()
    projectSettings(world, { ask: ["Bash", "Read(./x/**)"], deny: ["Edit"], allow: ["Bash(ls:*)"] })
    const override: ReadonlyArray<PermissionRule> = [{ permission: "webfetch", pattern: "*", action: "ask" }]
    const probes: ReadonlyArray<readonly [string, string]> = [
      ["bash", "anything"],
      ["read", ".env"],
      ["read", "x/y"],
      ["edit", "a"],
      ["doom_loop", "*"],
      ["external_directory", "/tmp/*"],
      ["webfetch", "https://a.b"],
      ["question", "*"],
      ["unknown_permission", "z"]
    ]
    for (const mode of ["default", "plan", "acceptEdits", "bypassPermissions", "dontAsk", "auto", undefined]) {
      for (const agent of [undefined, "Explore", "Plan", "statusline-setup", "claude-code-guide", "nope"]) {
        const p = plan(world, { agent, mode, override })
        expect(p.policy.permission.filter((r) => r.action !== "allow" && r.action !== "deny")).toEqual([])
        for (const [permission, pattern] of probes) expect(decide(p, permission, pattern)).not.toBe("ask")
        expect(p.policy.tools.question).toBe(false)
      }
    }
  })

  it("the caller's parent mode: bypassPermissions and plan win over the agent's own mode", () => {
    const agent = Option.some({
      name: "a",
      source: "project" as const,
      file: null,
      description: "",
      systemPrompt: "",
      tools: null,
      disallowedTools: [],
      model: null,
      permissionMode: "plan" as const,
      readOnly: false
    })
    expect(effectiveMode("default", agent)).toBe("plan")
    expect(effectiveMode("bypassPermissions", agent)).toBe("bypassPermissions")
    expect(effectiveMode("acceptEdits", Option.none())).toBe("acceptEdits")
    const policy = opencodePolicy({ agent, permissions: NO_PERMISSIONS, directory: "/p", worktree: "/p", home: "/h" })
    expect(policy.readOnly).toBe(true)
  })

  it("an unknown agent is mapped as general-purpose, and says so", () => {
    world = makeClaudeProject()
    const p = plan(world, { agent: "nope" })
    expect(Option.isNone(p.lookup.definition)).toBe(true)
    expect(p.policy.summary[0]).toContain("none Claude Code knows")
    expect(p.policy.system).toContain("You are an agent for Claude Code")
    expect(p.policy.tools).toMatchObject({ bash: true, edit: true, task: true, skill: true, question: false })
  })
})
