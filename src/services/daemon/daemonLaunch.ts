import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import { writePrivateFile } from "../../lib/privateFiles"
import { isAlive } from "../../lib/processes"

/** past the longest start-up, a live pid in the launch file is more likely reused than still starting */
const STARTING_AT_MOST_MS = 5 * 60_000

/**
 * What the launch file (`~/.omcm/daemon-launch`: the pid of a daemon being started, deleted by the daemon once it
 * is up) says: a daemon is `starting`, one `failed` to come up `ageMs` ago, or there is `none`.
 */
export type LaunchState =
  | { readonly _tag: "none" }
  | { readonly _tag: "starting"; readonly pid: number }
  | { readonly _tag: "failed"; readonly ageMs: number }

export const readLaunchState = (file: string): Effect.Effect<LaunchState> =>
  Effect.flatMap(Clock.currentTimeMillis, (now) =>
    Effect.sync((): LaunchState => {
      try {
        const pid = Number(fs.readFileSync(file, "utf8").trim())
        const ageMs = now - fs.statSync(file).mtimeMs
        if (Number.isInteger(pid) && pid > 0 && isAlive(pid) && ageMs < STARTING_AT_MOST_MS) return { _tag: "starting", pid }
        return { _tag: "failed", ageMs }
      } catch {
        return { _tag: "none" }
      }
    }))

/** say that the daemon with `pid` is starting (hooks wait for it rather than start servers of their own) */
export const recordLaunch = (file: string, pid: number) =>
  Effect.sync(() => writePrivateFile(file, `${pid}\n`))

/** the daemon is up (or gave up): nobody need wait any longer */
export const clearLaunch = (file: string) => Effect.sync(() => fs.rmSync(file, { force: true }))
