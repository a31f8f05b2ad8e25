export { ClaudeExecutor, type ClaudeExecutorError } from "./ClaudeExecutor"
export {
  canRunInParallel,
  parallelCheck,
  type ExecuteTasksOptions,
  type ExecutionStrategyName,
  Executor,
  type ExecutorError,
  type TaskObserver,
  type TaskRoute
} from "./Executor"
export { TaskBackends } from "./TaskBackends"
export { type Task, type TaskResult } from "./task"
export { readTaskFile } from "./taskFile"
export { planTasks, planTasksInterruptibly, type TaskPlan } from "./taskGraph"
