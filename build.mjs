// Builds dist/omcm.js, the one file the `omcm` bin runs (hooks run it on every Claude Code tool call).
//
// Start-up cost is dominated by V8 compiling the bundle, and Node 20 has no compile cache for modules. So the
// bundle is CommonJS text embedded in a small ESM loader that compiles it with vm.Script and a V8 code cache
// (written next to the file, or under OMCM_HOME when dist/ is read-only). Modules reached only through dynamic
// import() are wrapped lazily by esbuild, so hooks never evaluate @effect/cli or the pool.
import * as esbuild from "esbuild"
import { createHash } from "node:crypto"
import { chmodSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { spawnSync } from "node:child_process"

const result = await esbuild.build({
  entryPoints: ["src/bin.ts"],
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  minify: true,
  legalComments: "none",
  external: ["better-sqlite3"],
  define: { "import.meta.url": "__omcmImportMetaUrl" },
  write: false,
  logLevel: "warning"
})
const source = result.outputFiles[0].text
const hash = createHash("sha256").update(source).digest("hex").slice(0, 16)

const loader = `#!/usr/bin/env node
import{createRequire}from"node:module";import vm from"node:vm";import fs from"node:fs";import path from"node:path";import os from"node:os";import{fileURLToPath}from"node:url";
const SOURCE=${JSON.stringify(source)};
const self=fileURLToPath(import.meta.url),dir=path.dirname(self),name="omcm-${hash}-"+process.version+"-"+process.arch+".v8cache";
const home=process.env.OMCM_HOME||path.join(process.env.HOME||os.homedir(),".omcm");
const caches=[path.join(dir,".cache",name),path.join(home,"cache",name)];
let cachedData;for(const c of caches){try{cachedData=fs.readFileSync(c);break}catch{}}
const script=new vm.Script("(function(exports,require,module,__filename,__dirname,__omcmImportMetaUrl){"+SOURCE+"\\n})",{filename:self,cachedData});
if(cachedData===undefined||script.cachedDataRejected)process.once("exit",()=>{let data;try{data=script.createCachedData()}catch{return}for(const c of caches){try{fs.mkdirSync(path.dirname(c),{recursive:true});const t=c+"."+process.pid+".tmp";fs.writeFileSync(t,data);fs.renameSync(t,c);return}catch{}}});
const m={exports:{}};script.runInThisContext()(m.exports,createRequire(import.meta.url),m,self,dir,import.meta.url);
`
mkdirSync("dist", { recursive: true })
rmSync("dist/.cache", { recursive: true, force: true })
// replace atomically: hooks may be running the old file right now
writeFileSync("dist/omcm.js.tmp", loader, { mode: 0o755 })
chmodSync("dist/omcm.js.tmp", 0o755)
renameSync("dist/omcm.js.tmp", "dist/omcm.js")
// Warm the code cache with the hook path, the one that runs on every Claude Code tool call: the cache holds the
// functions compiled by the run that writes it. The run gets a throwaway home so it touches no real state.
const scratch = mkdtempSync(path.join(os.tmpdir(), "omcm-build-"))
try {
  const input = JSON.stringify({
    session_id: "build",
    cwd: scratch,
    hook_event_name: "PreToolUse",
    tool_name: "Agent",
    tool_input: { description: "warm", prompt: "warm the cache", subagent_type: "architect" }
  })
  spawnSync(process.execPath, ["dist/omcm.js", "hook", "pre-tool-use"], {
    input,
    stdio: ["pipe", "ignore", "ignore"],
    env: { PATH: process.env.PATH, HOME: scratch, OMCM_HOME: path.join(scratch, "omcm"), OMCM_CONFIG_DIR: path.join(scratch, "config") }
  })
} finally {
  rmSync(scratch, { recursive: true, force: true })
}
