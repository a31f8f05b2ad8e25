// Builds dist/omcm.js, the file the `omcm` bin runs (hooks run it on every Claude Code tool call), and its
// payloads next to it; then the library build of `import "omcm"` (dist/lib, dist/types).
//
// Start-up cost is what matters: Node 20 has no compile cache for modules, and parsing a large bundle on every hook
// call would dominate. So dist/omcm.js is a small CommonJS loader (dist/package.json makes it CommonJS: Node's ESM
// loader alone costs more start-up time), and the code is in payloads (payloads.mjs lists them and their esbuild
// options): the hook programs (dist/omcm-hook-<hash>.js), the statusline (dist/omcm-statusline-<hash>.js), what a
// hook loads to delegate to OpenCode (dist/omcm-delegate-<hash>.js: the pool, the daemon client and an HTTP client
// stay out of every other hook call), what a Stop hook loads to write ulw's automatic handoff
// (dist/omcm-handoff-<hash>.js: the context builder, transcript and git reading, a command executor), and the full
// CLI (dist/omcm-full-<hash>.js). The loader picks one by the command and compiles it with vm.Script and a V8 code
// cache (next to the file, or under OMCM_HOME when dist/ is read-only: there 0700/0600, like everything under
// OMCM_HOME); a hook payload asks the loader for the delegate or handoff payload (globalThis.__omcmPayload) on the
// call that needs it.
// A hook first goes through the relay (src/relay, plain Node, inlined in the loader): when the pool daemon runs, it
// answers the hook and no payload is read at all, so the loader must stay small.
//
// OMCM_BUILD_META=1 also writes each payload's esbuild metafile to dist/meta/<payload>.json (e.g. for
// https://esbuild.github.io/analyze/) and prints the payload sizes.
import * as esbuild from "esbuild"
import { spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { PAYLOADS, payloadOptions } from "./payloads.mjs"

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
const built = Object.fromEntries(
  await Promise.all(Object.keys(PAYLOADS).map(async (name) => {
    const result = await esbuild.build(payloadOptions(name))
    return [name, { text: result.outputFiles[0].text, metafile: result.metafile }]
  }))
)
const hash = (text) => createHash("sha256").update(text).digest("hex").slice(0, 16)
const payloads = Object.fromEntries(Object.entries(built).map(([name, { text }]) => [name, `omcm-${name}-${hash(text)}.js`]))

// `load` runs a payload once (memoized) and returns its exports; `run` runs the one of this command
const loader = `#!/usr/bin/env node
"use strict";
const fs=require("node:fs"),path=require("node:path"),os=require("node:os");
const files=${JSON.stringify(payloads)},a=process.argv[2],kind=a==="hook"?"hook":a==="statusline"&&process.argv.length===3?"statusline":"full",loaded={};
const load=(k)=>{if(loaded[k])return loaded[k].exports;
const vm=require("node:vm"),{pathToFileURL}=require("node:url");
const file=files[k];
const SOURCE=fs.readFileSync(path.join(__dirname,file),"utf8");
const name=file.slice(0,-3)+"-"+process.version+"-"+process.arch+".v8cache";
const home=process.env.OMCM_HOME||path.join(process.env.HOME||os.homedir(),".omcm");
const caches=[path.join(__dirname,".cache",name),path.join(home,"cache",name)];
let cachedData;for(const c of caches){try{cachedData=fs.readFileSync(c);break}catch{}}
const script=new vm.Script("(function(exports,require,module,__filename,__dirname,__omcmImportMetaUrl){"+SOURCE+"\\n})",{filename:path.join(__dirname,file),cachedData});
if(cachedData===undefined||script.cachedDataRejected)process.once("exit",()=>{let data;try{data=script.createCachedData()}catch{return}for(const c of caches){const own=c!==caches[0];try{fs.mkdirSync(path.dirname(c),{recursive:true,mode:own?0o700:0o777});const t=c+"."+process.pid+".tmp";fs.writeFileSync(t,data,{mode:own?0o600:0o666});fs.renameSync(t,c);return}catch{}}});
const m=loaded[k]={exports:{}};script.runInThisContext()(m.exports,require,m,__filename,__dirname,pathToFileURL(__filename).href);return m.exports;
};
const run=(stdin)=>{
if(stdin!==undefined)globalThis.__omcmStdin=stdin;
globalThis.__omcmPayload=load;load(kind);
};
if(kind!=="full"){${relay}
if(kind==="hook")__omcmRelay.relayHook(process.argv[3]??"",run);else __omcmRelay.relayStatusline(run)}else run();
`
mkdirSync("dist", { recursive: true })
rmSync("dist/.cache", { recursive: true, force: true })
// replace atomically: hooks may be running the old files right now
writeFileSync("dist/package.json", `${JSON.stringify({ type: "commonjs" })}\n`)
for (const [kind, name] of Object.entries(payloads)) {
  writeFileSync(`dist/${name}.tmp`, built[kind].text)
  renameSync(`dist/${name}.tmp`, `dist/${name}`)
}
// `omcm dashboard`'s page: its own files and the chart library (uPlot), served from dist/dashboard (works offline)
rmSync("dist/dashboard", { recursive: true, force: true })
mkdirSync("dist/dashboard", { recursive: true })
for (const name of readdirSync("src/programs/dashboard/page")) copyFileSync(`src/programs/dashboard/page/${name}`, `dist/dashboard/${name}`)
for (const name of ["uPlot.iife.min.js", "uPlot.min.css"]) copyFileSync(`node_modules/uplot/dist/${name}`, `dist/dashboard/${name}`)
copyFileSync("node_modules/uplot/LICENSE", "dist/dashboard/uPlot.LICENSE")
writeFileSync("dist/omcm.js.tmp", loader, { mode: 0o755 })
chmodSync("dist/omcm.js.tmp", 0o755)
renameSync("dist/omcm.js.tmp", "dist/omcm.js")
for (const name of readdirSync("dist")) {
  if (/^omcm-[a-z]+-[0-9a-f]{16}\.js$/.test(name) && !Object.values(payloads).includes(name)) rmSync(`dist/${name}`, { force: true })
}

// The library build of `import "omcm"` and `import "omcm/testing"` (package.json "exports"): ESM, our sources
// bundled (one shared chunk, so both entries have the same service tags and classes), every dependency external
// (an embedding app's `effect` is the one omcm's code runs on), and declarations from tsc (tsconfig.build.json).
// dist/lib and dist/types are ES module scopes of their own (dist/package.json makes the rest CommonJS).
rmSync("dist/lib", { recursive: true, force: true })
await esbuild.build({
  entryPoints: { index: "src/index.ts", testing: "src/testing.ts" },
  outdir: "dist/lib",
  bundle: true,
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  legalComments: "none",
  charset: "ascii",
  logLevel: "warning"
})
writeFileSync("dist/lib/package.json", `${JSON.stringify({ type: "module" })}\n`)

// The declarations cost tsc ~20 s of CPU: they are made again only when what they come from changed (the sources,
// the tsconfig files, TypeScript, this script), which dist/types/.inputs records as a hash.
const files = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)])
const typeInputs = hash(
  [...files("src").sort(), "tsconfig.json", "tsconfig.build.json", "node_modules/typescript/package.json", "build.mjs"]
    .map((file) => `${file}\0${readFileSync(file, "utf8")}`)
    .join("\0")
)
if (!existsSync("dist/types/.inputs") || readFileSync("dist/types/.inputs", "utf8") !== typeInputs) {
  rmSync("dist/types", { recursive: true, force: true })
  const tsc = spawnSync(process.execPath, [path.join("node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"], { stdio: "inherit" })
  if (tsc.status !== 0) throw new Error(`tsc -p tsconfig.build.json failed (exit ${tsc.status})`)
  // tsc keeps our extensionless relative specifiers; an ES module declaration file needs the file's full name to
  // resolve under moduleResolution node16/nodenext ("./services/config" -> "./services/config/index.js", ".." -> "../index.js")
  for (const file of files("dist/types").filter((f) => f.endsWith(".d.ts"))) {
    const text = readFileSync(file, "utf8")
    const fixed = text.replace(/((?:from|import)\s*\(?\s*)(["'])(\.{1,2}(?:\/[^"']*)?)\2/g, (whole, before, quote, spec) => {
      const target = path.resolve(path.dirname(file), spec)
      const full = existsSync(`${target}.d.ts`) ? `${spec}.js` : existsSync(path.join(target, "index.d.ts")) ? `${spec}/index.js` : null
      return full === null ? whole : `${before}${quote}${full}${quote}`
    })
    if (fixed !== text) writeFileSync(file, fixed)
  }
  writeFileSync("dist/types/package.json", `${JSON.stringify({ type: "module" })}\n`)
  writeFileSync("dist/types/.inputs", typeInputs)
}

rmSync("dist/meta", { recursive: true, force: true })
if (process.env.OMCM_BUILD_META === "1") {
  mkdirSync("dist/meta", { recursive: true })
  for (const [name, { text, metafile }] of Object.entries(built)) {
    writeFileSync(`dist/meta/${name}.json`, `${JSON.stringify(metafile)}\n`)
    const modules = Object.keys(Object.values(metafile.outputs)[0].inputs).length
    console.log(`${payloads[name]}: ${Buffer.byteLength(text)} bytes, ${modules} modules`)
  }
}

// Warm the code caches: the hook path's (every Claude Code tool call), the statusline's, the CLI's, and the ones of a
// hook that delegates and of a Stop hook that writes ulw's handoff (loaded on such calls only). A cache holds the
// functions compiled by the run that writes it (the first run of its payload). The runs get a throwaway home so they
// touch no real state; the delegating hook fails at once (no OpenCode binary where it looks) and lets the call
// through.
const scratch = mkdtempSync(path.join(os.tmpdir(), "omcm-build-"))
try {
  const env = { PATH: process.env.PATH, HOME: scratch, OMCM_HOME: path.join(scratch, "omcm"), OMCM_CONFIG_DIR: path.join(scratch, "config") }
  const hook = (event, input, extraEnv = {}) =>
    spawnSync(process.execPath, ["dist/omcm.js", "hook", event], { input: JSON.stringify(input), stdio: ["pipe", "ignore", "ignore"], env: { ...env, ...extraEnv } })
  const agentCall = (session, agent) => ({
    session_id: session,
    cwd: scratch,
    hook_event_name: "PreToolUse",
    tool_name: "Agent",
    tool_input: { description: "warm", prompt: "warm the cache", subagent_type: agent }
  })
  hook("pre-tool-use", agentCall("build", "architect"))
  const statusline = { session_id: "build", rate_limits: { five_hour: { used_percentage: 1 }, seven_day: { used_percentage: 1 } } }
  spawnSync(process.execPath, ["dist/omcm.js", "statusline"], { input: JSON.stringify(statusline), stdio: ["pipe", "ignore", "ignore"], env })
  spawnSync(process.execPath, ["dist/omcm.js", "route", "architect"], { stdio: "ignore", env })
  const delegating = { OMCM_NO_AUTOSTART: "1", OMCM_OPENCODE_BIN: path.join(scratch, "no-opencode") }
  hook("user-prompt-submit", { session_id: "delegating", cwd: scratch, hook_event_name: "UserPromptSubmit", prompt: "hulw: warm" }, delegating)
  // hulw sends a MEDIUM-tier agent to OpenCode
  hook("pre-tool-use", agentCall("delegating", "writer"), delegating)
  // ulw past heavyThreshold (the statusline stores the rate limits): the Stop hook writes the handoff (in the scratch)
  const heavy = { session_id: "handoff", rate_limits: { five_hour: { used_percentage: 95 }, seven_day: { used_percentage: 1 } } }
  spawnSync(process.execPath, ["dist/omcm.js", "statusline"], { input: JSON.stringify(heavy), stdio: ["pipe", "ignore", "ignore"], env })
  hook("user-prompt-submit", { session_id: "handoff", cwd: scratch, hook_event_name: "UserPromptSubmit", prompt: "ulw: warm" }, delegating)
  hook("stop", { session_id: "handoff", cwd: scratch, hook_event_name: "Stop", stop_hook_active: false }, delegating)
} finally {
  rmSync(scratch, { recursive: true, force: true })
}
