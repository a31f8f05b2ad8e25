import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber } from "effect"
import { claudeExecutorSetup as setup } from "../support/claudeExecutor"
import { processesUnder } from "../support/processes"

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
})
