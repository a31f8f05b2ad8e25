import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

/** set to `<pid of the vitest process>:<sandbox>` by the first project that sets up the sandbox */
const MARKER = "OMCM_TEST_SANDBOX"

/**
 * Global setup of every project: make sure no test can reach the developer's real home directory. One sandbox per
 * vitest process, however many of its projects run.
 */
export default function setup() {
  if (process.env[MARKER]?.startsWith(`${process.pid}:`) === true) return
  const sandbox = fs.mkdtempSync(path.join(os.tmpdir(), "omcm-test-home-"))
  process.env[MARKER] = `${process.pid}:${sandbox}`
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
