import { FetchHttpClient, HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Option, TestClock } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { makeClaudeUsage } from "../../src/services/router/ClaudeUsage"
import { fetchOauthUsage } from "../../src/services/router/oauthUsage"
import { Config, type DeepPartial } from "../../src/services/config/Config"
import type { OmcmConfig } from "../../src/domain/configSchema"
import { testServer } from "../support/httpServer"
import { makeTempHome } from "../support/tempHome"

type OauthMode = "ok" | "401" | "429" | "slow" | "garbage" | "500"

const withHome = <A, E, R>(f: (home: ReturnType<typeof makeTempHome>) => Effect.Effect<A, E, R>) =>
  Effect.acquireUseRelease(Effect.sync(() => makeTempHome()), f, (home) => Effect.sync(home.cleanup))

const oauthServer = (mode: { current: OauthMode }, seen: Array<Record<string, string | string[] | undefined>>) =>
  testServer((req, res) => {
    seen.push(req.headers)
    if (req.url !== "/api/oauth/usage") {
      res.writeHead(404).end()
      return
    }
    switch (mode.current) {
      case "ok":
        res.writeHead(200, { "content-type": "application/json" })
        res.end(JSON.stringify({ five_hour: { utilization: 42, resets_at: "2026-11-24T05:00:00Z" }, seven_day: { utilization: 77.5, resets_at: null } }))
        return
      case "401":
        res.writeHead(401).end("{}")
        return
      case "429":
        res.writeHead(429, { "retry-after": "30" }).end("{}")
        return
      case "500":
        res.writeHead(500).end("oops")
        return
      case "garbage":
        res.writeHead(200, { "content-type": "application/json" }).end("{not json")
        return
      case "slow":
        setTimeout(() => res.writeHead(200).end("{}"), 5_000)
        return
    }
  })

const makeUsage = (
  home: ReturnType<typeof makeTempHome>,
  overrides: DeepPartial<OmcmConfig> = {},
  env: NodeJS.ProcessEnv = {}
) =>
  Effect.map(HttpClient.HttpClient, (client) => {
    const config = Config.make(overrides).config
    const fetchUsage = (token: string) =>
      fetchOauthUsage(config.usage.oauth, token).pipe(Effect.provideService(HttpClient.HttpClient, client))
    return makeClaudeUsage({ config, paths: home.paths, fetchUsage, env })
  })

const writeCredentials = (home: ReturnType<typeof makeTempHome>) => {
  fs.mkdirSync(home.paths.claudeConfigDir, { recursive: true })
  fs.writeFileSync(path.join(home.paths.claudeConfigDir, ".credentials.json"), JSON.stringify({ claudeAiOauth: { accessToken: "tok-123" } }))
}

describe("ClaudeUsage sources", () => {
  it.effect("the --usage override wins, then OMCM_CLAUDE_USAGE", () =>
    withHome((home) =>
      Effect.gen(function*() {
        const usage = yield* makeUsage(home, {}, { OMCM_CLAUDE_USAGE: "33" })
        expect(yield* usage.current({ override: 91 })).toMatchObject({ percent: 91, source: "override" })
        expect(yield* usage.current()).toMatchObject({ percent: 33, source: "override" })
        const bad = yield* makeUsage(home, {}, { OMCM_CLAUDE_USAGE: "lots" })
        const error = yield* Effect.flip(bad.current())
        expect(error.message).toBe(`OMCM_CLAUDE_USAGE: expected a number from 0 to 100, got "lots"`)
      })
    ).pipe(Effect.provide(FetchHttpClient.layer)))

  it.effect("uses the statusline cache while it is fresh: max(5-hour, weekly)", () =>
    withHome((home) =>
      Effect.gen(function*() {
        yield* TestClock.setTime(1_000_000)
        const usage = yield* makeUsage(home, { usage: { statuslineMaxAgeSeconds: 60, oauth: { enabled: false } } })
        yield* usage.saveStatusline({
          rate_limits: { five_hour: { used_percentage: 12, resets_at: 5_000 }, seven_day: { used_percentage: 64, resets_at: 9_000 } }
        })
        expect(yield* usage.current()).toEqual({ percent: 64, fiveHour: 12, weekly: 64, source: "statusline" })
        yield* TestClock.adjust("59 seconds")
        expect((yield* usage.current()).source).toBe("statusline")
        yield* TestClock.adjust("2 seconds")
        expect(yield* usage.current()).toMatchObject({ percent: 0, source: "unknown" })
      })
    ).pipe(Effect.provide(FetchHttpClient.layer)))

  it.effect("a window whose reset time has passed counts as 0", () =>
    withHome((home) =>
      Effect.gen(function*() {
        yield* TestClock.setTime(1_000_000)
        const usage = yield* makeUsage(home, { usage: { oauth: { enabled: false } } })
        yield* usage.saveStatusline({
          rate_limits: { five_hour: { used_percentage: 95, resets_at: 1_010 }, seven_day: { used_percentage: 40, resets_at: 99_999 } }
        })
        expect((yield* usage.current()).percent).toBe(95)
        yield* TestClock.adjust("11 seconds")
        expect(yield* usage.current()).toMatchObject({ percent: 40, fiveHour: 0 })
      })
    ).pipe(Effect.provide(FetchHttpClient.layer)))

  it.effect("ignores a torn or foreign cache file", () =>
    withHome((home) =>
      Effect.gen(function*() {
        fs.mkdirSync(home.paths.stateDir, { recursive: true })
        fs.writeFileSync(home.paths.usageCacheFile, "{\"updatedAt\": 12")
        const usage = yield* makeUsage(home, { usage: { oauth: { enabled: false } } })
        expect((yield* usage.current()).source).toBe("unknown")
      })
    ).pipe(Effect.provide(FetchHttpClient.layer)))
})

describe("ClaudeUsage OAuth endpoint (loopback fake)", () => {
  const setup = (mode: { current: OauthMode }, seen: Array<Record<string, string | string[] | undefined>>) =>
    Effect.gen(function*() {
      const server = yield* oauthServer(mode, seen)
      return { server }
    })

  it.scoped("fetches with the bearer token, beta header and user agent, and caches success for 30 s", () =>
    withHome((home) =>
      Effect.gen(function*() {
        const mode = { current: "ok" as OauthMode }
        const seen: Array<Record<string, string | string[] | undefined>> = []
        const { server } = yield* setup(mode, seen)
        writeCredentials(home)
        const usage = yield* makeUsage(home, { usage: { oauth: { baseUrl: server.url } } })
        expect(yield* usage.current()).toEqual({ percent: 77.5, fiveHour: 42, weekly: 77.5, source: "oauth" })
        expect(seen[0]).toMatchObject({ authorization: "Bearer tok-123", "anthropic-beta": "oauth-2025-04-20", "user-agent": "claude-code/2.1.330" })
        yield* TestClock.adjust("29 seconds")
        yield* usage.current()
        expect(seen).toHaveLength(1)
        yield* TestClock.adjust("2 seconds")
        yield* usage.current()
        expect(seen).toHaveLength(2)
      })
    ).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scoped.each(["401", "429", "garbage", "500"] as const)("%s means unknown usage, cached for 15 s", (failure) =>
    withHome((home) =>
      Effect.gen(function*() {
        const mode = { current: failure as OauthMode }
        const seen: Array<Record<string, string | string[] | undefined>> = []
        const { server } = yield* setup(mode, seen)
        writeCredentials(home)
        const usage = yield* makeUsage(home, { usage: { oauth: { baseUrl: server.url } } })
        expect((yield* usage.current()).source).toBe("unknown")
        mode.current = "ok"
        yield* TestClock.adjust("14 seconds")
        expect((yield* usage.current()).source).toBe("unknown")
        expect(seen).toHaveLength(1)
        yield* TestClock.adjust("2 seconds")
        expect((yield* usage.current()).source).toBe("oauth")
        const cache = JSON.parse(fs.readFileSync(home.paths.oauthCacheFile, "utf8"))
        expect(cache.ok).toBe(true)
      })
    ).pipe(Effect.provide(FetchHttpClient.layer)))

  it.live("gives up after the timeout", () =>
    Effect.scoped(withHome((home) =>
      Effect.gen(function*() {
        const seen: Array<Record<string, string | string[] | undefined>> = []
        const { server } = yield* setup({ current: "slow" }, seen)
        writeCredentials(home)
        const usage = yield* makeUsage(home, { usage: { oauth: { baseUrl: server.url, timeoutSeconds: 0.3 } } })
        const started = Date.now()
        expect((yield* usage.current()).source).toBe("unknown")
        expect(Date.now() - started).toBeLessThan(4_000)
        const cache = JSON.parse(fs.readFileSync(home.paths.oauthCacheFile, "utf8"))
        expect(cache.error).toMatch(/^timeout/)
      })
    )).pipe(Effect.provide(FetchHttpClient.layer)))

  it.effect("never asks the network without credentials or when not allowed", () =>
    withHome((home) =>
      Effect.gen(function*() {
        const usage = yield* makeUsage(home, { usage: { oauth: { baseUrl: "http://127.0.0.1:9" } } })
        expect((yield* usage.current()).source).toBe("unknown")
        writeCredentials(home)
        expect((yield* usage.current({ allowNetwork: false })).source).toBe("unknown")
        expect(fs.existsSync(home.paths.oauthCacheFile)).toBe(false)
        const either = yield* Effect.either(usage.current())
        expect(Either.isRight(either)).toBe(true)
        expect(Option.isNone(yield* usage.readStatuslineCache)).toBe(true)
      })
    ).pipe(Effect.provide(FetchHttpClient.layer)))
})
