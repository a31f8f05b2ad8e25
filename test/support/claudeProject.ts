import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Paths } from "../../src/services/config/Paths"

/**
 * A temporary world for reading Claude Code's files: a HOME with its CLAUDE_CONFIG_DIR, a git project outside
 * HOME, and a stand-in for `/etc/claude-code`. Nothing points at the real HOME or /etc.
 */
export interface ClaudeProject {
  readonly root: string
  readonly home: string
  /** `Paths.fromEnv` of this HOME and CLAUDE_CONFIG_DIR */
  readonly claudeConfigDir: string
  /** stands for /etc/claude-code */
  readonly managedDir: string
  /** a git repository (it has a `.git` directory) */
  readonly project: string
  /** write a file (parents created); relative paths are taken from `root` */
  readonly write: (file: string, content: string | object) => string
  readonly cleanup: () => void
}

export const makeClaudeProject = (): ClaudeProject => {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "omcm-deleg-")))
  const home = path.join(root, "home")
  const env = { HOME: home, CLAUDE_CONFIG_DIR: path.join(home, ".claude") }
  const claudeConfigDir = Paths.fromEnv(env).claudeConfigDir
  const project = path.join(root, "work", "proj")
  fs.mkdirSync(path.join(project, ".git"), { recursive: true })
  fs.mkdirSync(claudeConfigDir, { recursive: true })
  const write = (file: string, content: string | object) => {
    const full = path.isAbsolute(file) ? file : path.join(root, file)
    fs.mkdirSync(path.dirname(full), { recursive: true })
    fs.writeFileSync(full, typeof content === "string" ? content : JSON.stringify(content, null, 2))
    return full
  }
  return {
    root,
    home,
    claudeConfigDir,
    managedDir: path.join(root, "etc", "claude-code"),
    project,
    write,
    cleanup: () => fs.rmSync(root, { recursive: true, force: true })
  }
}

/** An agent Markdown file. */
export const agentMarkdown = (fields: Record<string, string>, body: string): string =>
  `---\n${Object.entries(fields).map(([k, v]) => `${k}: ${v}`).join("\n")}\n---\n${body}\n`
