import * as Context from "effect/Context"
import * as Layer from "effect/Layer"
import * as os from "node:os"
import * as path from "node:path"

/** Every file location omcm uses. `OMCM_CONFIG_DIR` and `OMCM_HOME` move the two roots (tests always do). */
export interface PathsShape {
  /** the user's home directory (HOME) */
  readonly home: string
  readonly configDir: string
  readonly configFile: string
  readonly mappingFile: string
  readonly stateDir: string
  readonly dbFile: string
  readonly usageCacheFile: string
  readonly oauthCacheFile: string
  readonly daemonFile: string
  readonly poolStateDir: string
  readonly logDir: string
  /** where hooks leave calls for the daemon to answer (src/relay) */
  readonly relayDir: string
  /** present after `omcm pool stop`: hooks start no daemon until `omcm pool start` */
  readonly autostartPausedFile: string
  /** the pid of the daemon a hook launched, until it is up (a launch that never came up holds off the next) */
  readonly daemonLaunchFile: string
  /** OpenCode's model catalog as last read from a server, for every process (routing reads it; no hook starts a server) */
  readonly modelsFile: string
  readonly claudeConfigDir: string
}

export class Paths extends Context.Tag("omcm/Paths")<Paths, PathsShape>() {
  static readonly fromEnv = (env: NodeJS.ProcessEnv): PathsShape => {
    const home = env.HOME && env.HOME.length > 0 ? env.HOME : os.homedir()
    const configDir = nonEmpty(env.OMCM_CONFIG_DIR) ?? path.join(home, ".claude", "plugins", "omcm")
    const stateDir = nonEmpty(env.OMCM_HOME) ?? path.join(home, ".omcm")
    return {
      home,
      configDir,
      configFile: path.join(configDir, "config.json"),
      mappingFile: path.join(configDir, "agent-mapping.json"),
      stateDir,
      dbFile: path.join(stateDir, "omcm.db"),
      usageCacheFile: path.join(stateDir, "usage-cache.json"),
      oauthCacheFile: path.join(stateDir, "oauth-usage-cache.json"),
      daemonFile: path.join(stateDir, "daemon.json"),
      poolStateDir: path.join(stateDir, "pools"),
      logDir: path.join(stateDir, "logs"),
      relayDir: path.join(stateDir, "relay"),
      autostartPausedFile: path.join(stateDir, "autostart-paused"),
      daemonLaunchFile: path.join(stateDir, "daemon-launch"),
      modelsFile: path.join(stateDir, "opencode-models.json"),
      claudeConfigDir: nonEmpty(env.CLAUDE_CONFIG_DIR) ?? path.join(home, ".claude")
    }
  }

  static readonly layer = Layer.sync(Paths, () => Paths.fromEnv(process.env))

  /** the paths of another environment (a hook relayed to the daemon carries its caller's) */
  static readonly layerFrom = (env: NodeJS.ProcessEnv) => Layer.succeed(Paths, Paths.fromEnv(env))
}

const nonEmpty = (value: string | undefined): string | undefined =>
  value !== undefined && value.length > 0 ? value : undefined
