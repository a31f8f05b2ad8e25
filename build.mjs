// Builds dist/omcm.js, the file the `omcm` bin runs (hooks run it on every Claude Code tool call), and its two
// payloads next to it.
//
// Start-up cost is what matters: Node 20 has no compile cache for modules, and parsing a large bundle on every hook
// call would dominate. So dist/omcm.js is a small CommonJS loader (dist/package.json makes it CommonJS: Node's ESM
// loader alone costs more start-up time), and the code is in two payloads: a lean one with only the hook and
// statusline programs (dist/omcm-lean-<hash>.js), and the full CLI (dist/omcm-full-<hash>.js). The loader picks one
// by the command and compiles it with vm.Script and a V8 code cache (next to the file, or under OMCM_HOME when dist/
// is read-only: there 0700/0600, like everything under OMCM_HOME). A hook first goes through the relay (src/relay,
// plain Node, inlined in the loader): when the pool daemon runs, it answers the hook and no payload is read at all, so
// the loader must stay small.
import * as esbuild from "esbuild"
import { spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

const bundle = async (entry) => {
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    minify: process.env.OMCM_NO_MINIFY !== "1",
    legalComments: "none",
    charset: "ascii",
    external: ["better-sqlite3"],
    define: { "import.meta.url": "__omcmImportMetaUrl" },
    write: false,
    logLevel: "warning"
  })
  return result.outputFiles[0].text
}

const relay = (await esbuild.build({
  entryPoints: ["src/relay/entry.ts"],
  bundle: true,
  platform: "node",
  format: "iife",
  globalName: "__omcmRelay",
  target: "node20",
  minify: true,
  legalComments: "none",
  charset: "ascii",
  write: false,
  logLevel: "warning"
})).outputFiles[0].text.trim()
const lean = await bundle("src/lean.ts")
const full = await bundle("src/bin.ts")
const hash = (text) => createHash("sha256").update(text).digest("hex").slice(0, 16)
const payloads = { lean: `omcm-lean-${hash(lean)}.js`, full: `omcm-full-${hash(full)}.js` }

const loader = `#!/usr/bin/env node
"use strict";
const fs=require("node:fs"),path=require("node:path"),os=require("node:os");
const a=process.argv[2],file=a==="hook"||(a==="statusline"&&process.argv.length===3)?"${payloads.lean}":"${payloads.full}";
const run=(stdin)=>{
const vm=require("node:vm"),{pathToFileURL}=require("node:url");
if(stdin!==undefined)globalThis.__omcmStdin=stdin;
const SOURCE=fs.readFileSync(path.join(__dirname,file),"utf8");
const name=file.slice(0,-3)+"-"+process.version+"-"+process.arch+".v8cache";
const home=process.env.OMCM_HOME||path.join(process.env.HOME||os.homedir(),".omcm");
const caches=[path.join(__dirname,".cache",name),path.join(home,"cache",name)];
let cachedData;for(const c of caches){try{cachedData=fs.readFileSync(c);break}catch{}}
const script=new vm.Script("(function(exports,require,module,__filename,__dirname,__omcmImportMetaUrl){"+SOURCE+"\\n})",{filename:path.join(__dirname,file),cachedData});
if(cachedData===undefined||script.cachedDataRejected)process.once("exit",()=>{let data;try{data=script.createCachedData()}catch{return}for(const c of caches){const own=c!==caches[0];try{fs.mkdirSync(path.dirname(c),{recursive:true,mode:own?0o700:0o777});const t=c+"."+process.pid+".tmp";fs.writeFileSync(t,data,{mode:own?0o600:0o666});fs.renameSync(t,c);return}catch{}}});
const m={exports:{}};script.runInThisContext()(m.exports,require,m,__filename,__dirname,pathToFileURL(__filename).href);
};
if(file==="${payloads.lean}"){${relay}
if(a==="hook")__omcmRelay.relayHook(process.argv[3]??"",run);else __omcmRelay.relayStatusline(run)}else run();
`
mkdirSync("dist", { recursive: true })
rmSync("dist/.cache", { recursive: true, force: true })
// replace atomically: hooks may be running the old files right now
writeFileSync("dist/package.json", `${JSON.stringify({ type: "commonjs" })}\n`)
for (const [kind, name] of Object.entries(payloads)) {
  writeFileSync(`dist/${name}.tmp`, kind === "lean" ? lean : full)
  renameSync(`dist/${name}.tmp`, `dist/${name}`)
}
writeFileSync("dist/omcm.js.tmp", loader, { mode: 0o755 })
chmodSync("dist/omcm.js.tmp", 0o755)
renameSync("dist/omcm.js.tmp", "dist/omcm.js")
for (const name of readdirSync("dist")) {
  if (/^omcm-(lean|full)-[0-9a-f]+\.js$/.test(name) && !Object.values(payloads).includes(name)) rmSync(`dist/${name}`, { force: true })
}

// Warm both code caches: the one of the hook path (every Claude Code tool call) and the CLI's. A cache holds the
// functions compiled by the run that writes it. The runs get a throwaway home so they touch no real state.
const scratch = mkdtempSync(path.join(os.tmpdir(), "omcm-build-"))
try {
  const env = { PATH: process.env.PATH, HOME: scratch, OMCM_HOME: path.join(scratch, "omcm"), OMCM_CONFIG_DIR: path.join(scratch, "config") }
  const input = JSON.stringify({
    session_id: "build",
    cwd: scratch,
    hook_event_name: "PreToolUse",
    tool_name: "Agent",
    tool_input: { description: "warm", prompt: "warm the cache", subagent_type: "architect" }
  })
  spawnSync(process.execPath, ["dist/omcm.js", "hook", "pre-tool-use"], { input, stdio: ["pipe", "ignore", "ignore"], env })
  spawnSync(process.execPath, ["dist/omcm.js", "route", "architect"], { stdio: "ignore", env })
} finally {
  rmSync(scratch, { recursive: true, force: true })
}
