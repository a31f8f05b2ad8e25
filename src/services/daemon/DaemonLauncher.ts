import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

export interface LaunchOptions {
  /** the project directory the daemon's servers start in */
  readonly cwd: string
  readonly idleExitMinutes: number
  readonly logDir: string
}

export interface DaemonLauncherShape {
  /** false in the daemon itself: a hook it answers never starts another */
  readonly enabled: boolean
  /** start `omcm pool start` as a detached process and return at once (it takes a second or two to come up) */
  readonly launch: (options: LaunchOptions) => Effect.Effect<{ readonly pid: number }, Error>
}

/** Starts the pool daemon in the background (the SessionStart hook starts a daemon when none runs). */
export class DaemonLauncher extends Context.Tag("omcm/DaemonLauncher")<DaemonLauncher, DaemonLauncherShape>() {
  /** `entry` is the omcm script to run (`dist/omcm.js`), with this Node and environment */
  static readonly layerFor = (entry: string, env: NodeJS.ProcessEnv = process.env) =>
    Layer.succeed(DaemonLauncher, {
      enabled: true,
      launch: (o) =>
        Effect.tryPromise({
          // loaded only here: the other hook calls do without it
          try: () =>
            import("./daemonSpawn").then((m) =>
              m.spawnDaemon({ entry, args: ["--idle-exit-minutes", String(o.idleExitMinutes)], cwd: o.cwd, logDir: o.logDir, env })
            ),
          catch: (e) => new Error(`cannot start the pool daemon: ${e instanceof Error ? e.message : String(e)}`)
        })
    })

  /** the daemon's own: it answers hooks relayed to it, and is the daemon they would start */
  static readonly none = Layer.succeed(DaemonLauncher, {
    enabled: false,
    launch: () => Effect.fail(new Error("the pool daemon does not launch itself"))
  })
}
