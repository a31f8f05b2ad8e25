import { Effect } from "effect"
import * as http from "node:http"
import type { AddressInfo } from "node:net"

export interface TestServer {
  readonly port: number
  readonly url: string
}

/** A loopback HTTP server for one test scope; every socket is destroyed when the scope closes. */
export const testServer = (handler: http.RequestListener) =>
  Effect.acquireRelease(
    Effect.async<{ server: http.Server; info: TestServer }>((resume) => {
      const server = http.createServer(handler)
      server.listen(0, "127.0.0.1", () => {
        const port = (server.address() as AddressInfo).port
        resume(Effect.succeed({ server, info: { port, url: `http://127.0.0.1:${port}` } }))
      })
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ info }) => info))
