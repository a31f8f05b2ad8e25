import * as esbuild from "esbuild"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { PAYLOADS, payloadOptions, type PayloadName } from "../../payloads.mjs"

// What the payloads of dist/omcm.js hold, from esbuild's metafile, bundled in memory with build.mjs's own options
// (payloads.mjs). The hook payload is read and compiled on every Claude Code tool call no daemon answers: it must hold
// what a hook runs and nothing else. Delegating to OpenCode (the pool, the daemon client, an HTTP client) and writing
// ulw's automatic handoff (the context builder, a command executor) are payloads of their own that the hook asks the
// loader for (src/payloads/hook.ts), so they are not in the hook payload at all, not even behind a dynamic import.

type Metafile = esbuild.Metafile

const bundle = async (name: PayloadName, plugins: Array<esbuild.Plugin> = []): Promise<Metafile> =>
  (await esbuild.build({ ...payloadOptions(name), plugins })).metafile

let hookMeta: Promise<Metafile> | undefined
const hookPayload = () => (hookMeta ??= bundle("hook"))

/** every module the payload holds (re-export-only index files included, with 0 bytes) */
const modulesOf = (meta: Metafile): ReadonlySet<string> => {
  const outputs = Object.values(meta.outputs)
  expect(outputs).toHaveLength(1)
  return new Set(Object.keys(outputs[0]!.inputs))
}

/** the modules of the payload reachable from its entry through static imports only (not `import()`) */
const staticallyReachable = (meta: Metafile, entry: string): ReadonlySet<string> => {
  const held = modulesOf(meta)
  const seen = new Set([entry])
  const queue = [entry]
  while (queue.length > 0) {
    for (const i of meta.inputs[queue.pop()!]?.imports ?? []) {
      if (i.external === true || i.kind === "dynamic-import" || !held.has(i.path) || seen.has(i.path)) continue
      seen.add(i.path)
      queue.push(i.path)
    }
  }
  return seen
}

const FORBIDDEN: ReadonlyArray<readonly [string, (file: string) => boolean]> = [
  ["MetricsCollector", (f) => f === "src/services/tracker/MetricsCollector.ts"],
  ["an HTTP client", (f) => /node_modules\/@effect\/platform\/dist\/\w+\/(HttpClient|FetchHttpClient)\.js$/.test(f)],
  ["NodeHttpClient", (f) => /node_modules\/@effect\/platform-node\/dist\/\w+\/NodeHttpClient\.js$/.test(f)],
  ["the OpenCode pool", (f) => f.startsWith("src/services/pool/")],
  [
    "the daemon client and delegation",
    (f) => ["src/services/daemon/DaemonClient.ts", "src/services/daemon/Delegator.ts", "src/programs/hooks/delegate.ts"].includes(f)
  ],
  ["@effect/cli", (f) => f.includes("node_modules/@effect/cli/")],
  [
    "the handoff writer",
    (f) =>
      [
        "src/services/context/ContextBuilder.ts",
        "src/services/context/handoffMarkdown.ts",
        "src/services/context/transcript.ts",
        "src/services/context/redactContext.ts",
        "src/programs/hooks/writeAutoHandoff.ts"
      ].includes(f)
  ],
  ["a command executor", (f) => /node_modules\/@effect\/platform(-node|-node-shared)?\/dist\/\w+\/(NodeContext|NodeCommandExecutor|CommandExecutor)\.js$/.test(f)]
]

const violations = (modules: Iterable<string>, rules = FORBIDDEN) =>
  [...modules].flatMap((file) => rules.filter(([, bad]) => bad(file)).map(([what]) => `${what}: ${file}`))

describe("the hook payload of dist/omcm.js", () => {
  it("statically reaches no MetricsCollector, HTTP client, pool, daemon client, delegation, handoff writer, command executor or @effect/cli", async () => {
    const meta = await hookPayload()
    const reachable = staticallyReachable(meta, PAYLOADS.hook)
    expect(reachable.size).toBeGreaterThan(50)
    // the hook programs are there: the check looks at the right graph
    expect(reachable).toContain("src/programs/hooks/preToolUse.ts")
    expect(reachable).toContain("src/services/router/FusionRouter.ts")
    expect(reachable).toContain("src/services/tracker/Tracker.ts")
    // the Stop hook decides there whether a handoff is due
    expect(reachable).toContain("src/programs/hooks/autoHandoff.ts")
    expect(violations(reachable)).toEqual([])
  })

  it("holds no delegation code at all; the only code of ours behind import() alone is the OAuth usage fetch", async () => {
    const meta = await hookPayload()
    const held = modulesOf(meta)
    // the OAuth usage endpoint (ulw, usage unknown, cache stale) is the one use of an HTTP client: loaded lazily
    const httpClient = FORBIDDEN.filter(([what]) => what === "an HTTP client")
    expect(violations(held, FORBIDDEN.filter((rule) => !httpClient.includes(rule)))).toEqual([])
    const reachable = staticallyReachable(meta, PAYLOADS.hook)
    const lazyOurs = [...held].filter((f) => !reachable.has(f) && f.startsWith("src/")).sort()
    expect(lazyOurs).toEqual(["src/services/router/oauthUsage.ts"])
  })

  it("the check fails when a hook uses MetricsCollector (preToolUse importing it, as a probe)", async () => {
    const probe: esbuild.Plugin = {
      name: "probe",
      setup(build) {
        build.onLoad({ filter: /programs[\\/]hooks[\\/]preToolUse\.ts$/ }, (args) => ({
          loader: "ts",
          contents: `${fs.readFileSync(args.path, "utf8")}
import { MetricsCollector as __Probe } from "../../services/tracker"
;(globalThis as Record<string, unknown>).__probe = __Probe
`,
          resolveDir: path.dirname(args.path)
        }))
      }
    }
    const meta = await bundle("hook", [probe])
    expect(violations(staticallyReachable(meta, PAYLOADS.hook))).toEqual(["MetricsCollector: src/services/tracker/MetricsCollector.ts"])
  })

  it("the check fails when the Stop hook writes its handoff itself (autoHandoff importing the writer, as a probe)", async () => {
    const probe: esbuild.Plugin = {
      name: "probe",
      setup(build) {
        build.onLoad({ filter: /programs[\\/]hooks[\\/]autoHandoff\.ts$/ }, (args) => ({
          loader: "ts",
          contents: `${fs.readFileSync(args.path, "utf8")}
import { writeAutoHandoff as __Probe } from "./writeAutoHandoff"
;(globalThis as Record<string, unknown>).__probe = __Probe
`,
          resolveDir: path.dirname(args.path)
        }))
      }
    }
    const found = violations(staticallyReachable(await bundle("hook", [probe]), PAYLOADS.hook))
    expect(found).toContain("the handoff writer: src/services/context/ContextBuilder.ts")
    expect(found).toContain("the handoff writer: src/programs/hooks/writeAutoHandoff.ts")
    expect(found.some((v) => v.startsWith("a command executor: ") && v.endsWith("/NodeCommandExecutor.js"))).toBe(true)
  })
})

describe("the other payloads", () => {
  it("the statusline holds no pool, daemon client, delegation, handoff writer, command executor, HTTP client or @effect/cli statically", async () => {
    const meta = await bundle("statusline")
    const rules = FORBIDDEN.filter(([what]) => what !== "MetricsCollector")
    expect(violations(staticallyReachable(meta, PAYLOADS.statusline), rules)).toEqual([])
  })

  it("the handoff payload holds the handoff writer and a command executor, and no MetricsCollector, pool, daemon client, HTTP client or @effect/cli", async () => {
    const meta = await bundle("handoff")
    const held = modulesOf(meta)
    const writer = FORBIDDEN.filter(([what]) => what === "the handoff writer" || what === "a command executor")
    const found = violations(held, writer)
    expect(found).toContain("the handoff writer: src/services/context/ContextBuilder.ts")
    expect(found).toContain("the handoff writer: src/services/context/handoffMarkdown.ts")
    expect(found).toContain("the handoff writer: src/programs/hooks/writeAutoHandoff.ts")
    expect(found.some((v) => v.startsWith("a command executor: ") && v.endsWith("/NodeCommandExecutor.js"))).toBe(true)
    expect(violations(held, FORBIDDEN.filter((rule) => !writer.includes(rule)))).toEqual([])
  })

  it("the delegation payload holds no @effect/cli", async () => {
    const meta = await bundle("delegate")
    expect(violations(modulesOf(meta), FORBIDDEN.filter(([what]) => what === "@effect/cli"))).toEqual([])
    expect(modulesOf(meta)).toContain("src/services/daemon/Delegator.ts")
  })
})
