import * as esbuild from "esbuild"
import { spawn, type SpawnOptions } from "node:child_process"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { PAYLOADS } from "../../payloads.mjs"

// omcm as a package: `npm pack` (which runs `prepare`, i.e. build.mjs), the tarball installed into a scratch project
// outside the repository, the README's "Embedding omcm in an Effect app" examples type-checked against the packed
// declarations and run on the packed ESM build, and the packed `omcm` bin.
//
// Installing offline: the repository's install left its dependencies' tarballs in the npm cache, but only the
// abbreviated registry documents, and npm 11 resolves a dependency that no lockfile pins with the full ones:
// `npm install --offline <tarball>` fails with ENOTCACHED. So the scratch project gets a lockfile made from the
// repository's package-lock.json (the runtime closure of omcm's dependencies, the same versions and integrities, and
// the tarball's own entry), and `npm ci --offline` needs nothing but cached tarballs. If that fails, `npm install
// --prefer-offline` may use the network for what is missing.
//
// better-sqlite3 is a native addon that compiles from source (~1.5 min): the scratch install runs no install scripts
// (`--ignore-scripts`), and the addon the repository built (same better-sqlite3 version, checked, and the same Node,
// which runs both) is copied into the scratch project's better-sqlite3/build/Release, where its `bindings` look first.

const repo = path.resolve(__dirname, "../..")
const tscBin = path.join(repo, "node_modules", "typescript", "bin", "tsc")
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, "utf8"))
const pkg = readJson(path.join(repo, "package.json"))

interface Run {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
}

/** a child process, without blocking this worker (a synchronous wait of minutes times out vitest's own RPC) */
const run = (command: string, args: ReadonlyArray<string>, options: SpawnOptions & { readonly input?: string }): Promise<Run> =>
  new Promise((resolve) => {
    const { input, ...spawnOptions } = options
    const child = spawn(command, args, { ...spawnOptions, stdio: ["pipe", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()))
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()))
    const timer = setTimeout(() => child.kill("SIGKILL"), 480_000)
    child.on("error", (e) => {
      clearTimeout(timer)
      resolve({ status: null, stdout, stderr: `${stderr}${e.message}` })
    })
    child.on("close", (status) => {
      clearTimeout(timer)
      resolve({ status, stdout, stderr })
    })
    child.stdin!.end(input ?? "")
  })
const ok = async (running: Promise<Run>, what: string) => {
  const r = await running
  if (r.status !== 0) throw new Error(`${what} exited ${r.status}\n${r.stdout}\n${r.stderr}`)
  return r
}

interface LockEntry {
  readonly dependencies?: Record<string, string>
  readonly optionalDependencies?: Record<string, string>
  readonly peerDependencies?: Record<string, string>
  readonly peerDependenciesMeta?: Record<string, { readonly optional?: boolean }>
  readonly [key: string]: unknown
}

/** package-lock.json of a project depending on the tarball, `effect` and `extra`, from the repository's lockfile */
const scratchLock = (tarballSpec: string, integrity: string, extra: Record<string, string>) => {
  const packages: Record<string, LockEntry> = readJson(path.join(repo, "package-lock.json")).packages
  // Node's lookup: <from>/node_modules/<name>, then each enclosing node_modules
  const locate = (from: string, name: string): string | null => {
    for (let dir = from;;) {
      const candidate = dir === "" ? `node_modules/${name}` : `${dir}/node_modules/${name}`
      if (packages[candidate] !== undefined) return candidate
      if (dir === "") return null
      const i = dir.lastIndexOf("/node_modules/")
      dir = i < 0 ? "" : dir.slice(0, i)
    }
  }
  const closure = new Set<string>()
  const visit = (from: string, name: string, optional: boolean) => {
    const at = locate(from, name)
    if (at === null) {
      if (optional) return
      throw new Error(`${name} (needed by ${from || "omcm"}) is not in package-lock.json`)
    }
    if (closure.has(at)) return
    closure.add(at)
    const entry = packages[at]!
    for (const d of Object.keys(entry.dependencies ?? {})) visit(at, d, false)
    for (const d of Object.keys(entry.optionalDependencies ?? {})) visit(at, d, true)
    for (const d of Object.keys(entry.peerDependencies ?? {})) visit(at, d, entry.peerDependenciesMeta?.[d]?.optional === true)
  }
  for (const d of [...Object.keys(pkg.dependencies), ...Object.keys(extra)]) visit("", d, false)
  const entries = [...closure].sort().map((at): [string, LockEntry] => {
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = packages[at]!
    // optional dependencies the repository's lockfile does not hold (other platforms' binaries) stay out
    const optionalDependencies = entry.optionalDependencies === undefined ? undefined : Object.fromEntries(
      Object.entries(entry.optionalDependencies).filter(([d]) => locate(at, d) !== null)
    )
    return [at, optionalDependencies === undefined ? entry : { ...entry, optionalDependencies }]
  })
  const root = { dependencies: { omcm: tarballSpec, effect: pkg.dependencies.effect }, devDependencies: extra }
  return {
    packageJson: { name: "omcm-embedding-scratch", private: true, type: "module", ...root },
    lock: {
      name: "omcm-embedding-scratch",
      lockfileVersion: 3,
      requires: true,
      packages: {
        "": { name: "omcm-embedding-scratch", ...root },
        "node_modules/omcm": {
          version: pkg.version,
          resolved: tarballSpec,
          integrity,
          license: pkg.license,
          dependencies: pkg.dependencies,
          bin: pkg.bin,
          engines: pkg.engines
        },
        ...Object.fromEntries(entries)
      }
    }
  }
}

/** the ```ts blocks of the README's embedding section */
const readmeExamples = (): Array<string> => {
  const readme = fs.readFileSync(path.join(repo, "README.md"), "utf8")
  const start = readme.indexOf("## Embedding omcm in an Effect app")
  expect(start).toBeGreaterThanOrEqual(0)
  const end = readme.indexOf("\n## ", start + 1)
  const section = readme.slice(start, end < 0 ? undefined : end)
  return [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!)
}

// misuses that must not type-check: the packed declarations are real types, not `any` from a module not found
const TYPES_ARE_REAL = `import * as Effect from "effect/Effect"
import { type Decision, FusionRouter, OmcmLive, Tracker } from "omcm"
import { ConfigTest } from "omcm/testing"

// @ts-expect-error decide takes a DecideInput object
export const a = Effect.flatMap(FusionRouter, (router) => router.decide("explore"))
// @ts-expect-error not a target
export const b: Decision["target"] = "gpt"
// @ts-expect-error OmcmLive can fail (config, state): not an Effect that cannot fail
export const c: Effect.Effect<void> = Effect.provide(Effect.flatMap(Tracker, () => Effect.void), OmcmLive)
// @ts-expect-error routing.enabled is a boolean
export const d = ConfigTest({ routing: { enabled: "yes" } })
`

describe("the npm package", () => {
  let tmp: string
  let app: string
  let appEnv: NodeJS.ProcessEnv
  let examples: Array<string>

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "omcm-pack-"))
    app = path.join(tmp, "app")
    fs.mkdirSync(app)
    // npm with this developer's cache and npm config, whatever HOME the test setup gave this process
    const realHome = os.userInfo().homedir
    const cache = (await ok(run("npm", ["config", "get", "cache"], { cwd: tmp, env: { ...process.env, HOME: realHome } }), "npm config get cache"))
      .stdout.trim()
    const npmEnv = {
      ...process.env,
      npm_config_cache: cache,
      npm_config_userconfig: path.join(realHome, ".npmrc"),
      npm_config_logs_dir: path.join(tmp, "npm-logs"),
      npm_config_update_notifier: "false",
      npm_config_fund: "false",
      npm_config_audit: "false"
    }

    await ok(run("npm", ["pack", "--pack-destination", tmp], { cwd: repo, env: npmEnv }), "npm pack")
    const tarballs = fs.readdirSync(tmp).filter((f) => f.endsWith(".tgz"))
    expect(tarballs).toEqual([`omcm-${pkg.version}.tgz`])
    const tarball = path.join(tmp, tarballs[0]!)
    const integrity = `sha512-${createHash("sha512").update(fs.readFileSync(tarball)).digest("base64")}`
    const extra = { "@types/node": pkg.devDependencies["@types/node"], "@types/better-sqlite3": pkg.devDependencies["@types/better-sqlite3"] }
    const { packageJson, lock } = scratchLock(`file:../${tarballs[0]}`, integrity, extra)
    fs.writeFileSync(path.join(app, "package.json"), `${JSON.stringify(packageJson, null, 2)}\n`)
    fs.writeFileSync(path.join(app, "package-lock.json"), `${JSON.stringify(lock, null, 2)}\n`)

    const flags = ["--no-audit", "--no-fund", "--ignore-scripts"]
    const offline = await run("npm", ["ci", "--offline", ...flags], { cwd: app, env: npmEnv })
    if (offline.status !== 0) {
      console.warn(`npm ci --offline failed, trying --prefer-offline:\n${offline.stderr}`)
      await ok(run("npm", ["install", "--prefer-offline", ...flags], { cwd: app, env: npmEnv }), "npm install --prefer-offline")
    }

    // the repository's better-sqlite3 addon, instead of compiling it again
    const installed = readJson(path.join(app, "node_modules", "better-sqlite3", "package.json")).version
    const built = readJson(path.join(repo, "node_modules", "better-sqlite3", "package.json")).version
    expect(installed).toBe(built)
    const addon = path.join("build", "Release", "better_sqlite3.node")
    fs.mkdirSync(path.join(app, "node_modules", "better-sqlite3", "build", "Release"), { recursive: true })
    fs.copyFileSync(path.join(repo, "node_modules", "better-sqlite3", addon), path.join(app, "node_modules", "better-sqlite3", addon))

    examples = readmeExamples()
    expect(examples.length).toBeGreaterThanOrEqual(1)
    for (const [i, code] of examples.entries()) {
      fs.writeFileSync(path.join(app, `example${i + 1}.ts`), code)
      const js = await esbuild.transform(code, { loader: "ts", format: "esm", platform: "node", target: "node20" })
      fs.writeFileSync(path.join(app, `example${i + 1}.mjs`), js.code)
    }
    fs.writeFileSync(path.join(app, "typesAreReal.ts"), TYPES_ARE_REAL)
    const compilerOptions = { strict: true, target: "ES2022", noEmit: true, skipLibCheck: false, types: ["node"] }
    fs.writeFileSync(
      path.join(app, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { ...compilerOptions, module: "NodeNext", moduleResolution: "NodeNext" }, include: ["*.ts"] })
    )
    fs.writeFileSync(
      path.join(app, "tsconfig.bundler.json"),
      JSON.stringify({ compilerOptions: { ...compilerOptions, module: "ESNext", moduleResolution: "Bundler" }, include: ["*.ts"] })
    )

    const home = path.join(tmp, "home")
    appEnv = {
      PATH: process.env.PATH,
      HOME: home,
      OMCM_HOME: path.join(home, ".omcm"),
      OMCM_CONFIG_DIR: path.join(home, "config"),
      OMCM_NO_AUTOSTART: "1"
    }
  }, 900_000)

  afterAll(() => {
    if (tmp !== undefined) fs.rmSync(tmp, { recursive: true, force: true })
  })

  it("the README's examples type-check against the packed declarations (strict, nodenext and bundler, lib check on)", async () => {
    for (const project of ["tsconfig.json", "tsconfig.bundler.json"]) {
      const r = await run(process.execPath, [tscBin, "-p", project], { cwd: app })
      expect(`${project}: ${r.stdout}${r.stderr}`).toBe(`${project}: `)
      expect(r.status).toBe(0)
    }
  }, 600_000)

  it("the first example routes a call with FusionRouter, records it with Tracker through OmcmLive, and prints the decision", async () => {
    const r = await ok(run(process.execPath, ["example1.mjs"], { cwd: app, env: appEnv }), "example1.mjs")
    expect(r.stdout).toMatch(/^explore -> opencode google\/gemini-3\.8-flash: explore is in routing\.preferOpencode/)
    expect(fs.existsSync(path.join(appEnv.OMCM_HOME!, "omcm.db"))).toBe(true)
    // recorded where the CLI sees it
    const stats = await ok(run(process.execPath, [path.join(app, "node_modules", ".bin", "omcm"), "stats", "--json"], { cwd: app, env: appEnv }), "omcm stats")
    expect(JSON.parse(stats.stdout).agents).toEqual([expect.objectContaining({ name: "explore", routed: 1 })])
  }, 120_000)

  it("the other examples run too", async () => {
    for (const i of examples.keys()) {
      if (i === 0) continue
      const r = await ok(run(process.execPath, [`example${i + 1}.mjs`], { cwd: app, env: appEnv }), `example${i + 1}.mjs`)
      expect(r.stdout.length).toBeGreaterThan(0)
    }
  }, 120_000)

  it("import('omcm') and import('omcm/testing') resolve in the scratch project", async () => {
    const main = await ok(run(process.execPath, ["-e", "import('omcm').then(m => console.log(typeof m.FusionRouter))"], { cwd: app, env: appEnv }), "import omcm")
    expect(main.stdout).toBe("function\n")
    const testing = await ok(
      run(process.execPath, ["-e", "import('omcm/testing').then(m => console.log(typeof m.RoutingTest, typeof m.SimulatedModel))"], { cwd: app, env: appEnv }),
      "import omcm/testing"
    )
    expect(testing.stdout).toBe("function function\n")
  }, 60_000)

  it("the packed omcm bin still works: a routing decision and a hook", async () => {
    const bin = path.join(app, "node_modules", ".bin", "omcm")
    const route = await ok(run(process.execPath, [bin, "route", "explore", "--mode", "hulw"], { cwd: app, env: appEnv }), "omcm route")
    expect(route.stdout).toContain("explore -> OpenCode (google/gemini-3.8-flash)")
    const input = JSON.stringify({
      session_id: "pack",
      cwd: app,
      hook_event_name: "PreToolUse",
      tool_name: "Agent",
      tool_input: { description: "d", prompt: "p", subagent_type: "architect" }
    })
    const hook = await run(process.execPath, [bin, "hook", "pre-tool-use"], { cwd: app, env: appEnv, input })
    expect(hook).toMatchObject({ status: 0, stdout: "" })
  }, 60_000)

  it("the package holds every payload the loader names (those a hook loads on some calls only included)", () => {
    const dist = path.join(app, "node_modules", "omcm", "dist")
    const files = /const files=(\{[^}]*\})/.exec(fs.readFileSync(path.join(dist, "omcm.js"), "utf8"))?.[1]
    expect(files).toBeDefined()
    const payloads = JSON.parse(files!) as Record<string, string>
    expect(Object.keys(payloads).sort()).toEqual(Object.keys(PAYLOADS).sort())
    expect(Object.values(payloads).filter((file) => !fs.existsSync(path.join(dist, file)))).toEqual([])
  })
})
