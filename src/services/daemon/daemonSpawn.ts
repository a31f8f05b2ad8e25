import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { openPrivateFile } from "../../lib/privateFiles"

/**
 * Start `node <entry> pool start <args>` detached from this process, its output appended to `<logDir>/daemon.log`.
 * Used by `omcm pool start --detach` and by the hooks' DaemonLauncher.
 */
export const spawnDaemon = (o: {
  readonly entry: string
  readonly args: ReadonlyArray<string>
  readonly cwd: string
  readonly logDir: string
  readonly env: NodeJS.ProcessEnv
}) => {
  const logFile = path.join(o.logDir, "daemon.log")
  const log = openPrivateFile(logFile, "a")
  try {
    const child = spawn(process.execPath, [o.entry, "pool", "start", ...o.args], { cwd: o.cwd, env: o.env, detached: true, stdio: ["ignore", log, log] })
    // a failed spawn (a cwd that is gone) is reported as an event: the caller must not die of it
    child.on("error", () => undefined)
    child.unref()
    return { pid: child.pid ?? -1, logFile }
  } finally {
    fs.closeSync(log)
  }
}
