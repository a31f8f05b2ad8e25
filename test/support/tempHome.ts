import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Paths, type PathsShape } from "../../src/services/config/Paths"

export interface TempHome {
  readonly root: string
  readonly env: NodeJS.ProcessEnv
  readonly paths: PathsShape
  /** write config.json (or agent-mapping.json) into the temporary config dir */
  readonly writeConfig: (content: unknown, file?: "config.json" | "agent-mapping.json") => void
  readonly cleanup: () => void
}

/**
 * A fresh HOME with its own omcm config and state roots. `env` is a complete environment for child processes:
 * nothing in it points at the developer's real home directory.
 */
export const makeTempHome = (prefix = "omcm-"): TempHome => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  const home = path.join(root, "home")
  fs.mkdirSync(home, { recursive: true })
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    TMPDIR: path.join(root, "tmp"),
    OMCM_HOME: path.join(home, ".omcm"),
    OMCM_CONFIG_DIR: path.join(home, ".claude", "plugins", "omcm"),
    CLAUDE_CONFIG_DIR: path.join(home, ".claude"),
    XDG_CONFIG_HOME: path.join(home, ".config"),
    XDG_DATA_HOME: path.join(home, ".local", "share"),
    XDG_CACHE_HOME: path.join(home, ".cache"),
    XDG_STATE_HOME: path.join(home, ".local", "state"),
    // a SessionStart hook would start a pool daemon that outlives the test; the tests that want one say so
    OMCM_NO_AUTOSTART: "1"
  }
  fs.mkdirSync(env.TMPDIR!, { recursive: true })
  const paths = Paths.fromEnv(env)
  return {
    root,
    env,
    paths,
    writeConfig: (content, file = "config.json") => {
      fs.mkdirSync(paths.configDir, { recursive: true })
      fs.writeFileSync(path.join(paths.configDir, file), typeof content === "string" ? content : JSON.stringify(content, null, 2))
    },
    cleanup: () => fs.rmSync(root, { recursive: true, force: true })
  }
}
