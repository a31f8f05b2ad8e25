import { Args, Command, Options } from "@effect/cli"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { HookLive, RoutingLive } from "../../../layers/core"
import { ProviderBalancer } from "../../../services/balancer"
import { DaemonClient } from "../../../services/daemon"
import { Executor, TaskBackends } from "../../../services/executor"
import { tasksCheck } from "./check"
import { tasksRun } from "./run"

const file = Args.file({ name: "file.json" }).pipe(
  Args.withDescription("a JSON list of tasks, or { \"tasks\": [...] }: id, description, dependsOn, files, agent, provider, type, timeout")
)
const mode = Options.choice("mode", ["hulw", "ulw", "autopilot", "off"]).pipe(
  Options.withDescription("fusion mode for every task (default: a keyword in the task, else the current session's, else off)"),
  Options.optional
)
const json = Options.boolean("json").pipe(Options.withDescription("print one JSON object"))

/** routing only: a dry run calls no backend */
const unused = Effect.dieMessage("tasks check runs nothing")
const PlanLive = Executor.layerWithoutDependencies.pipe(
  Layer.provide([TaskBackends.make({ opencode: () => unused, claude: () => unused }), ProviderBalancer.layer]),
  Layer.provideMerge(RoutingLive)
)

/** routing, tracking, and the run's backends: the pool daemon or one in-process pool, and claude -p */
const RunLive = Layer.suspend(() => Layer.mergeAll(Executor.layer({ projectDir: process.cwd() }), DaemonClient.layer, HookLive))

const check = Command.make("check", { file, mode, json }, (args) => tasksCheck(args).pipe(Effect.provide(PlanLive))).pipe(
  Command.withDescription("Validate a task file: the dependency graph, file conflicts, and where each task would run")
)

const run = Command.make(
  "run",
  {
    file,
    max: Options.integer("max").pipe(Options.withDescription("tasks running at once, 1-64 (default 3)"), Options.optional),
    strategy: Options.choice("strategy", ["parallel", "sequential", "hybrid"]).pipe(
      Options.withDescription("hybrid (default): Claude tasks one at a time, OpenCode ones in parallel"),
      Options.optional
    ),
    mode,
    json
  },
  (args) => tasksRun(args).pipe(Effect.provide(RunLive))
).pipe(Command.withDescription("Run a task file's graph: dependency order, no two overlapping tasks at once, each on Claude or OpenCode"))

export const tasksCommand = Command.make("tasks").pipe(
  Command.withDescription("Check and run graphs of tasks"),
  Command.withSubcommands([check, run])
)
