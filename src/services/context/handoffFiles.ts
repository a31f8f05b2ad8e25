import * as path from "node:path"
import { projectStateDir } from "../config"

// A file of its own: hooks name these files (SessionStart takes the pulled handoff) without the context builder.

export const HANDOFF_DIR = "handoff"

export type HandoffName = "context" | "from-opencode"

/**
 * `<project>/.omcm/handoff/context.md` and `context.json`; `from-opencode.md` and `.json` for a context pulled back
 * from OpenCode (the next SessionStart hands it to Claude Code once)
 */
export const handoffFiles = (projectPath: string, name: HandoffName = "context") => {
  const dir = path.join(projectStateDir(projectPath), HANDOFF_DIR)
  return { dir, markdown: path.join(dir, `${name}.md`), json: path.join(dir, `${name}.json`) }
}
