// The payloads of dist/omcm.js and the esbuild options they are built with: build.mjs writes them, and
// test/unit/hookBundle.test.ts bundles the hook payload with the same options to check what it holds.
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.dirname(fileURLToPath(import.meta.url))

/** payload name -> entry: the loader picks hook, statusline or full by the command; a hook loads delegate and handoff itself */
export const PAYLOADS = {
  /** `omcm hook <event>` when no daemon answers it: every Claude Code tool call */
  hook: "src/payloads/hook.ts",
  /** `omcm statusline` when no daemon answers it: every statusline redraw */
  statusline: "src/payloads/statusline.ts",
  /** what a PreToolUse hook loads to delegate a sub-agent to OpenCode: the pool, the daemon client, an HTTP client */
  delegate: "src/payloads/delegate.ts",
  /** what a Stop hook loads to write ulw's automatic handoff: the context builder (transcript, git), a command executor */
  handoff: "src/payloads/handoff.ts",
  /** every other command: the @effect/cli command tree */
  full: "src/bin.ts"
}

/** esbuild options of one payload (in memory, with its metafile); paths in the metafile are relative to the repository */
export const payloadOptions = (name) => ({
  absWorkingDir: root,
  entryPoints: [PAYLOADS[name]],
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  minify: process.env.OMCM_NO_MINIFY !== "1",
  legalComments: "none",
  charset: "ascii",
  external: ["better-sqlite3"],
  define: { "import.meta.url": "__omcmImportMetaUrl" },
  metafile: true,
  write: false,
  logLevel: "warning"
})
