import { execFileSync } from "node:child_process"

/** set to the pid of the vitest process once it has built dist/ */
const MARKER = "OMCM_TEST_DIST_BUILT"

/**
 * Global setup of the projects that run the bundled CLI (integration, e2e): build dist/omcm.js, once per vitest
 * process however many of its projects need it.
 */
export default function setup() {
  if (process.env[MARKER] === String(process.pid)) return
  execFileSync(process.execPath, ["build.mjs"], { stdio: "inherit" })
  process.env[MARKER] = String(process.pid)
}
