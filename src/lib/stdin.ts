import * as Effect from "effect/Effect"

export class StdinTooLarge {
  readonly _tag = "StdinTooLarge"
  constructor(readonly limit: number) {}
}

/** All of stdin as text, or a failure past `limit` bytes. A terminal on stdin reads as empty. */
export const readStdin = (limit: number): Effect.Effect<string, StdinTooLarge> =>
  Effect.async<string, StdinTooLarge>((resume) => {
    const stdin = process.stdin
    if (stdin.isTTY) {
      resume(Effect.succeed(""))
      return
    }
    const chunks: Array<Buffer> = []
    let size = 0
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        cleanup()
        stdin.destroy()
        resume(Effect.fail(new StdinTooLarge(limit)))
        return
      }
      chunks.push(chunk)
    }
    const onEnd = () => {
      cleanup()
      resume(Effect.succeed(Buffer.concat(chunks).toString("utf8")))
    }
    const onError = () => {
      cleanup()
      resume(Effect.succeed(Buffer.concat(chunks).toString("utf8")))
    }
    const cleanup = () => {
      stdin.off("data", onData)
      stdin.off("end", onEnd)
      stdin.off("error", onError)
    }
    stdin.on("data", onData)
    stdin.on("end", onEnd)
    stdin.on("error", onError)
    return Effect.sync(cleanup)
  })
