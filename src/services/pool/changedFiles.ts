import * as path from "node:path"
import type { ExecutionResult } from "../../domain/execution"
import type { Part } from "./opencodeApi"

export type ChangedFile = NonNullable<ExecutionResult["changedFiles"]>[number]

const EDITING_TOOLS = new Set(["write", "edit", "multiedit"])

/** `*** Add File: x`, `*** Update File: x`, `*** Delete File: x`, `*** Move to: x` of an apply_patch input */
const PATCH_HEADER = /^\*\*\* (Add|Update|Delete) File: (.+)$|^\*\*\* Move to: (.+)$/gm

const relative = (directory: string, file: string) => {
  const rel = path.isAbsolute(file) ? path.relative(directory, file) : path.normalize(file)
  return rel === "" ? "." : rel
}

/** The files a turn's completed tool calls wrote, edited, added or deleted. */
export const filesOfToolParts = (directory: string, parts: ReadonlyArray<Part>): Array<ChangedFile> => {
  const found: Array<ChangedFile> = []
  for (const part of parts) {
    if (part.type !== "tool" || !("tool" in part) || part.state.status !== "completed") continue
    const input = part.state.input ?? {}
    if (EDITING_TOOLS.has(part.tool) && typeof input.filePath === "string") {
      found.push({ path: relative(directory, input.filePath), status: part.tool === "write" ? "changed" : "modified" })
    } else if (part.tool === "apply_patch") {
      const patch = typeof input.patchText === "string" ? input.patchText : typeof input.patch === "string" ? input.patch : ""
      for (const m of patch.matchAll(PATCH_HEADER)) {
        const file = m[2] ?? m[3]
        if (file === undefined) continue
        const status = m[1] === "Add" ? "added" : m[1] === "Delete" ? "deleted" : "modified"
        found.push({ path: relative(directory, file.trim()), status })
      }
    }
  }
  return found
}

/** OpenCode's own diff (snapshots on) first, then what the tool calls say; one entry per path. */
export const mergeChangedFiles = (...lists: ReadonlyArray<ReadonlyArray<ChangedFile>>): Array<ChangedFile> => {
  const byPath = new Map<string, ChangedFile>()
  for (const list of lists) for (const file of list) if (!byPath.has(file.path)) byPath.set(file.path, file)
  return [...byPath.values()].sort((a, b) => a.path.localeCompare(b.path))
}
