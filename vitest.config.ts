import * as os from "node:os"
import { defineConfig } from "vitest/config"

const sandbox = "test/support/sandboxHome.ts"
const build = "test/support/buildDist.ts"

// `fileParallelism`, `maxWorkers` and whether the pool starts a fresh worker per file are root-only options in
// vitest 3. The projects that must run one file at a time do so with `singleFork`: all their files in one worker,
// one after another, with the modules reset between files (`isolate`).
const oneFileAtATime = { forks: { singleFork: true, isolate: true } }

export default defineConfig({
  test: {
    // vitest's default is one worker fewer than the CPUs: a single one on a 2-core machine
    maxWorkers: os.availableParallelism(),
    // workers are reused from file to file (the unit files load the same modules: loading them once per worker
    // halves the unit run); each project says whether the modules are reset between files
    poolOptions: { forks: { isolate: false } },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          // in-process only: no dist/, no child processes; files run in parallel, in workers that keep the modules
          // they loaded from one file to the next
          include: ["test/unit/**/*.test.ts"],
          globalSetup: [sandbox],
          poolOptions: { forks: { isolate: false } },
          sequence: { groupOrder: 0 }
        }
      },
      {
        extends: true,
        test: {
          name: "integration",
          // the real OpenCode server, the bundled CLI, git, fake scripts: one file at a time keeps their timing
          // honest on a 2-core machine
          include: ["test/integration/**/*.test.ts"],
          globalSetup: [build, sandbox],
          poolOptions: oneFileAtATime,
          sequence: { groupOrder: 1 }
        }
      },
      {
        extends: true,
        test: {
          name: "e2e",
          // the real Claude Code CLI
          include: ["test/e2e/**/*.test.ts"],
          globalSetup: [build, sandbox],
          poolOptions: oneFileAtATime,
          sequence: { groupOrder: 2 }
        }
      }
    ]
  }
})
