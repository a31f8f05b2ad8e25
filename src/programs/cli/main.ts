import { Args, CliConfig, Command, HelpDoc, Options } from "@effect/cli"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as Effect from "effect/Effect"
import { ConfigLive, HudLive, RoutingLive } from "../../layers/core"
import { Paths } from "../../services/config"
import { balancerCommand } from "./balancer"
import { configPath, configShow, configValidate } from "./config"
import { dashboardCommand } from "./dashboard"
import { demoCommand } from "./demo"
import { doctorCommand } from "./doctor"
import { setupCommand } from "./setup"
import { handoffCommand } from "./handoff"
import { installCommand, uninstallCommand } from "./install"
import { modelsCommand } from "./models"
import { poolCommand } from "./pool"
import { runCommand } from "./run"
import { routeProgram } from "./route"
import { runMain } from "../runMain"
import { wantsPlainText, withPlainConsole } from "../../lib/plainConsole"
import { statsCommand } from "./stats"
import { hookPartsInBundle } from "../hooks/inBundle"
import { statuslineProgram } from "../statusline"
import { tasksCommand } from "./tasks/commands"

export const VERSION = "0.1.0"

const json = Options.boolean("json").pipe(Options.withDescription("print one JSON object"))

const usagePercent = Options.float("usage").pipe(
  Options.withDescription("Claude usage % to assume (0-100), instead of the cached or fetched figure"),
  Options.optional
)

const mode = Options.choice("mode", ["hulw", "ulw", "autopilot", "off"]).pipe(
  Options.withDescription("fusion mode (default: a keyword found in --prompt, else off)"),
  Options.optional
)

const route = Command.make(
  "route",
  {
    agent: Args.text({ name: "agent" }).pipe(Args.withDescription("sub-agent name, e.g. oh-my-claudecode:executor")),
    prompt: Options.text("prompt").pipe(Options.withDescription("the sub-agent's prompt (mode keywords are detected in it)"), Options.optional),
    mode,
    usage: usagePercent,
    json
  },
  (args) => routeProgram(args).pipe(Effect.provide(RoutingLive))
).pipe(Command.withDescription("Show where a sub-agent call would run, and why"))

const configCommand = Command.make("config").pipe(
  Command.withDescription("Inspect and check the configuration files"),
  Command.withSubcommands([
    Command.make("show", { json }, ({ json }) => configShow(json).pipe(Effect.provide(ConfigLive)))
      .pipe(Command.withDescription("Print the effective configuration and where each value came from")),
    Command.make("validate", {}, () => configValidate.pipe(Effect.provide(ConfigLive)))
      .pipe(Command.withDescription("Check config.json and agent-mapping.json; exit 2 naming the first problem")),
    Command.make("path", {}, () => configPath.pipe(Effect.provide(Paths.layer)))
      .pipe(Command.withDescription("Print where omcm reads its files and keeps its state"))
  ])
)

const statusline = Command.make("statusline", {}, () =>
  statuslineProgram().pipe(
    Effect.provide(HudLive)
  )).pipe(Command.withDescription("Claude Code statusline command: caches rate limits from stdin and prints the omcm HUD"))

const hook = Command.make(
  "hook",
  {
    event: Args.choice(
      ["pre-tool-use", "post-tool-use", "user-prompt-submit", "session-start", "stop", "session-end"].map((e) => [e, e] as const),
      { name: "event" }
    )
  },
  ({ event }) =>
    Effect.promise(() => import("../hooks/main")).pipe(
      Effect.map((m) => m.main([event], undefined, hookPartsInBundle()))
    )
).pipe(Command.withDescription("Claude Code hook: reads the hook JSON on stdin; always exits 0 (a failure lets the call through)"))

const root = Command.make("omcm").pipe(
  Command.withDescription("Route Claude Code sub-agent work to cheaper providers through OpenCode"),
  Command.withSubcommands([
    demoCommand,
    route,
    runCommand,
    tasksCommand,
    handoffCommand,
    poolCommand,
    modelsCommand,
    statsCommand,
    dashboardCommand,
    balancerCommand,
    configCommand,
    statusline,
    hook,
    installCommand,
    uninstallCommand,
    doctorCommand,
    setupCommand
  ])
)

/**
 * @effect/cli's own options, listed by hand: its built-in list also offers `--wizard`, which cannot build most of
 * omcm's commands (subcommands with arguments), so the built-ins are hidden (CliConfig.showBuiltIns) and these shown.
 */
const globalOptions = HelpDoc.blocks([
  HelpDoc.h1("GLOBAL OPTIONS"),
  HelpDoc.p("-h, --help                               this help (also after a command: omcm pool start --help)"),
  HelpDoc.p("--version                                the version"),
  HelpDoc.p("--completions bash | zsh | fish | sh     print a shell completion script, e.g. omcm --completions bash >> ~/.bashrc")
])

const cli = Command.run(root, { name: "omcm", version: VERSION, footer: globalOptions })

const CliConfigLive = CliConfig.layer({ showBuiltIns: false })

export const main = (argv: ReadonlyArray<string>) => {
  const program = Effect.suspend(() => cli(argv)).pipe(Effect.provide(NodeContext.layer), Effect.provide(CliConfigLive))
  runMain(wantsPlainText(process.env, process.stdout.isTTY === true) ? withPlainConsole(program) : program)
}

