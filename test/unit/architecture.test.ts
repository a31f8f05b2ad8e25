import { describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import ts from "typescript"

// The import rules of docs/ARCHITECTURE.md, checked over the TypeScript import graph of src/ (type-only imports and
// dynamic imports count as edges too).
const root = path.resolve(__dirname, "../..")
const src = path.join(root, "src")

const walk = (dir: string): Array<string> =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []
  )

const resolveImport = (from: string, spec: string, files: ReadonlySet<string>): string | null => {
  if (!spec.startsWith(".")) return null
  const base = path.resolve(path.dirname(from), spec)
  for (const candidate of [base, `${base}.ts`, path.join(base, "index.ts")]) if (files.has(candidate)) return candidate
  throw new Error(`${path.relative(root, from)}: cannot resolve ${spec}`)
}

export const importGraph = (): ReadonlyMap<string, ReadonlyArray<string>> => {
  const files = walk(src)
  const known = new Set(files)
  const graph = new Map<string, Array<string>>()
  for (const file of files) {
    const info = ts.preProcessFile(fs.readFileSync(file, "utf8"), true, true)
    const targets = info.importedFiles.map((f) => resolveImport(file, f.fileName, known)).filter((t): t is string => t !== null)
    graph.set(path.relative(src, file), [...new Set(targets.map((t) => path.relative(src, t)))])
  }
  return graph
}

/** the layer of a file: a file may import its own layer and the ones below it */
const LAYERS = ["lib", "domain", "services", "layers", "programs", "entry"] as const
type LayerName = typeof LAYERS[number] | "relay" | "simulated"

export const layerOf = (file: string): LayerName => {
  const top = file.split("/")[0]!
  if (top === "relay" || top === "simulated") return top
  if ((LAYERS as ReadonlyArray<string>).includes(top)) return top as LayerName
  return "entry"
}
const rank = (layer: LayerName): number =>
  // the simulated model (demo, tests) sits between services and the whole-app layers
  layer === "relay" ? -1 : layer === "simulated" ? LAYERS.indexOf("services") + 0.5 : LAYERS.indexOf(layer)

const subsystemOf = (file: string): string | null => {
  const parts = file.split("/")
  return parts[0] === "services" && parts.length > 2 ? parts[1]! : null
}

/** every rule a single edge can break, as a sentence; none: the edge is allowed */
export const edgeViolation = (from: string, to: string): string | null => {
  const a = layerOf(from)
  const b = layerOf(to)
  if (a === "relay" || b === "relay") {
    return a === "relay" && b === "relay" ? null : a === "relay" ? "the relay imports nothing of ours" : b === "relay" && a !== "entry" ? "only entries load the relay" : null
  }
  if (rank(b) > rank(a)) return `${a} must not import ${b}`
  const sa = subsystemOf(from)
  const sb = subsystemOf(to)
  if (sb !== null && sa !== sb && to !== `services/${sb}/index.ts`) return `outside services/${sb}/, import its index.ts`
  return null
}

export const findCycles = (graph: ReadonlyMap<string, ReadonlyArray<string>>): Array<Array<string>> => {
  const cycles: Array<Array<string>> = []
  const state = new Map<string, "active" | "done">()
  const stack: Array<string> = []
  const visit = (node: string) => {
    state.set(node, "active")
    stack.push(node)
    for (const next of graph.get(node) ?? []) {
      const s = state.get(next)
      if (s === "active") cycles.push([...stack.slice(stack.indexOf(next)), next])
      else if (s === undefined) visit(next)
    }
    stack.pop()
    state.set(node, "done")
  }
  for (const node of graph.keys()) if (!state.has(node)) visit(node)
  return cycles
}

describe("import rules", () => {
  const graph = importGraph()

  it("programs -> layers -> services -> domain -> lib; subsystems meet through their index.ts; the relay stands alone", () => {
    const violations = [...graph].flatMap(([from, tos]) =>
      tos.flatMap((to) => {
        const why = edgeViolation(from, to)
        return why === null ? [] : [`${from} -> ${to}: ${why}`]
      })
    )
    expect(violations).toEqual([])
  })

  it("has no import cycles, type-only imports included", () => {
    expect(findCycles(graph).map((c) => c.join(" -> "))).toEqual([])
  })

  it("the checks above fail on a bad edge or a cycle", () => {
    expect(edgeViolation("domain/model.ts", "services/router/index.ts")).toBe("domain must not import services")
    expect(edgeViolation("lib/format.ts", "domain/model.ts")).toBe("lib must not import domain")
    expect(edgeViolation("services/pool/ServerPool.ts", "layers/core.ts")).toBe("services must not import layers")
    expect(edgeViolation("services/daemon/Delegator.ts", "services/pool/ServerPool.ts")).toBe("outside services/pool/, import its index.ts")
    expect(edgeViolation("programs/cli/run.ts", "services/pool/ServerPool.ts")).toBe("outside services/pool/, import its index.ts")
    expect(edgeViolation("relay/hookRelay.ts", "lib/format.ts")).toBe("the relay imports nothing of ours")
    expect(edgeViolation("services/daemon/Delegator.ts", "services/pool/index.ts")).toBeNull()
    expect(edgeViolation("services/pool/ServerPool.ts", "services/pool/serverSlot.ts")).toBeNull()
    expect(findCycles(new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]], ["d", ["a"]]]))).toEqual([["a", "b", "c", "a"]])
  })
})
