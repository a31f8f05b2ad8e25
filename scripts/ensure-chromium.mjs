// Makes sure Debian's Chromium is at /usr/bin/chromium for the browser test of `omcm dashboard`
// (test/e2e/dashboard.test.ts drives it with playwright-core). `npm test` runs this first.
//
// Playwright's own browser download cannot be used (it fetches a browser build from outside the npm registry), so
// the test uses the distribution's package: when /usr/bin/chromium is missing and we are root on a Debian-like
// system, `apt-get update` and `apt-get install -y --no-install-recommends chromium`. Anything else fails with what to
// do: the test would fail anyway, and a missing browser must not look like a passing run.
import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"

const CHROMIUM = process.env.OMCM_CHROMIUM ?? "/usr/bin/chromium"

const fail = (why) => {
  process.stderr.write(`ensure-chromium: ${why}\n  install it by hand: apt-get update && apt-get install -y --no-install-recommends chromium\n`)
  process.exit(1)
}

const run = (command, args) => {
  process.stdout.write(`ensure-chromium: ${command} ${args.join(" ")}\n`)
  const result = spawnSync(command, args, { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } })
  if (result.error) fail(`${command}: ${result.error.message}`)
  if (result.status !== 0) fail(`${command} ${args.join(" ")} exited with ${result.status}`)
}

if (!existsSync(CHROMIUM)) {
  if (CHROMIUM !== "/usr/bin/chromium") fail(`OMCM_CHROMIUM=${CHROMIUM} does not exist`)
  if (!existsSync("/usr/bin/apt-get")) fail("/usr/bin/chromium is missing and there is no apt-get to install it with")
  if (typeof process.getuid === "function" && process.getuid() !== 0) fail("/usr/bin/chromium is missing and installing it needs root")
  run("apt-get", ["update"])
  run("apt-get", ["install", "-y", "--no-install-recommends", "chromium"])
  if (!existsSync(CHROMIUM)) fail("apt-get installed chromium but /usr/bin/chromium is still missing")
}
const version = spawnSync(CHROMIUM, ["--version"], { encoding: "utf8" })
if (version.status !== 0) fail(`${CHROMIUM} --version failed: ${(version.stderr || version.error?.message || "").trim()}`)
process.stdout.write(`ensure-chromium: ${version.stdout.trim()}\n`)
