import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as fs from "node:fs"
import * as path from "node:path"

/** The nearest directory at or above `dir` holding a `.git` entry (directory, or file of a worktree/submodule). */
export const findGitRoot = (dir: string): Effect.Effect<Option.Option<string>> =>
  Effect.sync(() => {
    let current = path.resolve(dir)
    for (;;) {
      if (fs.existsSync(path.join(current, ".git"))) return Option.some(current)
      const parent = path.dirname(current)
      if (parent === current) return Option.none()
      current = parent
    }
  })

/**
 * The directories whose `.claude/<kind>` Claude Code 2.1.330 reads as project settings (its `pie`): `cwd` and each
 * parent, up to and including the git root; without a git root up to the filesystem root. The home directory is
 * never one (its `.claude` is the user's). Nearest first.
 *
 * Verified with the real CLI: from `<repo>/sub`, agents of `<repo>/sub/.claude/agents` and
 * `<repo>/.claude/agents` are offered, those of the repository's parent only when there is no `.git`.
 */
export const projectDirsUpward = (cwd: string, gitRoot: Option.Option<string>, home: string): ReadonlyArray<string> => {
  const dirs: Array<string> = []
  const stop = Option.map(gitRoot, (root) => path.resolve(root))
  let current = path.resolve(cwd)
  for (;;) {
    if (current === path.resolve(home)) break
    dirs.push(current)
    if (Option.isSome(stop) && stop.value === current) break
    const parent = path.dirname(current)
    if (parent === current) break
    current = parent
  }
  return dirs
}

/**
 * The root OpenCode works relative to for a session directory: the git root, or `/` outside a repository (OpenCode
 * 1.18.33 reports `path.root: "/"` then). Its `read` and `edit` permission patterns are file paths relative to it.
 */
export const opencodeWorktree = (gitRoot: Option.Option<string>): string => Option.getOrElse(gitRoot, () => "/")
