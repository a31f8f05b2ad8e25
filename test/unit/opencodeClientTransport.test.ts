import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, type Scope } from "effect"
import * as net from "node:net"
import { OpenCodeClient } from "../../src/services/pool/OpenCodeClient"

/** A TCP listener that misbehaves the way a starting or dying `opencode serve` does. */
const rawServer = (onConnection: (socket: net.Socket) => void): Effect.Effect<number, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<net.Server>((resume) => {
      const server = net.createServer(onConnection)
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
    }),
    (server) =>
      Effect.async<void>((resume) => {
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map((server) => (server.address() as net.AddressInfo).port))

const sockets = new Set<net.Socket>()
const track = (socket: net.Socket) => {
  sockets.add(socket)
  socket.on("close", () => sockets.delete(socket))
}
const dropAll = Effect.sync(() => sockets.forEach((socket) => socket.destroy()))

const withClient = <A, E>(f: (client: OpenCodeClient["Type"]) => Effect.Effect<A, E, Scope.Scope>) =>
  Effect.flatMap(OpenCodeClient, f).pipe(
    Effect.ensuring(dropAll),
    Effect.provide(OpenCodeClient.layerWithoutDependencies),
    Effect.provide(NodeHttpClient.layer)
  )

describe("OpenCodeClient transport failures", () => {
  it.live("a port that accepts but never answers (a server still starting) fails the health check in time", () =>
    withClient((client) =>
      Effect.gen(function*() {
        const port = yield* rawServer(track)
        const started = Date.now()
        const error = yield* Effect.flip(client.health({ baseUrl: `http://127.0.0.1:${port}`, password: "x" }, { timeoutMs: 300 }))
        expect(error).toMatchObject({ _tag: "OpenCodeTimeout", timeoutMs: 300 })
        expect(Date.now() - started).toBeLessThan(5_000)
      })
    ).pipe(Effect.scoped))

  it.live("a server that dies mid-request is OpenCodeUnreachable with its port", () =>
    withClient((client) =>
      Effect.gen(function*() {
        const port = yield* rawServer((socket) => socket.once("data", () => socket.destroy()))
        const error = yield* Effect.flip(
          client.createSession({ baseUrl: `http://127.0.0.1:${port}`, password: "x" }, { directory: "/tmp", title: "t" })
        )
        expect(error).toMatchObject({ _tag: "OpenCodeUnreachable", port })
      })
    ).pipe(Effect.scoped))
})
