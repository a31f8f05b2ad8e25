import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type { OmcmConfig } from "../../domain/configSchema"
import { type Finding, makeRedactor, readEnvSecrets } from "../../lib/redact"
import type { SessionPolicy } from "../pool"

export interface OutgoingText {
  readonly prompt: string
  readonly directory: string
  readonly policy?: SessionPolicy | undefined
}

const merge = (...lists: ReadonlyArray<ReadonlyArray<Finding>>): ReadonlyArray<Finding> => {
  const counts = new Map<string, number>()
  for (const list of lists) for (const f of list) counts.set(f.kind, (counts.get(f.kind) ?? 0) + f.count)
  return [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([kind, count]) => ({ kind, count }))
}

/**
 * What leaves the machine for another provider, with its secrets replaced by placeholders (config.json
 * `delegation.redact`): provider keys, cloud credentials, tokens, private keys, the values of the project's .env files
 * and the user's own patterns, in the prompt and the system text. The user's files on disk are never touched.
 */
export const redactOutgoing = <A extends OutgoingText>(settings: OmcmConfig["delegation"]["redact"], request: A) =>
  Effect.gen(function*() {
    if (!settings.enabled) return { request, findings: [] as ReadonlyArray<Finding> }
    const literalSecrets = settings.envFiles ? yield* readEnvSecrets(request.directory) : []
    const redact = yield* Either.match(makeRedactor({ extraPatterns: settings.patterns, literalSecrets }), {
      onLeft: Effect.fail,
      onRight: Effect.succeed
    })
    const prompt = redact(request.prompt)
    const system = request.policy?.system === undefined ? undefined : redact(request.policy.system)
    const redacted: A = {
      ...request,
      prompt: prompt.text,
      ...(system === undefined || request.policy === undefined ? {} : { policy: { ...request.policy, system: system.text } })
    }
    return { request: redacted, findings: merge(prompt.findings, system?.findings ?? []) }
  })
