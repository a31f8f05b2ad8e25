import { NodeContext } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { ClaudeExecutor, type ClaudeExecutorOptions } from "../../src/services/executor/ClaudeExecutor"
import { offlineClaudeEnv } from "./claudeHarness"
import { fakeAnthropic, type FakeAnthropicOptions } from "./fakeAnthropic"
import { makeTempHome } from "./tempHome"

/** a temp home with a project dir, a fake API, and a ClaudeExecutor whose child sees only the offline env */
export const claudeExecutorSetup = (fakeOptions: FakeAnthropicOptions = {}, executorOptions: ClaudeExecutorOptions = {}) =>
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
