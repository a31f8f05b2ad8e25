import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // integration tests start real OpenCode servers and Claude Code processes on a 2-core machine:
    // one file at a time keeps their timing honest
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ["test/support/globalSetup.ts"]
  }
})
