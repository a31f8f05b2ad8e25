import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import * as path from "node:path"

/** omcm's folder inside a project: handoffs and long delegated results, never meant to be committed */
export const projectStateDir = (projectDir: string) => path.join(projectDir, ".omcm")

/**
 * `<project>/.omcm/<sub>`, created with a `.gitignore` of `*` in `.omcm/` (so nothing in it is committed by accident,
 * not even the `.gitignore` itself). Returns the sub-folder's path.
 */
export const ensureProjectStateDir = (projectDir: string, sub: string) =>
  Effect.try({
    try: () => {
      const root = projectStateDir(projectDir)
      const dir = path.join(root, sub)
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
      const ignore = path.join(root, ".gitignore")
      if (!fs.existsSync(ignore)) fs.writeFileSync(ignore, "*\n", { mode: 0o600 })
      return dir
    },
    catch: (error) => error as NodeJS.ErrnoException
  })
