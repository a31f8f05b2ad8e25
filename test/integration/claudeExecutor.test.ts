import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { ClaudeExecutor } from "../../src/services/executor/ClaudeExecutor"
import { claudeExecutorSetup as setup } from "../support/claudeExecutor"
import { processesUnder } from "../support/processes"

describe("ClaudeExecutor", () => {
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
})
