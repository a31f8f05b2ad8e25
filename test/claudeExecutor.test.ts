import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Layer } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { ClaudeExecutor, type ClaudeExecutorOptions, resolveClaudeBin } from "../src/services/executor/ClaudeExecutor"
import { offlineClaudeEnv } from "./support/claudeHarness"
import { fakeAnthropic, type FakeAnthropicOptions } from "./support/fakeAnthropic"
import { processesUnder } from "./support/processes"
import { makeTempHome } from "./support/tempHome"

/** a temp home with a project dir, a fake API, and a ClaudeExecutor whose child sees only the offline env */
const setup = (fakeOptions: FakeAnthropicOptions = {}, executorOptions: ClaudeExecutorOptions = {}) =>
  Effect.gen(function*() {
    const home = yield* Effect.acquireRelease(Effect.sync(() => makeTempHome("omcm-claude-exec-")), (h) => Effect.sync(h.cleanup))
    const fake = yield* fakeAnthropic(fakeOptions)
    const cwd = path.join(home.root, "proj")
    fs.mkdirSync(cwd)
    const env = offlineClaudeEnv(home, fake.baseUrl) as Record<string, string>
    const executor = yield* ClaudeExecutor.pipe(
      Effect.provide(ClaudeExecutor.layerWithoutDependencies({ inheritEnv: false, env, ...executorOptions }).pipe(Layer.provide(NodeContext.layer)))
    )
    return { home, fake, cwd, executor }
  })

describe("ClaudeExecutor", () => {
  it.scopedLive("runs claude -p against the fake API and maps text, tokens, cost and model", () =>
    Effect.gen(function*() {
      const { cwd, executor, fake } = yield* setup({
        usage: { input_tokens: 100, output_tokens: 20, cache_read_input_tokens: 5, cache_creation_input_tokens: 7 }
      })
      const result = yield* executor.execute({ prompt: "hello executor", model: "sonnet", cwd, timeoutMs: 20_000 })
      expect(result.stdout).toBe("SUBAGENT-RAN: hello executor")
      expect(result.exitCode).toBe(0)
      expect(result.tokens).toEqual({ input: 100, output: 20, reasoning: 0, cacheRead: 5, cacheWrite: 7 })
      expect(result.cost).toBeGreaterThan(0)
      expect(result.provider).toBe("anthropic")
      expect(result.model).toMatch(/^claude-sonnet/)
      expect(fake.mainRequests().map((r) => (r.body as { model: string }).model)).toEqual([result.model])
    }))

  it.scopedLive("an API error reported with is_error becomes ClaudeFailed", () =>
    Effect.gen(function*() {
      const { cwd, executor } = yield* setup({ errorStatus: 400 })
      const error = yield* Effect.flip(executor.execute({ prompt: "fail please", cwd, timeoutMs: 20_000 }))
      expect(error._tag).toBe("ClaudeFailed")
      expect(error.message).toContain("FAKE-API-ERROR")
      expect(error.message).not.toContain("\n")
    }))

  it.scopedLive("a fake that never answers gives ClaudeTimeout and leaves no process behind", () =>
    Effect.gen(function*() {
      const { cwd, executor, fake, home } = yield* setup({ hang: true })
      const error = yield* Effect.flip(executor.execute({ prompt: "wait forever", cwd, timeoutMs: 4_000 }))
      expect(error._tag).toBe("ClaudeTimeout")
      expect(fake.mainRequests().length).toBeGreaterThan(0)
      expect(processesUnder(home.root)).toEqual([])
    }))

  it.scopedLive("interrupting a run kills the process", () =>
    Effect.gen(function*() {
      const { cwd, executor, fake, home } = yield* setup({ hang: true })
      const fiber = yield* Effect.fork(executor.execute({ prompt: "wait forever", cwd, timeoutMs: 60_000 }))
      yield* Effect.sleep("100 millis").pipe(Effect.repeat({ until: () => fake.mainRequests().length > 0, times: 200 }))
      expect(processesUnder(home.root).length).toBeGreaterThan(0)
      const exit = yield* Fiber.interrupt(fiber)
      expect(Exit.isInterrupted(exit)).toBe(true)
      expect(processesUnder(home.root)).toEqual([])
    }))

  it.scopedLive("a missing binary gives ClaudeNotFound", () =>
    Effect.gen(function*() {
      const { cwd, executor, home } = yield* setup({}, { bin: "/nonexistent/omcm-test/claude" })
      const error = yield* Effect.flip(executor.execute({ prompt: "x", cwd, timeoutMs: 5_000 }))
      expect(error._tag).toBe("ClaudeNotFound")
      expect(error.message).toContain("/nonexistent/omcm-test/claude")
      expect(processesUnder(home.root)).toEqual([])
    }))

  /** a stand-in for claude: a shell script in the temp home */
  const script = (home: { root: string }, body: string): string => {
    const file = path.join(home.root, "fake-claude.sh")
    fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 })
    return file
  }

  it.scopedLive("a process that ignores SIGTERM is killed with SIGKILL after the grace period", () =>
    Effect.gen(function*() {
      const { cwd, home } = yield* setup()
      const bin = script(home, "trap '' TERM\nsleep 60")
      const executor = yield* ClaudeExecutor.pipe(
        Effect.provide(ClaudeExecutor.layerWithoutDependencies({ bin, killGraceMs: 300 }).pipe(Layer.provide(NodeContext.layer)))
      )
      const error = yield* Effect.flip(executor.execute({ prompt: "x", cwd, timeoutMs: 500 }))
      expect(error._tag).toBe("ClaudeTimeout")
      // the group's other members (sleep) get the same SIGKILL; give the kernel a moment to reap them on a loaded box
      for (let i = 0; i < 20 && processesUnder(home.root).length > 0; i++) yield* Effect.sleep("100 millis")
      expect(processesUnder(home.root)).toEqual([])
    }))

  it.scopedLive("a non-zero exit gives ClaudeFailed with the stderr tail; exit 0 with non-JSON gives ClaudeBadOutput", () =>
    Effect.gen(function*() {
      const { cwd, home } = yield* setup()
      const run = (body: string) =>
        ClaudeExecutor.pipe(
          Effect.flatMap((e) => e.execute({ prompt: "x", cwd, timeoutMs: 5_000 })),
          Effect.provide(ClaudeExecutor.layerWithoutDependencies({ bin: script(home, body) }).pipe(Layer.provide(NodeContext.layer))),
          Effect.flip
        )
      const failed = yield* run("cat >/dev/null\necho 'first line' >&2\necho 'boom: bad flag' >&2\nexit 3")
      expect(failed).toMatchObject({ _tag: "ClaudeFailed", exitCode: 3, message: "claude exited with code 3: boom: bad flag" })
      expect(failed._tag === "ClaudeFailed" && failed.stderrTail).toContain("first line")
      const bad = yield* run("echo 'Welcome to claude'")
      expect(bad._tag).toBe("ClaudeBadOutput")
      expect(bad.message).toMatch(/^claude output: not valid JSON/)
    }))

  it("resolves the binary: option, then OMCM_CLAUDE_BIN, then PATH, then node_modules/.bin", () => {
    const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? "/tmp", "omcm-bin-"))
    try {
      const onPath = path.join(dir, "claude")
      fs.writeFileSync(onPath, "#!/bin/sh\n", { mode: 0o755 })
      expect(resolveClaudeBin("/x/claude", { OMCM_CLAUDE_BIN: "/y/claude", PATH: dir })).toBe("/x/claude")
      expect(resolveClaudeBin(undefined, { OMCM_CLAUDE_BIN: "/y/claude", PATH: dir })).toBe("/y/claude")
      expect(resolveClaudeBin(undefined, { PATH: `/nonexistent:${dir}` })).toBe(onPath)
      expect(resolveClaudeBin(undefined, { PATH: "/nonexistent" })).toMatch(/node_modules\/(\.bin|@anthropic-ai\/[^/]+)\/claude$/)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
