/**
 * Claude Code's tool names and the OpenCode permissions they correspond to.
 *
 * OpenCode 1.18.33 checks every tool call against one permission key (read from its binary): the `edit`, `write` and
 * `apply_patch` tools all ask `edit`; every other built-in tool asks the permission of its own id. MCP tools are
 * named `<server>_<tool>`, each part with every character outside `[a-zA-Z0-9_-]` replaced by `_`.
 */

/** The OpenCode permission keys a Claude tool can map to. */
export const OPENCODE_PERMISSIONS = [
  "read",
  "list",
  "glob",
  "grep",
  "edit",
  "bash",
  "webfetch",
  "websearch",
  "task",
  "todowrite",
  "skill",
  "lsp",
  "question"
] as const
export type OpencodePermission = typeof OPENCODE_PERMISSIONS[number]

/** OpenCode's built-in tool ids, for the message-body `tools` map. */
export const OPENCODE_TOOL_IDS = [
  "read",
  "list",
  "glob",
  "grep",
  "edit",
  "write",
  "apply_patch",
  "bash",
  "webfetch",
  "websearch",
  "task",
  "todowrite",
  "skill",
  "lsp",
  "question"
] as const
export type OpencodeToolId = typeof OPENCODE_TOOL_IDS[number]

/** The OpenCode permission a tool id is checked against. */
export const permissionOfToolId = (tool: OpencodeToolId): OpencodePermission =>
  tool === "write" || tool === "apply_patch" ? "edit" : tool

/**
 * Claude Code tool name -> OpenCode permissions. `Read` also gives `list` (Claude Code 2.1.330 has no `LS` tool: it
 * reads directories with `Read`). `Glob`/`Grep` are absent from 2.1.330 sessions that use the embedded `find`/`grep`
 * through Bash, but agent files still name them.
 */
const CLAUDE_TOOLS: Readonly<Record<string, ReadonlyArray<OpencodePermission>>> = {
  Read: ["read", "list"],
  LS: ["list"],
  Glob: ["glob"],
  Grep: ["grep"],
  Edit: ["edit"],
  Write: ["edit"],
  MultiEdit: ["edit"],
  NotebookEdit: ["edit"],
  Bash: ["bash"],
  PowerShell: ["bash"],
  WebFetch: ["webfetch"],
  WebSearch: ["websearch"],
  Agent: ["task"],
  Task: ["task"],
  TodoWrite: ["todowrite"],
  TaskCreate: ["todowrite"],
  TaskUpdate: ["todowrite"],
  TaskGet: ["todowrite"],
  TaskList: ["todowrite"],
  Skill: ["skill"],
  LSP: ["lsp"],
  AskUserQuestion: ["question"]
}

/** The tools whose rule specifier is a file path (gitignore-style), as in Claude Code's `Read(...)`/`Edit(...)`. */
export const PATH_TOOLS: ReadonlySet<string> = new Set(["Read", "Edit", "Write", "MultiEdit", "NotebookEdit", "Glob", "Grep", "LS"])
/** The tools whose rule specifier is a shell command. */
export const SHELL_TOOLS: ReadonlySet<string> = new Set(["Bash", "PowerShell"])

/** How a Claude Code tool name maps: OpenCode permissions, an MCP tool, or nothing OpenCode has. */
export type ToolMapping =
  | { readonly _tag: "Builtin"; readonly permissions: ReadonlyArray<OpencodePermission> }
  | { readonly _tag: "Mcp"; readonly permission: string }
  | { readonly _tag: "None" }

const sanitize = (name: string) => name.replace(/[^a-zA-Z0-9_-]/g, "_")

/**
 * `Read` -> read, list; `mcp__github__create_issue` -> `github_create_issue`; `mcp__github` and `mcp__github__*`
 * -> `github_*` (an OpenCode wildcard over that server's tools); `ExitPlanMode` -> None.
 */
export const mapClaudeTool = (name: string): ToolMapping => {
  const builtin = CLAUDE_TOOLS[name]
  if (builtin !== undefined) return { _tag: "Builtin", permissions: builtin }
  const mcp = /^mcp__(.+?)(?:__(.+))?$/.exec(name)
  if (mcp !== null) {
    const server = sanitize(mcp[1]!)
    const tool = mcp[2]
    return { _tag: "Mcp", permission: tool === undefined || tool === "*" ? `${server}_*` : `${server}_${sanitize(tool)}` }
  }
  return { _tag: "None" }
}
