// `omcm --help`: plain text when stdout is not a terminal or NO_COLOR is set, colours on a terminal (script(1) gives
// the CLI a pseudo-terminal); the built-in --wizard is not offered, --completions is.
import { spawnSync } from "node:child_process"
import { afterAll, describe, expect, it } from "vitest"
import { OMCM_BIN, runOmcm } from "../support/cli"
import { shellQuote } from "../../src/lib/shellQuote"
import { makeTempHome } from "../support/tempHome"

const ESC = "\u001b"

/** run the CLI on a pseudo-terminal; null when script(1) is missing */
const onTerminal = (args: string, env: NodeJS.ProcessEnv): string | null => {
  const r = spawnSync("script", ["-qc", `${shellQuote(process.execPath)} ${shellQuote(OMCM_BIN)} ${args}`, "/dev/null"], { env, encoding: "utf8", timeout: 60_000 })
  return r.error === undefined ? r.stdout : null
}

describe("omcm --help", () => {
  const h = makeTempHome("omcm-help-")
  afterAll(() => h.cleanup())

  it("piped: no escape sequences; no --wizard; --completions and the commands are listed", () => {
    for (const args of [["--help"], ["pool", "start", "--help"], ["doctor", "--help"]]) {
      const r = runOmcm(args, h.env)
      expect(r.status).toBe(0)
      expect(r.stdout).not.toContain(ESC)
      expect(r.stdout).not.toContain("--wizard")
      expect(r.stdout).toContain("--completions bash | zsh | fish | sh")
    }
    const root = runOmcm(["--help"], h.env).stdout
    expect(root).toContain("- doctor [--json]")
    expect(root).toContain("\nCOMMANDS\n")
  })

  it("on a terminal: colours, unless NO_COLOR is set", () => {
    const coloured = onTerminal("--help", h.env)
    if (coloured === null) return expect.soft(coloured, "script(1) is not installed").not.toBeNull()
    expect(coloured).toContain(ESC)
    expect(coloured).not.toContain("--wizard")
    const plain = onTerminal("--help", { ...h.env, NO_COLOR: "1" })!
    expect(plain).toContain("COMMANDS")
    expect(plain).not.toContain(ESC)
  })

  it("--completions still prints a script", () => {
    const r = runOmcm(["--completions", "bash"], h.env)
    expect(r.status).toBe(0)
    expect(r.stdout).toContain("_omcm_bash_completions")
  })
})
