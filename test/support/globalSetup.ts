import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

/** Build dist/omcm.js once, and make sure no test can reach the developer's real home directory. */
export default function setup() {
  execFileSync(process.execPath, ["build.mjs"], { stdio: "inherit" })
  const sandbox = fs.mkdtempSync(path.join(os.tmpdir(), "omcm-test-home-"))
  process.env.HOME = sandbox
  process.env.OMCM_HOME = path.join(sandbox, ".omcm")
  process.env.OMCM_CONFIG_DIR = path.join(sandbox, ".claude", "plugins", "omcm")
  process.env.CLAUDE_CONFIG_DIR = path.join(sandbox, ".claude")
  process.env.XDG_CONFIG_HOME = path.join(sandbox, ".config")
  process.env.XDG_DATA_HOME = path.join(sandbox, ".local", "share")
  process.env.XDG_CACHE_HOME = path.join(sandbox, ".cache")
  process.env.XDG_STATE_HOME = path.join(sandbox, ".local", "state")
  process.env.OMCM_NO_AUTOSTART = "1"
  delete process.env.OMCM_CLAUDE_USAGE
  return () => fs.rmSync(sandbox, { recursive: true, force: true })
}
