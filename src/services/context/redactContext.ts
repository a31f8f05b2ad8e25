/**
 * A handoff leaves for another provider like a delegated prompt does, so its texts get the same treatment
 * (config.json `delegation.redact`): provider keys, tokens, private keys, the project's .env values and the user's
 * patterns replaced by placeholders, in every string of the context (task, TODOs, notes, paths).
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type { OmcmConfig } from "../../domain/configSchema"
import { type EnvFileUnreadable, type Finding, type InvalidSecretPattern, makeRedactor, readEnvSecrets } from "../../lib/redact"
import type { HandoffContext } from "./handoff"

type Json = string | number | boolean | null | ReadonlyArray<Json> | { readonly [key: string]: Json }

const mapStrings = (value: Json, f: (text: string) => string): Json =>
  typeof value === "string"
    ? f(value)
    : Array.isArray(value)
    ? value.map((v: Json) => mapStrings(v, f))
    : value !== null && typeof value === "object"
    ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, f)]))
    : value

export const redactContext = (
  settings: OmcmConfig["delegation"]["redact"],
  context: HandoffContext
): Effect.Effect<{ readonly context: HandoffContext; readonly findings: ReadonlyArray<Finding> }, InvalidSecretPattern | EnvFileUnreadable> =>
  Effect.gen(function*() {
    if (!settings.enabled) return { context, findings: [] }
    const literalSecrets = settings.envFiles ? yield* readEnvSecrets(context.meta.projectPath) : []
    const redact = yield* Either.match(makeRedactor({ extraPatterns: settings.patterns, literalSecrets }), {
      onLeft: Effect.fail,
      onRight: Effect.succeed
    })
    const counts = new Map<string, number>()
    const redacted = mapStrings(context as unknown as Json, (text) => {
      const r = redact(text)
      for (const f of r.findings) counts.set(f.kind, (counts.get(f.kind) ?? 0) + f.count)
      return r.text
    }) as unknown as HandoffContext
    const findings = [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([kind, count]) => ({ kind, count }))
    return { context: redacted, findings }
  })
