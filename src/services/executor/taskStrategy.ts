/**
 * The seed's execution-strategy helpers: simple keyword heuristics, each with the reason it fired.
 * They advise; routing itself is FusionRouter's (the executor uses `suggestedAgent` only when a task names none).
 */
import type { TaskType } from "./task"

export type Complexity = "low" | "medium" | "high"

/** What the heuristics read of a task. */
export interface AnalyzableTask {
  readonly description: string
  readonly type?: TaskType | undefined
  readonly agent?: string | undefined
  readonly files?: ReadonlyArray<string> | undefined
  readonly dependsOn?: ReadonlyArray<string> | undefined
  readonly timeout?: number | undefined
}

export interface TaskAnalysis {
  readonly inferredType: TaskType
  readonly complexity: Complexity
  /** ms: low 3 s, medium 8 s, high 20 s */
  readonly estimatedDuration: number
  /** the task's agent, else the agent the inferred type and complexity suggest */
  readonly suggestedAgent: string
  readonly reasons: ReadonlyArray<string>
}

/** First match wins. */
const TYPE_WORDS: ReadonlyArray<readonly [TaskType, RegExp]> = [
  ["test", /\b(tests?|testing|specs?|coverage|e2e)\b/i],
  ["review", /\b(review|audit|inspect|critique)\b/i],
  ["refactoring", /\b(refactor\w*|rename|extract|restructure|clean ?up)\b/i],
  ["documentation", /\b(docs?|document\w*|readme|changelog|comments?)\b/i],
  ["analysis", /\b(analy[sz]\w*|investigat\w*|explain|research|why|diagnos\w*|find out)\b/i]
]

const HIGH_WORDS = /\b(architect\w*|design|security|concurren\w*|distributed|entire|whole|across|system|performance)\b/i
const LOW_WORDS = /\b(typo|rename|format\w*|lint|comments?|readme|bump|tweak|small|simple)\b/i

const DURATION: Readonly<Record<Complexity, number>> = { low: 3_000, medium: 8_000, high: 20_000 }

/** agent per inferred type and complexity (names from the seed's agent table) */
const AGENTS: Readonly<Record<TaskType, Readonly<Record<Complexity, string>>>> = {
  analysis: { low: "explore", medium: "architect-medium", high: "architect" },
  implementation: { low: "executor-low", medium: "executor", high: "executor-high" },
  test: { low: "tdd-guide-low", medium: "qa-tester", high: "qa-tester-high" },
  review: { low: "code-reviewer-low", medium: "code-reviewer", high: "code-reviewer" },
  refactoring: { low: "executor-low", medium: "executor", high: "executor-high" },
  documentation: { low: "writer", medium: "writer", high: "writer" }
}

const WIDE_FILES = 5

export const analyzeTask = (task: AnalyzableTask): TaskAnalysis => {
  const reasons: Array<string> = []
  const text = task.description
  let inferredType: TaskType = "implementation"
  if (task.type !== undefined) {
    inferredType = task.type
    reasons.push(`type "${task.type}" given`)
  } else {
    const hit = TYPE_WORDS.find(([, re]) => re.test(text))
    if (hit !== undefined) {
      inferredType = hit[0]
      reasons.push(`type "${hit[0]}" from the word "${text.match(hit[1])![0]}"`)
    } else {
      reasons.push(`type "implementation" (no type word in the description)`)
    }
  }

  const files = task.files ?? []
  const high = text.match(HIGH_WORDS)
  const low = text.match(LOW_WORDS)
  let complexity: Complexity = "medium"
  if (high !== null) {
    complexity = "high"
    reasons.push(`complexity high from the word "${high[0]}"`)
  } else if (files.length >= WIDE_FILES || files.some((f) => f.startsWith("**"))) {
    complexity = "high"
    reasons.push(files.length >= WIDE_FILES ? `complexity high: ${files.length} file patterns` : "complexity high: a pattern covering the whole tree")
  } else if (low !== null) {
    complexity = "low"
    reasons.push(`complexity low from the word "${low[0]}"`)
  } else if (inferredType === "documentation") {
    complexity = "low"
    reasons.push("complexity low: documentation")
  } else {
    reasons.push("complexity medium (no size word)")
  }

  const suggestedAgent = task.agent ?? AGENTS[inferredType][complexity]
  reasons.push(task.agent !== undefined ? `agent "${task.agent}" given` : `agent "${suggestedAgent}" for ${complexity} ${inferredType}`)
  return { inferredType, complexity, estimatedDuration: DURATION[complexity], suggestedAgent, reasons }
}

/** `run`: a one-off call (Claude); `serve`: the persistent OpenCode server pool; `acp` is not used by omcm. */
export type ExecutionMode = "run" | "serve" | "acp"

export interface ExecutionStrategy {
  readonly mode: ExecutionMode
  /** no dependencies: can start with the first batch */
  readonly parallelizable: boolean
  /** the heuristics' advice; FusionRouter makes the actual decision */
  readonly routeToOpenCode: boolean
  readonly options: { readonly agent: string; readonly timeout: number | null; readonly estimatedDuration: number }
  readonly reason: string
}

/** High complexity and analysis/review work stays on Claude (`run`); the rest suits the OpenCode pool (`serve`). */
export const selectStrategy = (task: AnalyzableTask): ExecutionStrategy => {
  const analysis = analyzeTask(task)
  const claudeWork = analysis.complexity === "high" || analysis.inferredType === "analysis" || analysis.inferredType === "review"
  const parallelizable = (task.dependsOn ?? []).length === 0
  const why = claudeWork
    ? analysis.complexity === "high" ? "high complexity stays on Claude" : `${analysis.inferredType} work stays on Claude`
    : `${analysis.complexity} ${analysis.inferredType} work suits the OpenCode pool`
  return {
    mode: claudeWork ? "run" : "serve",
    parallelizable,
    routeToOpenCode: !claudeWork,
    options: { agent: analysis.suggestedAgent, timeout: task.timeout ?? null, estimatedDuration: analysis.estimatedDuration },
    reason: `${why}; ${parallelizable ? "no dependencies" : `waits for ${(task.dependsOn ?? []).join(", ")}`}`
  }
}
