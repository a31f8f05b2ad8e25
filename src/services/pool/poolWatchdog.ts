import { spawn } from "node:child_process"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { killGroup } from "../../lib/processes"

/**
 * The watchdog's whole program, run by `node -e` (plain JavaScript: it must start from any omcm process, built or
 * not, and imports nothing of ours). Arguments: owner pid, owner start ticks ("" if unknown), marker name, pool id,
 * note file, interval in ms. Once the owner is gone (or its pid belongs to another process) it SIGKILLs the process
 * group of every process carrying `marker=poolId`, writes the note (what it killed) and exits.
 */
const WATCHDOG_PROGRAM = `
const fs = require("node:fs")
const [ownerPid, ownerTicks, marker, poolId, noteFile, intervalMs] = process.argv.slice(1)
const read = (file) => { try { return fs.readFileSync(file, "utf8") } catch { return null } }
const ticks = (pid) => { const s = read("/proc/" + pid + "/stat"); return s === null ? null : s.slice(s.lastIndexOf(")") + 2).split(" ")[19] }
const alive = (pid) => { try { process.kill(pid, 0); return true } catch (e) { return e.code === "EPERM" } }
const ownerAlive = () => alive(Number(ownerPid)) && (ownerTicks === "" || ticks(ownerPid) === null || ticks(ownerPid) === ownerTicks)
const tag = marker + "=" + poolId
const marked = () => fs.readdirSync("/proc").filter((e) => /^\\d+$/.test(e) && Number(e) !== process.pid)
  .filter((pid) => (read("/proc/" + pid + "/environ") || "").split("\\0").includes(tag)).map(Number)
const kill = (pid) => { for (const t of [-pid, pid]) { try { process.kill(t, "SIGKILL") } catch {} } }
setInterval(() => {
  if (ownerAlive()) return
  const killed = marked()
  killed.forEach(kill)
  if (killed.length > 0) {
    const note = JSON.stringify({ poolId, ownerPid: Number(ownerPid), killed, at: Date.now(), by: "watchdog" })
    try { fs.writeFileSync(noteFile + ".tmp", note, { mode: 0o600 }); fs.renameSync(noteFile + ".tmp", noteFile) } catch {}
  }
  process.exit(0)
}, Number(intervalMs))
`

export interface WatchdogOptions {
  readonly ownerPid: number
  readonly ownerStartTicks: string | null
  readonly marker: string
  readonly poolId: string
  /** where the watchdog says what it killed */
  readonly noteFile: string
  readonly intervalMs: number
}

/**
 * A detached process (its own session: a kill of the owner's process group spares it) that stops the pool's servers
 * once the pool's owner died without closing the pool (SIGKILL, OOM killer). Closing the scope stops the watchdog.
 */
export const startPoolWatchdog = (options: WatchdogOptions): Effect.Effect<void, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const child = spawn(process.execPath, [
        "-e",
        WATCHDOG_PROGRAM,
        String(options.ownerPid),
        options.ownerStartTicks ?? "",
        options.marker,
        options.poolId,
        options.noteFile,
        String(options.intervalMs)
      ], { detached: true, stdio: "ignore", env: { PATH: process.env["PATH"] ?? "" } })
      // without a watchdog the pool still works: the next omcm process that finds the dead owner cleans up
      child.on("error", () => undefined)
      child.unref()
      return child.pid
    }),
    (pid) => Effect.sync(() => pid !== undefined && killGroup(pid))
  ).pipe(Effect.asVoid)
