import * as fs from "node:fs"

/** Process start time in clock ticks since boot (Linux), to tell a live process from a reused PID. */
export const processStartTicks = (pid: number): string | null => {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8")
    // the command name (field 2) may contain spaces and parentheses: fields restart after the last ")"
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    return fields[19] ?? null
  } catch {
    return null
  }
}

export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/** The same process that was recorded: alive, and (where /proc tells) started at the same tick. */
export const isSameProcess = (pid: number, startTicks: string | null): boolean =>
  isAlive(pid) && (startTicks === null || processStartTicks(pid) === null || processStartTicks(pid) === startTicks)

/** Whether a process's environment carries `name=value` (Linux /proc; false when unreadable). */
export const hasEnvMarker = (pid: number, name: string, value: string): boolean => {
  try {
    return fs.readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").includes(`${name}=${value}`)
  } catch {
    return false
  }
}

/** SIGKILL a process group (and the process itself, if it left the group); missing processes are fine. */
export const killGroup = (pid: number, signal: NodeJS.Signals = "SIGKILL") => {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, signal)
    } catch {
      // already gone
    }
  }
}

/** Every live PID whose environment carries the marker (used to find what a dead owner left behind). */
export const pidsWithEnvMarker = (name: string, value: string): ReadonlyArray<number> => {
  let entries: Array<string>
  try {
    entries = fs.readdirSync("/proc")
  } catch {
    return []
  }
  return entries.filter((e) => /^\d+$/.test(e)).map(Number).filter((pid) => pid !== process.pid && hasEnvMarker(pid, name, value))
}
