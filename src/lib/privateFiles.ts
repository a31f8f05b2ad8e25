import * as fs from "node:fs"
import * as path from "node:path"

/**
 * Files only their owner may read: directories 0700, files 0600, whatever the umask (a umask only ever removes
 * permission bits, so these modes survive any usual one). The modes apply to what is created here; an existing file
 * or directory keeps its own.
 */
export const PRIVATE_DIR_MODE = 0o700
export const PRIVATE_FILE_MODE = 0o600

/** `dir` and every missing parent, each 0700 */
export const ensurePrivateDir = (dir: string): void => {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE })
}

/** append to `file` (created 0600, its directory 0700) */
export const appendPrivateFile = (file: string, text: string): void => {
  ensurePrivateDir(path.dirname(file))
  fs.appendFileSync(file, text, { mode: PRIVATE_FILE_MODE })
}

/** write `file` in place (created 0600, its directory 0700); `writeFileAtomic` when readers must never see half of it */
export const writePrivateFile = (file: string, text: string): void => {
  ensurePrivateDir(path.dirname(file))
  fs.writeFileSync(file, text, { mode: PRIVATE_FILE_MODE })
}

/** open `file` with `flags` (created 0600, its directory 0700); the caller closes the descriptor */
export const openPrivateFile = (file: string, flags: fs.OpenMode): number => {
  ensurePrivateDir(path.dirname(file))
  return fs.openSync(file, flags, PRIVATE_FILE_MODE)
}

/** the permission bits of `dir` and everything under it (symlinks left out), up to `limit` entries; null: no `dir` */
export const permissionsUnder = (
  dir: string,
  limit = 5000
): ReadonlyArray<{ readonly path: string; readonly dir: boolean; readonly mode: number }> | null => {
  if (!fs.existsSync(dir)) return null
  const out: Array<{ path: string; dir: boolean; mode: number }> = []
  const visit = (p: string) => {
    if (out.length >= limit) return
    const st = fs.lstatSync(p, { throwIfNoEntry: false })
    if (st === undefined || st.isSymbolicLink()) return
    out.push({ path: p, dir: st.isDirectory(), mode: st.mode & 0o7777 })
    if (st.isDirectory()) for (const name of fs.readdirSync(p)) visit(path.join(p, name))
  }
  visit(dir)
  return out
}
