import type { DecidedRule } from "./opencodeRules"

/**
 * Bash for a read-only sub-agent (Claude Code's plan mode, the built-in Explore and Plan): Claude Code runs the
 * commands it classifies as read-only and would ask about any other, which nobody can answer on a delegated run.
 * OpenCode has no such classifier, so the rules allow a fixed list of read-only commands and deny the rest.
 *
 * The list is Explore's own ("ls, git status, git log, git diff, find, cat, head, tail") plus a few more that change
 * nothing. OpenCode checks each command of a command line on its own, with its redirections, so `cat a > b` is
 * denied by the `*>*` rule, `ls | sh` by `sh`, and `ls $(rm x)` by `rm x`.
 */

const READ_ONLY_COMMANDS = [
  "ls",
  "pwd",
  "cat",
  "head",
  "tail",
  "wc",
  "file",
  "stat",
  "tree",
  "du",
  "which",
  "echo",
  "find",
  "grep",
  "rg",
  "git status",
  "git log",
  "git diff",
  "git show",
  "git blame",
  "git ls-files",
  "git rev-parse"
] as const

/** Arguments that make an otherwise read-only command write or run something. */
const WRITING_FORMS = [
  "*>*",
  "find *-delete*",
  "find *-exec*",
  "find *-ok*",
  "find *-fprint*",
  "find *-fls*",
  "git *--output*",
  "rg *--pre*"
] as const

/** The bash rules of a read-only run, in order (the last matching rule wins in OpenCode). */
export const readOnlyBashRules = (): ReadonlyArray<DecidedRule> => [
  { permission: "bash", pattern: "*", action: "deny" },
  ...READ_ONLY_COMMANDS.map((command): DecidedRule => ({ permission: "bash", pattern: `${command} *`, action: "allow" })),
  ...WRITING_FORMS.map((pattern): DecidedRule => ({ permission: "bash", pattern, action: "deny" }))
]
