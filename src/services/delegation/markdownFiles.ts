import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import * as path from "node:path"
import type { SkippedFile } from "./agentDefinition"

/** A `.md` file found under a directory, with the sub-directories between them. */
export interface MarkdownFile {
  readonly file: string
  readonly namespace: ReadonlyArray<string>
}

export interface MarkdownScan {
  readonly files: ReadonlyArray<MarkdownFile>
  readonly skipped: ReadonlyArray<SkippedFile>
}

const MAX_DEPTH = 32

/**
 * Every `*.md` under `dir`, recursively, following symlinks (a directory reached twice is read once), sorted by
 * path. A missing directory is no files; an unreadable entry is skipped with its reason.
 */
export const scanMarkdownFiles = (dir: string): Effect.Effect<MarkdownScan> =>
  Effect.sync(() => {
    const files: Array<MarkdownFile> = []
    const skipped: Array<SkippedFile> = []
    const seen = new Set<string>()
    const visit = (current: string, namespace: ReadonlyArray<string>) => {
      if (namespace.length > MAX_DEPTH) return
      let real: string
      let entries: Array<fs.Dirent>
      try {
        real = fs.realpathSync(current)
        entries = fs.readdirSync(current, { withFileTypes: true })
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code
        if (namespace.length > 0 || (code !== "ENOENT" && code !== "ENOTDIR")) {
          skipped.push({ file: current, reason: `cannot read the directory (${code ?? String(error)})` })
        }
        return
      }
      if (seen.has(real)) return
      seen.add(real)
      for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
        const full = path.join(current, entry.name)
        let stat: fs.Stats
        try {
          stat = entry.isSymbolicLink() ? fs.statSync(full) : fs.lstatSync(full)
        } catch (error) {
          skipped.push({ file: full, reason: `cannot follow it (${(error as NodeJS.ErrnoException).code ?? String(error)})` })
          continue
        }
        if (stat.isDirectory()) visit(full, [...namespace, entry.name])
        else if (stat.isFile() && entry.name.endsWith(".md")) files.push({ file: full, namespace })
      }
    }
    visit(dir, [])
    return { files, skipped }
  })

/** A file's text, or the reason it cannot be read. */
export const readText = (file: string): Effect.Effect<string, string> =>
  Effect.try({
    try: () => fs.readFileSync(file, "utf8"),
    catch: (error) => `cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`
  })
