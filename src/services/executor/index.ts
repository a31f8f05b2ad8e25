export {
  ClaudeBadOutput,
  ClaudeExecutor,
  type ClaudeExecutorError,
  type ClaudeExecutorOptions,
  type ClaudeExecutorShape,
  ClaudeFailed,
  ClaudeNotFound,
  type ClaudeRequest,
  ClaudeTimeout,
  resolveClaudeBin
} from "./ClaudeExecutor"
export {
  canRunInParallel,
  parallelCheck,
  type ExecuteTasksOptions,
  type ExecutionStrategyName,
  Executor,
  type ExecutorError,
  type ExecutorShape,
  NoModelForProvider,
  type TaskObserver,
  type TaskRoute
} from "./Executor"
export { type ClaudeRunOptions, type OpencodeRunOptions, type TaskBackendError, TaskBackends, type TaskBackendsShape } from "./TaskBackends"
export {
  DependencyCycle,
  DuplicateTaskId,
  type Task,
  type TaskGraphError,
  type TaskInput,
  TaskListInvalid,
  type TaskResult,
  UnknownDependency
} from "./task"
export { readTaskFile } from "./taskFile"
export { planTasks, planTasksInterruptibly, type TaskPlan } from "./taskGraph"
