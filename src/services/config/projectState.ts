import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { ensurePrivateDir, writePrivateFile } from "../../lib/privateFiles"

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
      ensurePrivateDir(dir)
      const ignore = path.join(root, ".gitignore")
      if (!fs.existsSync(ignore)) writePrivateFile(ignore, "*\n")
      return dir
    },
    catch: (error) => error as NodeJS.ErrnoException
  })
