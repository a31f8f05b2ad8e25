import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

export const isExecutableFile = (file: string): boolean => {
  try {
    fs.accessSync(file, fs.constants.X_OK)
    return fs.statSync(file).isFile()
  } catch {
    return false
  }
}

/** `name` in one of the PATH directories */
export const onPath = (name: string, pathVar: string | undefined): string | undefined =>
  (pathVar ?? "").split(path.delimiter).filter((dir) => dir.length > 0).map((dir) => path.join(dir, name)).find(isExecutableFile)

/**
 * `node_modules/.bin/<name>` of the nearest package above this module (source or bundle): the project's own
 * install. `pick` may swap in another file of that node_modules (e.g. a platform binary for a stub wrapper).
 */
export const inOwnNodeModules = (name: string, pick?: (wrapper: string, nodeModules: string) => string): string | undefined => {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const wrapper = path.join(dir, "node_modules", ".bin", name)
    if (isExecutableFile(wrapper)) return pick === undefined ? wrapper : pick(wrapper, path.join(dir, "node_modules"))
    const parent = path.dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}
