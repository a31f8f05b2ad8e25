import { PATH_TOOLS, SHELL_TOOLS } from "./claudeTools"

/**
 * Claude Code's permission rule syntax (`permissions.allow|ask|deny` entries):
 *
 * - `Tool`: every use of the tool (`Bash`, `Read`, `WebFetch`, an MCP tool `mcp__server__tool`, a whole server
 *   `mcp__server` or `mcp__server__*`); `Tool(*)` and `Tool()` are the same;
 * - `Bash(npm run test:*)`: the legacy prefix form (the command is `npm run test` or starts with `npm run test `);
 *   `Bash(git * main)`: a wildcard (`*` is any text); otherwise the exact command;
 * - `Read(...)`, `Edit(...)` (and Write, MultiEdit, NotebookEdit, Glob, Grep, LS): a gitignore-style path pattern:
 *   `//abs/path` from the filesystem root, `~/path` from the home directory, `/path` from the project root (not
 *   absolute!), `path` or `./path` from the current directory;
 * - `WebFetch(domain:example.com)`;
 * - any other `Tool(specifier)`: `Agent(Explore)`, `Skill(name)`, ... kept with its specifier.
 *
 * Anything else (lower-case or spaced tool names, unbalanced parentheses) is kept as Opaque with a note: Claude Code
 * warns about such entries and they match nothing.
 */

export type PathAnchor = "absolute" | "home" | "project" | "cwd"

export type ClaudeRule =
  | { readonly _tag: "Tool"; readonly raw: string; readonly tool: string }
  | {
    readonly _tag: "Command"
    readonly raw: string
    readonly tool: string
    readonly match: "prefix" | "wildcard" | "exact"
    /** the prefix (without `:*`), the wildcard pattern or the exact command */
    readonly pattern: string
  }
  | {
    readonly _tag: "Path"
    readonly raw: string
    readonly tool: string
    readonly anchor: PathAnchor
    /** the pattern without its anchor (`//`, `~/`, `/`, `./`): relative to the anchor's directory */
    readonly pattern: string
  }
  | { readonly _tag: "Domain"; readonly raw: string; readonly tool: string; readonly domain: string }
  | { readonly _tag: "Specifier"; readonly raw: string; readonly tool: string; readonly specifier: string }
  | { readonly _tag: "Opaque"; readonly raw: string; readonly note: string }

const TOOL_NAME = /^[A-Z][A-Za-z0-9_]*$|^mcp__[^\s()]+$/

const unescape = (text: string) => text.replace(/\\([()\\])/g, "$1")

const pathRule = (raw: string, tool: string, specifier: string): ClaudeRule => {
  if (specifier.startsWith("//")) return { _tag: "Path", raw, tool, anchor: "absolute", pattern: specifier.slice(2) }
  if (specifier === "~" || specifier.startsWith("~/")) return { _tag: "Path", raw, tool, anchor: "home", pattern: specifier.slice(2) }
  if (specifier.startsWith("/")) return { _tag: "Path", raw, tool, anchor: "project", pattern: specifier.slice(1) }
  return { _tag: "Path", raw, tool, anchor: "cwd", pattern: specifier.replace(/^\.\/+/, "").replace(/^\.$/, "") }
}

const commandRule = (raw: string, tool: string, specifier: string): ClaudeRule =>
  specifier.endsWith(":*")
    ? { _tag: "Command", raw, tool, match: "prefix", pattern: specifier.slice(0, -2).trimEnd() }
    : specifier.includes("*")
    ? { _tag: "Command", raw, tool, match: "wildcard", pattern: specifier }
    : { _tag: "Command", raw, tool, match: "exact", pattern: specifier }

/** One rule entry, parsed. */
export const parseClaudeRule = (entry: string): ClaudeRule => {
  const raw = entry.trim()
  const open = raw.indexOf("(")
  if (open < 0) {
    return TOOL_NAME.test(raw)
      ? { _tag: "Tool", raw, tool: raw }
      : { _tag: "Opaque", raw, note: "not a tool name (names are case-sensitive, like Bash or mcp__server__tool)" }
  }
  const tool = raw.slice(0, open)
  if (!raw.endsWith(")") || !TOOL_NAME.test(tool)) {
    return { _tag: "Opaque", raw, note: "not of the form Tool or Tool(specifier)" }
  }
  const specifier = unescape(raw.slice(open + 1, -1)).trim()
  if (specifier.length === 0 || specifier === "*") return { _tag: "Tool", raw, tool }
  if (SHELL_TOOLS.has(tool)) return commandRule(raw, tool, specifier)
  if (PATH_TOOLS.has(tool)) return pathRule(raw, tool, specifier)
  if (tool === "WebFetch") {
    return specifier.startsWith("domain:")
      ? { _tag: "Domain", raw, tool, domain: specifier.slice("domain:".length).trim() }
      : { _tag: "Opaque", raw, note: "WebFetch rules take domain:<host>" }
  }
  return { _tag: "Specifier", raw, tool, specifier }
}
