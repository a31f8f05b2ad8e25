import * as os from "node:os"
import { defineConfig } from "vitest/config"

const sandbox = "test/support/sandboxHome.ts"
const build = "test/support/buildDist.ts"

// `fileParallelism` and the number of workers are root options in vitest 3, but each pool has its own limit: unit
// runs on worker threads, in parallel; integration and e2e run on forks, one at a time.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    poolOptions: {
      // a thread per CPU (vitest's default leaves one out: a single worker on a 2-core machine), each running file
      // after file with the modules it already loaded. A file that changes `it` (@effect/vitest's `layer`) changes it
      // for the files after it in the same thread: that stays out of unit.
      threads: { maxThreads: os.availableParallelism(), minThreads: 1, isolate: false },
      // one file at a time, each in a fresh process: the real servers and CLIs they start keep their timing honest on
      // a 2-core machine
      forks: { maxForks: 1, minForks: 1 }
    },
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          // in-process only: no dist/, no child processes
          include: ["test/unit/**/*.test.ts"],
          globalSetup: [sandbox],
          pool: "threads",
          poolOptions: { threads: { isolate: false } },
          sequence: { groupOrder: 0 }
        }
      },
      {
        extends: true,
        test: {
          name: "integration",
          // the real OpenCode server, the bundled CLI (dist/), git, fake scripts
          include: ["test/integration/**/*.test.ts"],
          globalSetup: [build, sandbox],
          pool: "forks",
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
          pool: "forks",
          sequence: { groupOrder: 2 }
        }
      }
    ]
  }
})
