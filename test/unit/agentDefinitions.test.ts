import { Effect, Either, Option } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import {
  type AgentLookup,
  type AgentSearch,
  findAgentDefinition,
  parseFrontmatter,
  toolList
} from "../../src/services/delegation"
import { agentMarkdown, type ClaudeProject, makeClaudeProject } from "../support/claudeProject"

let world: ClaudeProject
afterEach(() => world?.cleanup())

const searchFrom = (w: ClaudeProject, cwd = w.project): AgentSearch => ({
  cwd,
  claudeConfigDir: w.claudeConfigDir,
  home: w.home,
  managedDir: w.managedDir
})

const find = (name: string | undefined, search: AgentSearch): AgentLookup => Effect.runSync(findAgentDefinition(name, search))
const found = (lookup: AgentLookup) => Option.getOrThrowWith(lookup.definition, () => new Error(`not found: ${Option.getOrElse(lookup.note, () => "")}`))

describe("agent definitions", () => {
  it("reads a project agent: name from the frontmatter, tools split like Claude Code, body as the system prompt", () => {
    world = makeClaudeProject()
    const file = world.write(
      path.join(world.project, ".claude/agents/explore.md"),
      agentMarkdown({ name: "explore", description: "project explore", tools: "Read, Grep, Glob", model: "Sonnet" }, "You explore.")
    )
    const agent = found(find("explore", searchFrom(world)))
    expect(agent).toMatchObject({
      name: "explore",
      source: "project",
      file,
      description: "project explore",
      systemPrompt: "You explore.",
      tools: ["Read", "Grep", "Glob"],
      disallowedTools: [],
      model: "Sonnet",
      readOnly: false
    })
  })

  it("matches names exactly first: project explore and built-in Explore are two types", () => {
    world = makeClaudeProject()
    world.write(path.join(world.project, ".claude/agents/explore.md"), agentMarkdown({ name: "explore", description: "mine" }, "x"))
    expect(found(find("explore", searchFrom(world))).source).toBe("project")
    const builtin = found(find("Explore", searchFrom(world)))
    expect(builtin).toMatchObject({ source: "built-in", readOnly: true, file: null })
    expect(builtin.disallowedTools).toEqual(expect.arrayContaining(["Agent", "Edit", "Write", "NotebookEdit", "ExitPlanMode"]))
    expect(builtin.systemPrompt).toContain("You are a file search specialist for Claude Code")
    // normalized, the name matches both: Claude Code refuses such a call
    const ambiguous = find("EXPLORE", searchFrom(world))
    expect(Option.isNone(ambiguous.definition)).toBe(true)
    expect(Option.getOrThrow(ambiguous.note)).toContain("ambiguous")
  })

  it("has Claude Code's built-in types: general-purpose by default, Explore and Plan read-only", () => {
    world = makeClaudeProject()
    const general = found(find(undefined, searchFrom(world)))
    expect(general).toMatchObject({ name: "general-purpose", tools: null, readOnly: false })
    expect(general.systemPrompt).toContain("You are an agent for Claude Code, Anthropic's official CLI for Claude.")
    const plan = found(find("Plan", searchFrom(world)))
    expect(plan).toMatchObject({ readOnly: true, model: "inherit" })
    expect(plan.systemPrompt).toContain("You are a software architect and planning specialist for Claude Code.")
    expect(found(find("statusline-setup", searchFrom(world))).tools).toEqual(["Read", "Edit"])
    expect(found(find("general_purpose", searchFrom(world))).name).toBe("general-purpose")
    expect(found(find("explore", searchFrom(world))).name).toBe("Explore")
  })

  it("reads user agents: YAML lists, disallowedTools, permissionMode; the name, not the file name", () => {
    world = makeClaudeProject()
    world.write(
      path.join(world.claudeConfigDir, "agents/some-file.md"),
      "---\nname: UserThing\ndescription: user agent\ntools:\n  - Read\n  - Bash(npm run test:*)\ndisallowedTools: Write\nmodel: INHERIT\npermissionMode: plan\n---\n\nBody.\n"
    )
    expect(Option.isNone(find("some-file", searchFrom(world)).definition)).toBe(true)
    expect(found(find("UserThing", searchFrom(world)))).toMatchObject({
      source: "user",
      tools: ["Read", "Bash(npm run test:*)"],
      disallowedTools: ["Write"],
      model: "inherit",
      permissionMode: "plan",
      systemPrompt: "Body."
    })
  })

  it("project agents win over user agents, and the nearest project directory wins", () => {
    world = makeClaudeProject()
    world.write(path.join(world.claudeConfigDir, "agents/a.md"), agentMarkdown({ name: "helper", description: "user" }, "user"))
    world.write(path.join(world.project, ".claude/agents/a.md"), agentMarkdown({ name: "helper", description: "root" }, "root"))
    const sub = path.join(world.project, "pkg", "sub")
    world.write(path.join(world.project, "pkg/.claude/agents/nested/b.md"), agentMarkdown({ name: "helper", description: "pkg" }, "pkg"))
    fs.mkdirSync(sub, { recursive: true })
    expect(found(find("helper", searchFrom(world))).description).toBe("root")
    expect(found(find("helper", searchFrom(world, sub))).description).toBe("pkg")
  })

  it("walks up to the git root only; without a repository up to the filesystem root", () => {
    world = makeClaudeProject()
    world.write("work/.claude/agents/above.md", agentMarkdown({ name: "above", description: "above the repository" }, "x"))
    expect(Option.isNone(find("above", searchFrom(world)).definition)).toBe(true)
    fs.rmSync(path.join(world.project, ".git"), { recursive: true })
    expect(found(find("above", searchFrom(world))).source).toBe("project")
  })

  it("managed agents win over project agents", () => {
    world = makeClaudeProject()
    world.write(path.join(world.project, ".claude/agents/a.md"), agentMarkdown({ name: "policy", description: "project" }, "p"))
    world.write(path.join(world.managedDir, ".claude/agents/a.md"), agentMarkdown({ name: "policy", description: "managed" }, "m"))
    expect(found(find("policy", searchFrom(world)))).toMatchObject({ source: "managed", description: "managed" })
  })

  it("resolves plugin:agent from an installed, enabled plugin's agents directory", () => {
    world = makeClaudeProject()
    const installPath = path.join(world.claudeConfigDir, "plugins/cache/localmkt/demo/0.1.0")
    world.write(path.join(installPath, ".claude-plugin/plugin.json"), { name: "demo", version: "0.1.0" })
    world.write(path.join(installPath, "agents/reviewer.md"), agentMarkdown({ name: "reviewer", description: "Reviews code", tools: "Read, Grep" }, "Root: ${CLAUDE_PLUGIN_ROOT}"))
    world.write(path.join(installPath, "agents/sub/nested.md"), "---\ndescription: nested one\n---\nNested.\n")
    world.write(path.join(world.claudeConfigDir, "plugins/installed_plugins.json"), {
      version: 2,
      plugins: { "demo@localmkt": [{ scope: "user", installPath, version: "0.1.0", installedAt: "2026-12-01T00:00:00.000Z" }] }
    })
    // installed but not enabled: no agents
    expect(Option.isNone(find("demo:reviewer", searchFrom(world)).definition)).toBe(true)
    world.write(path.join(world.claudeConfigDir, "settings.json"), { enabledPlugins: { "demo@localmkt": true } })
    const reviewer = found(find("demo:reviewer", searchFrom(world)))
    expect(reviewer).toMatchObject({ source: "plugin", tools: ["Read", "Grep"], systemPrompt: `Root: ${installPath}` })
    expect(found(find("demo:sub:nested", searchFrom(world)))).toMatchObject({ description: "nested one", tools: null })
    // a project setting can switch it off again
    world.write(path.join(world.project, ".claude/settings.local.json"), { enabledPlugins: { "demo@localmkt": false } })
    expect(Option.isNone(find("demo:reviewer", searchFrom(world)).definition)).toBe(true)
  })

  it("unknown agent: none, with a note", () => {
    world = makeClaudeProject()
    const lookup = find("no-such-agent", searchFrom(world))
    expect(Option.isNone(lookup.definition)).toBe(true)
    expect(Option.getOrThrow(lookup.note)).toContain("no agent type")
  })

  it("skips bad files with a reason instead of failing", () => {
    world = makeClaudeProject()
    const dir = path.join(world.project, ".claude/agents")
    world.write(path.join(dir, "broken.md"), "---\nname: broken\ndescription: \"unterminated\n---\nx\n")
    world.write(path.join(dir, "nodesc.md"), "---\nname: nodesc\n---\nx\n")
    world.write(path.join(dir, "plain.md"), "# just notes\n")
    world.write(path.join(dir, "colon.md"), agentMarkdown({ name: "a:b", description: "d" }, "x"))
    world.write(path.join(dir, "good.md"), agentMarkdown({ name: "good", description: "fine" }, "x"))
    const lookup = find("good", searchFrom(world))
    expect(found(lookup).name).toBe("good")
    const reasons = Object.fromEntries(lookup.skipped.map((s) => [path.basename(s.file), s.reason]))
    expect(reasons["broken.md"]).toContain("not valid YAML")
    expect(reasons["nodesc.md"]).toContain('no "description"')
    expect(reasons["plain.md"]).toContain('no "name"')
    expect(reasons["colon.md"]).toContain(":")
  })
})

describe("frontmatter and tool lists", () => {
  it("quotes values with YAML syntax on a second try, as Claude Code does", () => {
    const parsed = parseFrontmatter("---\nname: x\ndescription: Use when: the user asks\n---\nbody")
    expect(Either.getOrThrow(parsed).fields).toEqual({ name: "x", description: "Use when: the user asks" })
    expect(Either.getOrThrow(parseFrontmatter("no frontmatter")).fields).toEqual({})
  })

  it("splits tools like Claude Code: commas and spaces outside parentheses; * is every tool; an empty value none", () => {
    expect(toolList("Read, Grep Glob")).toEqual(["Read", "Grep", "Glob"])
    expect(toolList(["Bash(npm run test:*)", "Read,Edit"])).toEqual(["Bash(npm run test:*)", "Read", "Edit"])
    expect(toolList("Read, *")).toBeUndefined()
    expect(toolList(undefined)).toBeUndefined()
    expect(toolList(null)).toEqual([])
    expect(toolList("")).toEqual([])
  })
})
