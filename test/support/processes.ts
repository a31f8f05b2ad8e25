import * as fs from "node:fs"
import * as path from "node:path"

/** pids of live processes whose working directory is `dir` or below it (Linux /proc): what a test left running there */
export const processesUnder = (dir: string): ReadonlyArray<number> => {
  const root = path.resolve(dir)
  return fs.readdirSync("/proc").filter((name) => /^\d+$/.test(name)).flatMap((name) => {
    try {
      const cwd = fs.readlinkSync(`/proc/${name}/cwd`)
      const state = fs.readFileSync(`/proc/${name}/stat`, "utf8").split(") ")[1]?.[0]
      // a zombie is already dead, it only waits for its parent to reap it
      return (cwd === root || cwd.startsWith(`${root}/`)) && state !== "Z" ? [Number(name)] : []
    } catch {
      return []
    }
  })
}
