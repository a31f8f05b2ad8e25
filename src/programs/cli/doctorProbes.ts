/** What `omcm doctor` looks at: binaries and their versions, OpenCode's catalog, settings, caches, the daemon. */
import * as Command from "@effect/platform/Command"
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as Schema from "effect/Schema"
import type { OmcmConfig } from "../../domain/configSchema"
import { decodeUnknown, parseJson, readTextIfExists } from "../../lib/jsonFile"
import { isSameProcess } from "../../lib/processes"
import type { PathsShape } from "../../services/config"
import { DaemonClient, readDaemonState } from "../../services/daemon"
import type { BinaryFound, CatalogRead, DaemonFacts, UsageFacts } from "../../services/doctor"
import { resolveClaudeBin } from "../../services/executor"
import { resolveBinary } from "../../services/pool"
import { OauthCache, UsageCache } from "../../services/router"
import * as fs from "node:fs"
import { readCatalogNow, ModelsLive } from "./models"

const oneLine = (text: string) => text.replace(/\s+/g, " ").trim().slice(0, 200)

/** `<bin> --version`: its first version-looking word */
const versionOf = (bin: string): Effect.Effect<BinaryFound, never, CommandExecutor.CommandExecutor> =>
  Command.string(Command.make(bin, "--version")).pipe(
    Effect.timeoutFail({ duration: "20 seconds", onTimeout: () => "timed out after 20 s" }),
    Effect.map((out): BinaryFound => {
      const version = /\d+\.\d+\.\d+[\w.-]*/.exec(out)?.[0] ?? null
      return { _tag: "Found", path: bin, version, error: version === null ? `unexpected output ${JSON.stringify(oneLine(out))}` : null }
    }),
    Effect.catchAll((e) => Effect.succeed<BinaryFound>({ _tag: "Found", path: bin, version: null, error: typeof e === "string" ? e : oneLine(e.message) }))
  )

export const probeOpencode = (config: OmcmConfig) =>
  resolveBinary("opencode", config.pool.opencodeBin, "OMCM_OPENCODE_BIN", process.env).pipe(
    Effect.matchEffect({
      onFailure: (e) => Effect.succeed<BinaryFound>({ _tag: "Missing", tried: e.tried }),
      onSuccess: versionOf
    })
  )

export const probeClaude = (config: OmcmConfig) => {
  const bin = resolveClaudeBin(config.claude.bin ?? undefined, process.env)
  return bin === undefined
    ? Effect.succeed<BinaryFound>({ _tag: "Missing", tried: ["$OMCM_CLAUDE_BIN", "claude on PATH", "node_modules/.bin/claude"] })
    : versionOf(bin)
}

/** OpenCode's catalog read now, as `omcm models` reads it (the daemon's, else a short-lived server's) */
export const probeCatalog: Effect.Effect<CatalogRead> = readCatalogNow(true).pipe(
  Effect.map(({ catalog, origin }): CatalogRead => ({ _tag: "Read", catalog, origin: origin === "daemon" ? "the pool daemon" : "a short-lived OpenCode server" })),
  Effect.provide(ModelsLive),
  Effect.catchAll((e) => Effect.succeed<CatalogRead>({ _tag: "Unreadable", error: "message" in e && typeof e.message === "string" && e.message.length > 0 ? oneLine(e.message) : e._tag })),
  Effect.scoped
)

const readCache = <A, I>(file: string, schema: Schema.Schema<A, I>): Effect.Effect<Option.Option<A>> =>
  readTextIfExists(file).pipe(
    Effect.flatMap(Option.match({
      onNone: () => Effect.succeedNone,
      onSome: (text) => parseJson(text).pipe(Effect.flatMap(decodeUnknown(schema)), Effect.map(Option.some))
    })),
    Effect.orElseSucceed(() => Option.none<A>())
  )

export const probeUsage = (paths: PathsShape, maxAgeSeconds: number): Effect.Effect<UsageFacts> =>
  Effect.gen(function*() {
    const statusline = yield* readCache(paths.usageCacheFile, UsageCache)
    const oauth = yield* readCache(paths.oauthCacheFile, OauthCache)
    return {
      now: Date.now(),
      maxAgeSeconds,
      statuslineUpdatedAt: Option.match(statusline, { onNone: () => null, onSome: (c) => c.updatedAt }),
      oauth: Option.match(oauth, { onNone: () => null, onSome: (c) => ({ fetchedAt: c.fetchedAt, ok: c.ok, error: c.error }) })
    }
  })

export const probeDaemon = (paths: PathsShape): Effect.Effect<DaemonFacts> =>
  Effect.gen(function*() {
    const state = yield* readDaemonState(paths.daemonFile).pipe(Effect.map(Option.filter((d) => isSameProcess(d.pid, d.startTicks))))
    if (Option.isNone(state)) return { _tag: "NotRunning", paused: fs.existsSync(paths.autostartPausedFile) } as const
    const daemon = state.value
    const status = yield* Effect.either(Effect.flatMap(DaemonClient, (c) => c.status(daemon)).pipe(Effect.provide(DaemonClient.layer)))
    return Either.match(status, {
      onLeft: (e): DaemonFacts => ({ _tag: "Unreachable", pid: daemon.pid, apiPort: daemon.apiPort, error: oneLine(e.message) }),
      onRight: (s): DaemonFacts => ({
        _tag: "Running",
        pid: daemon.pid,
        apiPort: daemon.apiPort,
        servers: s.servers.map((x) => ({ port: x.port, status: x.status, lastError: x.lastError }))
      })
    })
  })
