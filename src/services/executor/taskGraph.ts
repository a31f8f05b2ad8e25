/**
 * The pure part of the parallel executor: validating the dependency graph, ordering it, finding file conflicts,
 * and deciding which tasks may start now.
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { runSteps, runStepsInterruptibly, type Steps } from "../../lib/steps"
import { patternsOverlap, staticBase } from "./globOverlap"
import { DependencyCycle, DuplicateTaskId, type TaskGraphError, UnknownDependency } from "./task"

/** The fields the graph logic reads; `Task` has them all. */
export interface GraphTask {
  readonly id?: string | undefined
  readonly files?: ReadonlyArray<string> | undefined
  readonly dependsOn?: ReadonlyArray<string> | undefined
}

export interface FileConflict {
  /** a path both tasks' patterns can name */
  readonly file: string
  /** indices into the task list, smaller first */
  readonly tasks: readonly [number, number]
}

export interface ParallelCheck {
  readonly canParallel: boolean
  readonly reason: string
  readonly conflicts: ReadonlyArray<FileConflict>
}

/** The first path the two tasks' patterns share, or undefined. Tasks without files conflict with nothing. */
export const taskConflict = (a: GraphTask, b: GraphTask): string | undefined => {
  for (const x of a.files ?? []) {
    for (const y of b.files ?? []) {
      const file = patternsOverlap(x, y)
      if (file !== undefined) return file
    }
  }
  return undefined
}

/** a pattern and its static base as a key: `src/auth/` (every segment followed by `/`; the empty base is "") */
interface Indexed {
  readonly pattern: string
  readonly base: string
}

/** one base is a prefix of the other, segment by segment: only then may the two patterns overlap */
const nested = (a: string, b: string) => (a.length <= b.length ? b.startsWith(a) : a.startsWith(b))

/** how many exact checks (pairs of patterns) between two chances to pause */
const YIELD_EVERY = 64

/**
 * The pairs of tasks whose file patterns overlap, by index (smaller first), in the order of a check of every pair.
 *
 * Patterns are indexed by their static base (the literal directory prefix before the first glob character: see
 * `staticBase`) in a tree of path segments; the exact overlap check runs only for pairs of patterns whose bases are
 * nested, one a prefix of the other, which are the only pairs that can overlap. Tasks in separate directories are
 * never compared. The answers are those of `taskConflict` on every pair; a generator, so a caller may pause it.
 */
export function* findConflictsSteps(tasks: ReadonlyArray<GraphTask>): Steps<Array<FileConflict>> {
  interface Node {
    readonly parent: Node | undefined
    readonly children: Map<string, Node>
    /** tasks with a pattern whose base ends here */
    readonly tasks: Array<number>
    /** the node's subtree in `order`: [first, end) */
    first: number
    end: number
  }
  const root: Node = { parent: undefined, children: new Map(), tasks: [], first: 0, end: 0 }
  const patterns: Array<ReadonlyArray<Indexed>> = []
  /** the nodes each task has a pattern at */
  const nodesOf: Array<Array<Node>> = []
  for (let i = 0; i < tasks.length; i++) {
    const files = tasks[i]!.files ?? []
    const indexed: Array<Indexed> = []
    const nodes: Array<Node> = []
    for (const pattern of files) {
      const segments = staticBase(pattern)
      let node = root
      for (const segment of segments) {
        let child = node.children.get(segment)
        if (child === undefined) {
          child = { parent: node, children: new Map(), tasks: [], first: 0, end: 0 }
          node.children.set(segment, child)
        }
        node = child
      }
      if (node.tasks[node.tasks.length - 1] !== i) {
        node.tasks.push(i)
        nodes.push(node)
      }
      indexed.push({ pattern, base: segments.map((x) => `${x}/`).join("") })
    }
    patterns.push(indexed)
    nodesOf.push(nodes)
    if (i % YIELD_EVERY === 0) yield
  }
  // the tasks of every node in depth-first order: a subtree's are one run of `order`
  const order: Array<number> = []
  const stack: Array<{ node: Node; children: Iterator<Node> | undefined }> = [{ node: root, children: undefined }]
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!
    if (top.children === undefined) {
      top.node.first = order.length
      for (const t of top.node.tasks) order.push(t)
      top.children = top.node.children.values()
    }
    const next = top.children.next()
    if (next.done === true) {
      top.node.end = order.length
      stack.pop()
    } else {
      stack.push({ node: next.value, children: undefined })
    }
  }
  yield

  const conflicts: Array<FileConflict> = []
  /** the last task `j` was a candidate for: each pair once */
  const seenFor = new Int32Array(tasks.length).fill(-1)
  let work = 0
  for (let i = 0; i < tasks.length; i++) {
    const candidates: Array<number> = []
    const consider = (j: number) => {
      if (j > i && seenFor[j] !== i) {
        seenFor[j] = i
        candidates.push(j)
      }
    }
    for (const node of nodesOf[i]!) {
      // patterns whose base is this one or under it, then those whose base is above it
      for (let k = node.first; k < node.end; k++) consider(order[k]!)
      for (let up = node.parent; up !== undefined; up = up.parent) for (const j of up.tasks) consider(j)
      work += node.end - node.first
    }
    candidates.sort((x, y) => x - y)
    for (const j of candidates) {
      const file = indexedConflict(patterns[i]!, patterns[j]!)
      if (file !== undefined) conflicts.push({ file, tasks: [i, j] })
      work += patterns[i]!.length * patterns[j]!.length
      if (work >= YIELD_EVERY) {
        work = 0
        yield
      }
    }
  }
  return conflicts
}

/** `taskConflict`, skipping the pairs of patterns whose bases are not nested (they cannot overlap) */
const indexedConflict = (a: ReadonlyArray<Indexed>, b: ReadonlyArray<Indexed>): string | undefined => {
  for (const x of a) {
    for (const y of b) {
      if (!nested(x.base, y.base)) continue
      const file = patternsOverlap(x.pattern, y.pattern)
      if (file !== undefined) return file
    }
  }
  return undefined
}

/** One entry per pair of tasks whose file patterns overlap (see `findConflictsSteps`), computed at once. */
export const findConflicts = (tasks: ReadonlyArray<GraphTask>): ReadonlyArray<FileConflict> => runSteps(findConflictsSteps(tasks))

/** The same by checking every pair: the reference the index is tested against. */
export const findConflictsPairwise = (tasks: ReadonlyArray<GraphTask>): ReadonlyArray<FileConflict> => {
  const conflicts: Array<FileConflict> = []
  for (let i = 0; i < tasks.length; i++) {
    for (let j = i + 1; j < tasks.length; j++) {
      const file = taskConflict(tasks[i]!, tasks[j]!)
      if (file !== undefined) conflicts.push({ file, tasks: [i, j] })
    }
  }
  return conflicts
}

/** Whether the tasks could all run at the same time, given their conflicts (from `findConflicts` or a plan). */
export const parallelCheck = (tasks: ReadonlyArray<GraphTask>, conflicts: ReadonlyArray<FileConflict>): ParallelCheck => {
  const dependencies = tasks.some((t) => (t.dependsOn ?? []).length > 0)
  const reason = dependencies && conflicts.length > 0
    ? "Dependencies exist between tasks and file conflicts detected"
    : dependencies
    ? "Dependencies exist between tasks"
    : conflicts.length > 0
    ? "File conflicts detected"
    : tasks.length < 2
    ? "Fewer than two tasks"
    : "No dependencies or file conflicts"
  return { canParallel: !dependencies && conflicts.length === 0, reason, conflicts }
}

/** Whether every task of the list could run at the same time: no dependencies between them, no file conflicts. */
export const canRunInParallel = (tasks: ReadonlyArray<GraphTask>): ParallelCheck => parallelCheck(tasks, findConflicts(tasks))

/** A validated task graph, by index into the task list. */
export interface TaskPlan {
  readonly ids: ReadonlyArray<string>
  /** indices each task waits for */
  readonly dependencies: ReadonlyArray<ReadonlyArray<number>>
  /** indices waiting for each task */
  readonly dependents: ReadonlyArray<ReadonlyArray<number>>
  /** topological order; among tasks ready at the same time, the earlier in the list comes first */
  readonly order: ReadonlyArray<number>
  /** indices of the tasks each task must not run at the same time as */
  readonly conflictsWith: ReadonlyArray<ReadonlySet<number>>
  readonly conflicts: ReadonlyArray<FileConflict>
}

const findCycle = (ids: ReadonlyArray<string>, dependencies: ReadonlyArray<ReadonlyArray<number>>, among: ReadonlySet<number>) => {
  // every node left after Kahn's algorithm waits on another left one: walking dependencies must revisit a node
  let start = Number.POSITIVE_INFINITY
  for (const i of among) start = Math.min(start, i)
  const seenAt = new Map<number, number>()
  const walk: Array<number> = []
  let node = start
  while (!seenAt.has(node)) {
    seenAt.set(node, walk.length)
    walk.push(node)
    node = dependencies[node]!.find((d) => among.has(d))!
  }
  const cycle = walk.slice(seenAt.get(node)!)
  return [...cycle, cycle[0]!].map((i) => ids[i]!)
}

/** A min-heap of task indices: among tasks ready at the same time, the earliest in the list goes first. */
class ReadyQueue {
  private readonly heap: Array<number> = []
  get size() {
    return this.heap.length
  }
  push(value: number) {
    const h = this.heap
    h.push(value)
    let i = h.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (h[parent]! <= value) break
      h[i] = h[parent]!
      i = parent
    }
    h[i] = value
  }
  pop(): number {
    const h = this.heap
    const top = h[0]!
    const last = h.pop()!
    if (h.length > 0) {
      let i = 0
      for (;;) {
        const left = 2 * i + 1
        if (left >= h.length) break
        const right = left + 1
        const child = right < h.length && h[right]! < h[left]! ? right : left
        if (h[child]! >= last) break
        h[i] = h[child]!
        i = child
      }
      h[i] = last
    }
    return top
  }
}

/**
 * Duplicate ids, unknown dependencies and cycles are errors; otherwise the plan to run the tasks by. A generator (see
 * `findConflictsSteps`); `planTasks` runs it at once, `planTasksInterruptibly` with turns of the event loop.
 */
export function* planTasksSteps(
  tasks: ReadonlyArray<GraphTask & { readonly id: string }>,
  options: PlanOptions = {}
): Steps<Either.Either<TaskPlan, TaskGraphError>> {
  const ids = tasks.map((t) => t.id)
  const indexOf = new Map<string, number>()
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!
    if (indexOf.has(id)) {
      return Either.left(new DuplicateTaskId({ id, indices: ids.flatMap((other, k) => (other === id ? [k] : [])) }))
    }
    indexOf.set(id, i)
  }
  const dependencies: Array<ReadonlyArray<number>> = []
  const dependents: Array<Array<number>> = ids.map(() => [])
  for (let i = 0; i < tasks.length; i++) {
    const task = tasks[i]!
    const deps: Array<number> = []
    for (const dep of task.dependsOn ?? []) {
      const index = indexOf.get(dep)
      if (index === undefined) return Either.left(new UnknownDependency({ taskId: task.id, dependency: dep }))
      if (!deps.includes(index)) {
        deps.push(index)
        dependents[index]!.push(i)
      }
    }
    dependencies.push(deps)
  }
  // each task's dependents are in list order already: they were added by increasing index
  yield

  const waiting = dependencies.map((deps) => deps.length)
  const order: Array<number> = []
  const ready = new ReadyQueue()
  for (let i = 0; i < ids.length; i++) if (waiting[i] === 0) ready.push(i)
  while (ready.size > 0) {
    const next = ready.pop()
    order.push(next)
    for (const d of dependents[next]!) if (--waiting[d]! === 0) ready.push(d)
  }
  if (order.length < ids.length) {
    const placed = new Set(order)
    const left = new Set(ids.flatMap((_, i) => (placed.has(i) ? [] : [i])))
    return Either.left(new DependencyCycle({ cycle: findCycle(ids, dependencies, left) }))
  }
  yield

  const conflicts = options.conflicts === false ? [] : yield* findConflictsSteps(tasks)
  const conflictsWith = ids.map(() => new Set<number>())
  for (const { tasks: [i, j] } of conflicts) {
    conflictsWith[i]!.add(j)
    conflictsWith[j]!.add(i)
  }
  return Either.right({ ids, dependencies, dependents, order, conflictsWith, conflicts })
}

export interface PlanOptions {
  /** false: the graph only (ids, dependencies, order), no file conflicts looked for (none in the plan) */
  readonly conflicts?: boolean | undefined
}

/** `planTasksSteps`, at once */
export const planTasks = (
  tasks: ReadonlyArray<GraphTask & { readonly id: string }>,
  options?: PlanOptions
): Either.Either<TaskPlan, TaskGraphError> => runSteps(planTasksSteps(tasks, options))

/** `planTasksSteps`, giving the event loop a turn every few ms: SIGINT stops a large check at once */
export const planTasksInterruptibly = (
  tasks: ReadonlyArray<GraphTask & { readonly id: string }>,
  options?: PlanOptions
): Effect.Effect<TaskPlan, TaskGraphError> => Effect.flatMap(runStepsInterruptibly(() => planTasksSteps(tasks, options)), (plan) => plan)

// ---------------------------------------------------------------------------------------------------------------
// Scheduling

export type TaskStatus = "pending" | "running" | "succeeded" | "failed" | "skipped"

export interface StartLimits {
  /** tasks running at once */
  readonly maxConcurrent: number
  /** tasks flagged true run one at a time among themselves (hybrid: those routed to Claude) */
  readonly oneAtATime?: ReadonlyArray<boolean> | undefined
}

/**
 * The pending tasks that may start now, in plan order: every dependency succeeded, no conflicting task is running
 * (or starting with them), and the limits hold.
 */
export const startable = (plan: TaskPlan, status: ReadonlyArray<TaskStatus>, limits: StartLimits): ReadonlyArray<number> => {
  const running = new Set(status.flatMap((s, i) => (s === "running" ? [i] : [])))
  const flagged = (i: number) => limits.oneAtATime?.[i] === true
  let flaggedRunning = [...running].some(flagged)
  const chosen: Array<number> = []
  for (const i of plan.order) {
    if (running.size >= Math.max(1, limits.maxConcurrent)) break
    if (status[i] !== "pending") continue
    if (!plan.dependencies[i]!.every((d) => status[d] === "succeeded")) continue
    if ([...plan.conflictsWith[i]!].some((c) => running.has(c))) continue
    if (flagged(i) && flaggedRunning) continue
    chosen.push(i)
    running.add(i)
    if (flagged(i)) flaggedRunning = true
  }
  return chosen
}

/**
 * After task `failed` failed or was skipped: every pending task that (transitively) waits for it, with the reason
 * it is skipped, naming the dependency it waited for directly.
 */
export const dependentsToSkip = (
  plan: TaskPlan,
  status: ReadonlyArray<TaskStatus>,
  failed: number
): ReadonlyArray<{ readonly index: number; readonly reason: string }> => {
  const skipped: Array<{ index: number; reason: string }> = []
  const done = new Set<number>()
  const visit = (from: number, fromWasSkipped: boolean) => {
    for (const d of plan.dependents[from]!) {
      if (status[d] !== "pending" || done.has(d)) continue
      done.add(d)
      const what = fromWasSkipped ? "was skipped" : "failed"
      skipped.push({ index: d, reason: `skipped: dependency "${plan.ids[from]}" ${what}` })
      visit(d, true)
    }
  }
  visit(failed, status[failed] === "skipped")
  return skipped
}
