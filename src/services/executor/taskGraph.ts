/**
 * The pure part of the parallel executor: validating the dependency graph, ordering it, finding file conflicts,
 * and deciding which tasks may start now.
 */
import * as Either from "effect/Either"
import { patternsOverlap } from "./globOverlap"
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

/** One entry per pair of tasks whose file patterns overlap. */
export const findConflicts = (tasks: ReadonlyArray<GraphTask>): ReadonlyArray<FileConflict> => {
  const conflicts: Array<FileConflict> = []
  for (let i = 0; i < tasks.length; i++) {
    for (let j = i + 1; j < tasks.length; j++) {
      const file = taskConflict(tasks[i]!, tasks[j]!)
      if (file !== undefined) conflicts.push({ file, tasks: [i, j] })
    }
  }
  return conflicts
}

/** Whether every task of the list could run at the same time: no dependencies between them, no file conflicts. */
export const canRunInParallel = (tasks: ReadonlyArray<GraphTask>): ParallelCheck => {
  const conflicts = findConflicts(tasks)
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
  const start = Math.min(...among)
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

/** Duplicate ids, unknown dependencies and cycles are errors; otherwise the plan to run the tasks by. */
export const planTasks = (tasks: ReadonlyArray<GraphTask & { readonly id: string }>): Either.Either<TaskPlan, TaskGraphError> => {
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
  for (const task of tasks) {
    const deps: Array<number> = []
    for (const dep of task.dependsOn ?? []) {
      const index = indexOf.get(dep)
      if (index === undefined) return Either.left(new UnknownDependency({ taskId: task.id, dependency: dep }))
      if (!deps.includes(index)) deps.push(index)
    }
    dependencies.push(deps)
  }
  const dependents = ids.map((_, i) => dependencies.flatMap((deps, k) => (deps.includes(i) ? [k] : [])))

  const waiting = dependencies.map((deps) => deps.length)
  const order: Array<number> = []
  const ready = new Set(ids.flatMap((_, i) => (waiting[i] === 0 ? [i] : [])))
  while (ready.size > 0) {
    const next = Math.min(...ready)
    ready.delete(next)
    order.push(next)
    for (const d of dependents[next]!) if (--waiting[d]! === 0) ready.add(d)
  }
  if (order.length < ids.length) {
    const placed = new Set(order)
    const left = new Set(ids.flatMap((_, i) => (placed.has(i) ? [] : [i])))
    return Either.left(new DependencyCycle({ cycle: findCycle(ids, dependencies, left) }))
  }

  const conflicts = findConflicts(tasks)
  const conflictsWith = ids.map(() => new Set<number>())
  for (const { tasks: [i, j] } of conflicts) {
    conflictsWith[i]!.add(j)
    conflictsWith[j]!.add(i)
  }
  return Either.right({ ids, dependencies, dependents, order, conflictsWith, conflicts })
}

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
