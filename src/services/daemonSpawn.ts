import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"

/** Start `node <entry> pool start --idle-exit-minutes N` detached, its output appended to `<logDir>/daemon.log`. */
export const spawnDaemon = (entry: string, o: { cwd: string; idleExitMinutes: number; logDir: string }, env: NodeJS.ProcessEnv) => {
  fs.mkdirSync(o.logDir, { recursive: true })
  const log = fs.openSync(path.join(o.logDir, "daemon.log"), "a")
  try {
    const child = spawn(process.execPath, [entry, "pool", "start", "--idle-exit-minutes", String(o.idleExitMinutes)], {
      cwd: o.cwd,
      env,
      detached: true,
      stdio: ["ignore", log, log]
    })
    // a failed spawn (a cwd that is gone) is reported as an event: the hook must not die of it
    child.on("error", () => undefined)
    child.unref()
    return { pid: child.pid ?? -1 }
  } finally {
    fs.closeSync(log)
  }
}
