import * as Command from "@effect/platform/Command"
import * as CommandExecutor from "@effect/platform/CommandExecutor"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as NodeCommandExecutor from "@effect/platform-node/NodeCommandExecutor"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Either from "effect/Either"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { assembleContext } from "./assembleContext"
import { type FileChange, parsePorcelainZ } from "./gitStatus"
import { BuildContextInput, type GitState, HandoffContext, HandoffInputInvalid, HandoffReadError, HandoffWriteError, TodoItem } from "./handoff"
import { serializeContextToJSON, serializeContextToMarkdown } from "./handoffMarkdown"
import { projectFolderName, readTranscript, type TranscriptFacts } from "./transcript"
import { decodeUnknown, parseJson, readTextIfExists, writeFileAtomic } from "../../lib/jsonFile"
import { formatParseError } from "../../lib/schemaErrors"
import { ensureProjectStateDir } from "../config"
import { HANDOFF_DIR, handoffFiles, type HandoffName } from "./handoffFiles"

export { serializeContextToJSON, serializeContextToMarkdown } from "./handoffMarkdown"
export type { BuildContextInput, HandoffContext } from "./handoff"
export { handoffFiles, type HandoffName } from "./handoffFiles"

export interface ModifiedFiles {
  readonly git: GitState
  readonly changes: ReadonlyArray<FileChange>
}

export interface ContextBuilderShape {
  /**
   * the seed's context: what the input gives, the project's modified files from git (none, and no error, outside a
   * git repository) and what the session's transcript shows (`transcriptPath`, else the newest of the project)
   */
  readonly buildContext: (input: BuildContextInput) => Effect.Effect<HandoffContext, HandoffInputInvalid>
  /** the newest Claude Code transcript of the project (`<CLAUDE_CONFIG_DIR or ~/.claude>/projects/<project>/*.jsonl`) */
  readonly locateTranscript: (projectPath: string) => Effect.Effect<Option.Option<string>>
  /** what `git status` says changed under the project directory, paths relative to it (omcm's `.omcm/` left out) */
  readonly modifiedFiles: (projectPath: string) => Effect.Effect<ModifiedFiles>
  /**
   * write context.json, then context.md, each atomically (0600), under `<project>/.omcm/handoff/` (0700; `.omcm/`
   * carries a `.gitignore` of `*`)
   */
  readonly writeHandoff: (
    context: HandoffContext,
    name?: HandoffName
  ) => Effect.Effect<{ readonly markdown: string; readonly json: string }, HandoffWriteError>
  /** the last handoff written in the project; None when there is none */
  readonly readHandoff: (projectPath: string) => Effect.Effect<Option.Option<HandoffContext>, HandoffReadError>
}

export interface ContextBuilderOptions {
  /** the environment git runs with; default: this process's */
  readonly gitEnv?: Readonly<Record<string, string | undefined>> | undefined
  /** default 15 s */
  readonly gitTimeoutMs?: number | undefined
  /** where Claude Code keeps its transcripts: `CLAUDE_CONFIG_DIR`, else `HOME`/.claude; default: this process's */
  readonly claudeEnv?: Readonly<Record<string, string | undefined>> | undefined
  /** look for the project's newest transcript when the input names none (default true) */
  readonly findTranscript?: boolean | undefined
}

export class ContextBuilder extends Context.Tag("omcm/ContextBuilder")<ContextBuilder, ContextBuilderShape>() {
  static readonly layerWithoutDependencies = (options: ContextBuilderOptions = {}): Layer.Layer<ContextBuilder, never, CommandExecutor.CommandExecutor> =>
    Layer.effect(ContextBuilder, Effect.map(CommandExecutor.CommandExecutor, (executor) => makeContextBuilder(executor, options)))

  static readonly layer = ContextBuilder.layerWithoutDependencies().pipe(Layer.provide(NodeContext.layer))

  /** with only what running git needs (a hook: the Stop hook's automatic handoff) */
  static readonly layerLean = (options: ContextBuilderOptions = {}): Layer.Layer<ContextBuilder> =>
    ContextBuilder.layerWithoutDependencies(options).pipe(Layer.provide(NodeCommandExecutor.layer), Layer.provide(NodeFileSystem.layer))
}

const isOmcmFile = (p: string) => p === ".omcm" || p.startsWith(".omcm/")

interface GitRun {
  readonly exitCode: number
  readonly stdout: string
  readonly stderr: string
}

export const makeContextBuilder = (executor: CommandExecutor.CommandExecutor, options: ContextBuilderOptions = {}): ContextBuilderShape => {
  const env = Object.fromEntries(
    Object.entries({ ...(options.gitEnv ?? process.env), GIT_OPTIONAL_LOCKS: "0", LC_ALL: "C" }).filter(
      (entry): entry is [string, string] => entry[1] !== undefined
    )
  )
  const timeoutMs = options.gitTimeoutMs ?? 15_000

  /** None when git cannot be started or does not finish in time */
  const git = (cwd: string, ...args: ReadonlyArray<string>): Effect.Effect<Option.Option<GitRun>> =>
    Effect.scoped(
      Effect.gen(function*() {
        const proc = yield* executor.start(Command.make("git", ...args).pipe(Command.workingDirectory(cwd), Command.env(env, { extendEnv: false })))
        return yield* Effect.all({
          exitCode: Effect.map(proc.exitCode, Number),
          stdout: proc.stdout.pipe(Stream.decodeText(), Stream.mkString),
          stderr: proc.stderr.pipe(Stream.decodeText(), Stream.mkString)
        }, { concurrency: "unbounded" })
      })
    ).pipe(
      Effect.timeout(Duration.millis(timeoutMs)),
      Effect.option
    )

  const modifiedFiles = (projectPath: string): Effect.Effect<ModifiedFiles> =>
    Effect.gen(function*() {
      const prefix = yield* git(projectPath, "rev-parse", "--show-prefix")
      if (Option.isNone(prefix)) return { git: "unavailable", changes: [] }
      if (prefix.value.exitCode !== 0) {
        const notRepo = /not a git repository/i.test(prefix.value.stderr)
        return { git: notRepo ? "not-a-repository" : "unavailable", changes: [] }
      }
      const status = yield* git(projectPath, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--", ".")
      if (Option.isNone(status) || status.value.exitCode !== 0) return { git: "unavailable", changes: [] }
      // omcm's own files (the handoff itself) are not the project's work
      const changes = parsePorcelainZ(status.value.stdout, prefix.value.stdout.trim()).filter((c) => !isOmcmFile(c.path))
      return { git: "ok", changes }
    })

  const claudeEnv = options.claudeEnv ?? process.env
  const claudeConfigDir = claudeEnv["CLAUDE_CONFIG_DIR"] ?? path.join(claudeEnv["HOME"] ?? os.homedir(), ".claude")

  const locateTranscript = (projectPath: string): Effect.Effect<Option.Option<string>> =>
    Effect.promise(async () => {
      const dir = path.join(claudeConfigDir, "projects", projectFolderName(path.resolve(projectPath)))
      const names = await fs.readdir(dir).catch(() => [] as Array<string>)
      const stats = await Promise.all(
        names.filter((n) => n.endsWith(".jsonl")).map(async (n) => {
          const file = path.join(dir, n)
          const stat = await fs.stat(file).catch(() => undefined)
          return stat?.isFile() === true ? { file, mtime: stat.mtimeMs } : undefined
        })
      )
      const newest = stats.filter((s) => s !== undefined).sort((a, b) => b.mtime - a.mtime)[0]
      return Option.fromNullable(newest?.file)
    })

  const transcriptOf = (input: typeof BuildContextInput.Type) =>
    Effect.gen(function*() {
      const file = input.transcriptPath !== undefined
        ? Option.some(input.transcriptPath)
        : options.findTranscript === false
        ? Option.none<string>()
        : yield* locateTranscript(input.projectPath)
      if (Option.isNone(file)) return null
      const text = yield* readTextIfExists(file.value).pipe(
        Effect.mapError((e) => new HandoffInputInvalid({ message: `transcript: cannot read ${file.value} (${e.code ?? e.message})` }))
      )
      if (Option.isNone(text)) {
        return yield* new HandoffInputInvalid({ message: `transcript: ${file.value} does not exist` })
      }
      const facts: TranscriptFacts = readTranscript(text.value)
      return { path: file.value, facts }
    })

  /** Claude Code's todo file of a session; none when missing or unreadable (it is only a fallback) */
  const todoFileOf = (sessionId: string | null) =>
    Effect.gen(function*() {
      if (sessionId === null || !/^[\w-]+$/.test(sessionId)) return null
      const file = path.join(claudeConfigDir, "todos", `${sessionId}-agent-${sessionId}.json`)
      const text = yield* Effect.orElseSucceed(readTextIfExists(file), () => Option.none<string>())
      if (Option.isNone(text)) return null
      const items = yield* parseJson(text.value).pipe(Effect.flatMap(decodeUnknown(Schema.Array(TodoItem), { strict: false })), Effect.option)
      return Option.match(items, { onNone: () => null, onSome: (items) => ({ path: file, items }) })
    })

  const buildContext = (raw: BuildContextInput) =>
    Effect.gen(function*() {
      const input = yield* decodeUnknown(BuildContextInput)(raw).pipe(
        Effect.mapError((error) => new HandoffInputInvalid({ message: formatParseError("buildContext", raw, error) }))
      )
      const [found, transcript] = yield* Effect.all([modifiedFiles(input.projectPath), transcriptOf(input)], { concurrency: 2 })
      const todoFile = transcript !== null && transcript.facts.todos === null ? yield* todoFileOf(transcript.facts.sessionId) : null
      const buildTime = new Date(yield* Clock.currentTimeMillis).toISOString()
      return yield* Either.mapLeft(
        assembleContext(input, { ...found, buildTime, transcript, todoFile }),
        (e) => new HandoffInputInvalid({ message: e.message })
      )
    })

  const writeHandoff = (context: HandoffContext, name: HandoffName = "context") => {
    const files = handoffFiles(context.meta.projectPath, name)
    const cannot = (file: string) => (error: NodeJS.ErrnoException) =>
      new HandoffWriteError({ file, message: `cannot write ${file} (${error.code ?? error.message})` })
    const write = (file: string, content: string) => writeFileAtomic(file, content).pipe(Effect.mapError(cannot(file)))
    return Effect.gen(function*() {
      yield* ensureProjectStateDir(context.meta.projectPath, HANDOFF_DIR).pipe(Effect.mapError(cannot(files.dir)))
      yield* write(files.json, serializeContextToJSON(context))
      yield* write(files.markdown, serializeContextToMarkdown(context))
      return { markdown: files.markdown, json: files.json }
    })
  }

  const readHandoff = (projectPath: string) => {
    const file = handoffFiles(projectPath).json
    const fail = (message: string) => new HandoffReadError({ file, message })
    return readTextIfExists(file).pipe(
      Effect.mapError((error) => fail(`cannot read ${file} (${error.code ?? error.message})`)),
      Effect.flatMap(Option.match({
        onNone: () => Effect.succeedNone,
        onSome: (text) =>
          parseJson(text).pipe(
            Effect.mapError((why) => fail(`${file}: ${why}`)),
            Effect.flatMap((json) =>
              decodeUnknown(HandoffContext)(json).pipe(Effect.mapError((error) => fail(formatParseError(file, json, error))))
            ),
            Effect.map(Option.some)
          )
      }))
    )
  }

  return { buildContext, locateTranscript, modifiedFiles, writeHandoff, readHandoff }
}
