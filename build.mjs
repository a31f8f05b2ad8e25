// Bundles the CLI into one ESM file, dist/omcm.js. Modules reached only through dynamic import() are wrapped
// lazily by esbuild, so the hook and statusline paths do not evaluate @effect/cli or the pool.
import * as esbuild from "esbuild"
import { chmodSync } from "node:fs"

await esbuild.build({
  entryPoints: ["src/bin.ts"],
  outfile: "dist/omcm.js",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  minify: true,
  legalComments: "none",
  external: ["better-sqlite3"],
  banner: {
    js: "#!/usr/bin/env node\nimport{createRequire as __omcmRequire}from'node:module';const require=__omcmRequire(import.meta.url);"
  },
  logLevel: "warning"
})
chmodSync("dist/omcm.js", 0o755)
