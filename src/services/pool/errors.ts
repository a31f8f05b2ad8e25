import * as Data from "effect/Data"

/** No OpenCode binary could be found where omcm looks for one. */
export class OpenCodeNotFound extends Data.TaggedError("OpenCodeNotFound")<{ readonly tried: ReadonlyArray<string> }> {
  override get message() {
    return `opencode binary not found (looked at: ${this.tried.join(", ")}); install opencode-ai or set pool.opencodeBin / OMCM_OPENCODE_BIN`
  }
}

/** An `opencode serve` process did not become healthy. */
export class ServerStartFailed extends Data.TaggedError("ServerStartFailed")<{
  readonly port: number
  readonly reason: string
}> {
  override get message() {
    return `opencode server on 127.0.0.1:${this.port} did not start: ${this.reason}`
  }
}

/** Every port from the base port up was taken. */
export class PortsExhausted extends Data.TaggedError("PortsExhausted")<{ readonly from: number; readonly to: number }> {
  override get message() {
    return `no free port for an opencode server between ${this.from} and ${this.to}`
  }
}

/** No healthy server came up in time to take a request. */
export class NoServerAvailable extends Data.TaggedError("NoServerAvailable")<{ readonly waitedMs: number }> {
  override get message() {
    return `no healthy opencode server available after ${Math.round(this.waitedMs / 1000)}s`
  }
}
