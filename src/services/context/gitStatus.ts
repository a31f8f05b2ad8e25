/**
 * `git status --porcelain=v1 -z`: entries are `XY <path>` ended by NUL, renames and copies `XY <new>\0<old>\0`.
 * No quoting with -z, so paths with spaces, quotes or non-ASCII characters come through as they are.
 */
import * as path from "node:path"
import * as Schema from "effect/Schema"

export const FileChangeStatus = Schema.Literal(
  "modified",
  "added",
  "deleted",
  "renamed",
  "copied",
  "type-changed",
  "untracked",
  "conflicted"
)
export type FileChangeStatus = typeof FileChangeStatus.Type

export const FileChange = Schema.Struct({
  path: Schema.String,
  status: FileChangeStatus,
  /** the old path of a rename or copy */
  from: Schema.NullOr(Schema.String)
})
export type FileChange = typeof FileChange.Type

const statusOf = (x: string, y: string): FileChangeStatus | undefined => {
  const xy = `${x}${y}`
  if (xy === "??") return "untracked"
  if (xy === "!!") return undefined
  if (x === "U" || y === "U" || xy === "AA" || xy === "DD") return "conflicted"
  if (x === "R" || y === "R") return "renamed"
  if (x === "C" || y === "C") return "copied"
  if (x === "D" || y === "D") return "deleted"
  if (x === "A") return "added"
  if (x === "T" || y === "T") return "type-changed"
  return "modified"
}

/**
 * The entries of `git status --porcelain=v1 -z` output. Paths there are relative to the repository root;
 * `prefix` (from `git rev-parse --show-prefix`) makes them relative to the directory git ran in.
 */
export const parsePorcelainZ = (output: string, prefix = ""): ReadonlyArray<FileChange> => {
  const fields = output.split("\0")
  const relative = (p: string) => (prefix.length === 0 ? p : path.posix.relative(prefix, p))
  const changes: Array<FileChange> = []
  for (let i = 0; i < fields.length; i++) {
    const entry = fields[i]!
    // `XY` + space + at least one character of path
    if (entry.length < 4 || entry[2] !== " ") continue
    const status = statusOf(entry[0]!, entry[1]!)
    const hasSource = "RC".includes(entry[0]!) || "RC".includes(entry[1]!)
    const from = hasSource ? fields[++i] ?? null : null
    if (status === undefined) continue
    changes.push({ path: relative(entry.slice(3)), status, from: from === null ? null : relative(from) })
  }
  return changes
}
