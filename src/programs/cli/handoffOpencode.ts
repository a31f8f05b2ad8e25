/** `omcm handoff --to opencode [--open]` and `omcm handoff --from opencode <session>`: a handoff both ways. */
import * as Command from "@effect/platform/Command"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { Config, Paths } from "../../services/config"
import { ContextBuilder, type HandoffContext } from "../../services/context"
import { type ContextSynchronizer, makeContextSynchronizer, type PushedContext } from "../../services/context-sync"
import { makeServerPool, OpenCodeClient, poolOptionsFromConfig } from "../../services/pool"

/** The synchronizer on a one-server pool of this process for the project; the server stops when `use` is done. */
const withSynchronizer = <A, E, R>(projectDir: string, use: (sync: ContextSynchronizer["Type"]) => Effect.Effect<A, E, R>) =>
  Effect.scoped(Effect.gen(function*() {
    const { config } = yield* Config
    const options = yield* poolOptionsFromConfig(config, yield* Paths, { minServers: 1, maxServers: 1, inProcess: true, projectDir })
    const pool = yield* makeServerPool({ ...options, autoScale: false })
    yield* pool.initialize
    const server = yield* pool.server
    return { result: yield* use(makeContextSynchronizer(yield* OpenCodeClient, server)), bin: options.opencodeBin }
  }))

/** Push the handoff just written into a new OpenCode session (the server stops afterwards: the session is stored). */
export const pushToOpencode = (context: HandoffContext) =>
  Effect.map(withSynchronizer(context.meta.projectPath, (sync) => sync.pushContext(context)), ({ bin, result }) => ({ ...result, bin }))

/** OpenCode's terminal UI on a pushed session, in the foreground */
export const openInOpencode = (pushed: PushedContext & { readonly bin: string }) =>
  Effect.asVoid(
    Command.make(pushed.bin, pushed.directory, "--session", pushed.sessionId).pipe(
      Command.workingDirectory(pushed.directory),
      Command.stdin("inherit"),
      Command.stdout("inherit"),
      Command.stderr("inherit"),
      Command.exitCode
    )
  )

/** Read an OpenCode session of the current directory back into `.omcm/handoff/from-opencode.md` and `.json`. */
export const pullFromOpencode = (sessionId: string, options: { readonly json: boolean }) =>
  Effect.gen(function*() {
    const directory = process.cwd()
    const { result: context } = yield* withSynchronizer(directory, (sync) => sync.pullContext({ sessionId, directory }))
    const written = yield* Effect.flatMap(ContextBuilder, (b) => b.writeHandoff(context, "from-opencode"))
    const t = context.todos
    yield* Console.log(
      options.json
        ? JSON.stringify({ ...written, context })
        : `omcm: OpenCode session ${sessionId} read back into ${written.markdown} (and ${written.json}); ` +
          `${t.pending.length + t.inProgress.length} open and ${t.completed.length} done TODO(s), ${context.files.modified.length} changed file(s). ` +
          "The next Claude Code session started here gets it once."
    )
  })
