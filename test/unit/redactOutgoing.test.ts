import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { redactOutgoing } from "../../src/services/daemon/redaction"

// What a delegation sends another provider: the prompt and the system text, secrets replaced; never the files.

const fakeOpenAiKey = () => `sk-proj-${"A1b2C3d4E5".repeat(4)}T3BlbkFJ${"f6G7h8I9j0".repeat(2)}`
const settings = { enabled: true, envFiles: true, patterns: [{ name: "ticket", pattern: "TICKET-[0-9]{6}" }] }

const project = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "omcm-redact-"))
  fs.writeFileSync(path.join(dir, ".env"), "DATABASE_URL=postgres://app:s3cretPassw0rd@db.internal:5432/app\nDEBUG=true\n")
  return dir
}

describe("redactOutgoing", () => {
  it.effect("replaces provider keys, .env values and the user's patterns in the prompt and the system text", () =>
    Effect.gen(function*() {
      const dir = project()
      const key = fakeOpenAiKey()
      const { findings, request } = yield* redactOutgoing(settings, {
        directory: dir,
        prompt: `use ${key} against postgres://app:s3cretPassw0rd@db.internal:5432/app for TICKET-123456`,
        policy: { system: `You are the agent. Key: ${key}` }
      })
      expect(request.prompt).not.toContain(key)
      expect(request.prompt).not.toContain("s3cretPassw0rd")
      expect(request.prompt).not.toContain("TICKET-123456")
      expect(request.policy?.system).not.toContain(key)
      expect(request.prompt).toContain("[REDACTED:")
      expect(findings.map((f) => f.kind)).toEqual(expect.arrayContaining(["ticket"]))
      expect(findings.reduce((n, f) => n + f.count, 0)).toBeGreaterThanOrEqual(4)
      // the file on disk is left as it was
      expect(fs.readFileSync(path.join(dir, ".env"), "utf8")).toContain("s3cretPassw0rd")
      fs.rmSync(dir, { recursive: true, force: true })
    }))

  it.effect("switched off, nothing changes", () =>
    Effect.gen(function*() {
      const key = fakeOpenAiKey()
      const { findings, request } = yield* redactOutgoing({ ...settings, enabled: false }, { directory: "/nonexistent", prompt: key })
      expect(request.prompt).toBe(key)
      expect(findings).toEqual([])
    }))

  it.effect("a pattern that cannot be used is a typed error naming it", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(redactOutgoing({ ...settings, patterns: [{ name: "bad", pattern: "([" }] }, { directory: "/nonexistent", prompt: "x" }))
      expect(error._tag).toBe("InvalidSecretPattern")
      expect(error.message).toContain("bad")
    }))
})
