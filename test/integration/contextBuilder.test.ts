import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option, TestClock } from "effect"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { serializeContextToJSON, serializeContextToMarkdown } from "../../src/services/context/handoffMarkdown"
import { ContextBuilder, handoffFiles } from "../../src/services/context/ContextBuilder"
import { makeTempHome, type TempHome } from "../support/tempHome"

const gitEnv = (home: TempHome): Record<string, string> => ({
  ...(home.env as Record<string, string>),
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_AUTHOR_NAME: "omcm test",
  GIT_AUTHOR_EMAIL: "test@omcm.invalid",
  GIT_COMMITTER_NAME: "omcm test",
  GIT_COMMITTER_EMAIL: "test@omcm.invalid"
})

/** a temp home, a project directory in it, and a ContextBuilder whose git sees only the temp home */
const setup = Effect.gen(function*() {
  const home = yield* Effect.acquireRelease(Effect.sync(() => makeTempHome("omcm-handoff-")), (h) => Effect.sync(h.cleanup))
  const project = path.join(home.root, "my project")
  fs.mkdirSync(project)
  const env = gitEnv(home)
  const git = (...args: ReadonlyArray<string>) => execFileSync("git", args, { cwd: project, env, stdio: "pipe" }).toString()
  const write = (file: string, content = `${file}\n`) => {
    fs.mkdirSync(path.dirname(path.join(project, file)), { recursive: true })
    fs.writeFileSync(path.join(project, file), content)
  }
  const builder = yield* ContextBuilder.pipe(Effect.provide(ContextBuilder.layerWithoutDependencies({ gitEnv: env })), Effect.provide(NodeContext.layer))
  return { home, project, git, write, builder }
})

/** a repository with one commit, then: modified, staged new file with spaces, rename, deletion, untracked files */
const changedRepo = Effect.gen(function*() {
  const s = yield* setup
  s.git("init", "-q", "-b", "main")
  for (const f of ["a.txt", "old name.txt", "gone.txt", "sub/keep.ts", "sub/edit.ts"]) s.write(f)
  s.git("add", "-A")
  s.git("commit", "-q", "-m", "init")
  s.write("a.txt", "changed\n")
  s.write("src/new file.ts")
  s.git("add", "src/new file.ts")
  s.git("mv", "old name.txt", "new name.txt")
  fs.rmSync(path.join(s.project, "gone.txt"))
  s.write("notes/todo list.md")
  s.write("ünïcode \"quoted\".txt")
  s.write("sub/edit.ts", "edited\n")
  return s
})

describe("ContextBuilder on a real git repository", () => {
  it.scoped("collects modified, added, renamed, deleted and untracked paths, spaces and quotes included", () =>
    Effect.gen(function*() {
      const { builder, project } = yield* changedRepo
      const { changes, git } = yield* builder.modifiedFiles(project)
      expect(git).toBe("ok")
      const byPath = [...changes].sort((a, b) => a.path.localeCompare(b.path))
      expect(byPath).toEqual([
        { path: "a.txt", status: "modified", from: null },
        { path: "gone.txt", status: "deleted", from: null },
        { path: "new name.txt", status: "renamed", from: "old name.txt" },
        { path: "notes/todo list.md", status: "untracked", from: null },
        { path: "src/new file.ts", status: "added", from: null },
        { path: "sub/edit.ts", status: "modified", from: null },
        { path: "ünïcode \"quoted\".txt", status: "untracked", from: null }
      ])
    }))

  it.scoped("paths are relative to a project that is a subdirectory of the repository", () =>
    Effect.gen(function*() {
      const { builder, project } = yield* changedRepo
      const { changes } = yield* builder.modifiedFiles(path.join(project, "sub"))
      expect(changes).toEqual([{ path: "edit.ts", status: "modified", from: null }])
    }))

  it.scoped("outside a git repository the list is empty, not an error, and the Markdown says why", () =>
    Effect.gen(function*() {
      const { builder, project } = yield* setup
      const context = yield* builder.buildContext({ sessionId: "s1", projectPath: project, task: { description: "Do it" } })
      expect(context.files).toEqual({ modified: [], referenced: [], changes: [] })
      expect(context.meta.git).toBe("not-a-repository")
      expect(serializeContextToMarkdown(context)).toContain("## Recently Modified Files\nnone (not a git repository)")
      const missing = yield* builder.modifiedFiles(path.join(project, "does-not-exist"))
      expect(missing).toEqual({ git: "unavailable", changes: [] })
    }))

  it.scoped("buildContext returns the seed's structure", () =>
    Effect.gen(function*() {
      const { builder, project } = yield* changedRepo
      yield* TestClock.setTime(Date.parse("2026-01-28T06:30:00Z"))
      const context = yield* builder.buildContext({
        sessionId: "session-abc123",
        projectPath: project,
        startTime: "2026-01-28T05:00:00Z",
        claudeUsage: { fiveHourUsage: 87, weeklyUsage: 45 },
        task: { description: "Implement user authentication", goal: "Add login and signup pages", constraints: ["Use JWT", "SQLite DB"] },
        todos: [
          { content: "Add password validation logic", status: "pending" },
          { content: "Implement session management", status: "in_progress" },
          { content: "Create the users table", status: "completed" }
        ],
        decisions: ["JWT token-based authentication selected"],
        learnings: ["Password hashing with bcrypt"]
      })
      expect(context.task).toEqual({ description: "Implement user authentication", goal: "Add login and signup pages", constraints: ["Use JWT", "SQLite DB"] })
      expect(context.todos).toEqual({
        pending: ["Add password validation logic"],
        inProgress: ["Implement session management"],
        completed: ["Create the users table"]
      })
      expect(context.decisions).toEqual({
        recent: [{ text: "JWT token-based authentication selected", source: "given" }],
        learnings: [{ text: "Password hashing with bcrypt", source: "given" }]
      })
      expect(context.files.modified).toContain("new name.txt")
      expect(context.meta).toEqual({
        sessionId: "session-abc123",
        projectPath: project,
        startTime: "2026-01-28T05:00:00Z",
        buildTime: "2026-01-28T06:30:00.000Z",
        claudeUsage: { fiveHourUsage: 87, weeklyUsage: 45 },
        mode: null,
        git: "ok",
        from: "Claude Code",
        to: "OpenCode",
        transcript: null,
        sources: { task: "given", todos: "given", files: "git status", notes: "given" }
      })
    }))

  it.scoped("bad input is one line naming the field", () =>
    Effect.gen(function*() {
      const { builder, project } = yield* setup
      const error = yield* Effect.flip(builder.buildContext({ sessionId: "s", projectPath: project, task: { description: "" } }))
      expect(error.message).toBe(`buildContext: task.description: expected a non-empty task description, got ""`)
    }))

  it.scoped("writeHandoff writes both files atomically; readHandoff reads back exactly what was written", () =>
    Effect.gen(function*() {
      const { builder, project } = yield* changedRepo
      expect(yield* builder.readHandoff(project)).toEqual(Option.none())
      const context = yield* builder.buildContext({
        sessionId: "s2",
        projectPath: project,
        task: { description: "Refactor authentication module" },
        todos: [{ content: "Split the controller", status: "pending" }]
      })
      const written = yield* builder.writeHandoff(context)
      const files = handoffFiles(project)
      expect(written).toEqual({ markdown: files.markdown, json: files.json })
      expect(fs.readdirSync(files.dir).sort()).toEqual(["context.json", "context.md"])
      expect(fs.readFileSync(files.markdown, "utf8")).toBe(serializeContextToMarkdown(context))
      expect(fs.readFileSync(files.json, "utf8")).toBe(serializeContextToJSON(context))
      expect(yield* builder.readHandoff(project)).toEqual(Option.some(context))
      // the handoff files are not reported as the project's modified files
      expect((yield* builder.modifiedFiles(project)).changes.map((c) => c.path)).not.toContain(".omcm/handoff/context.md")
      expect((yield* builder.modifiedFiles(project)).changes).toEqual(context.files.changes)

      // a handoff written before the session mode was recorded reads as mode unknown
      const written1 = JSON.parse(fs.readFileSync(files.json, "utf8"))
      delete written1.meta.mode
      fs.writeFileSync(files.json, JSON.stringify(written1))
      expect(Option.map(yield* builder.readHandoff(project), (c) => c.meta.mode)).toEqual(Option.some(null))

      fs.writeFileSync(files.json, JSON.stringify({ ...JSON.parse(fs.readFileSync(files.json, "utf8")), version: 2 }))
      const error = yield* Effect.flip(builder.readHandoff(project))
      expect(error._tag).toBe("HandoffReadError")
      expect(error.message).toBe(`${files.json}: version: expected 1, got 2`)
      fs.writeFileSync(files.json, "{torn")
      expect((yield* Effect.flip(builder.readHandoff(project))).message).toContain("not valid JSON")
    }))
})
