import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { InputError } from "../../domain/errors"
import type { Decision, Mode } from "../../domain/model"
import { FusionRouter } from "../../services/router"

export interface RouteArgs {
  readonly agent: string
  readonly prompt: Option.Option<string>
  readonly mode: Option.Option<Mode>
  readonly usage: Option.Option<number>
  readonly json: boolean
}

export const formatDecision = (agent: string, d: Decision): string => {
  const where = d.target === "claude" ? `Claude (${d.provider}/${d.model})` : `OpenCode (${d.provider}/${d.model})`
  const usage = d.usage === null ? "unknown" : `${d.usage}%`
  return `${agent} -> ${where}\n  tier ${d.tier} · mode ${d.mode} · Claude usage ${usage}\n  ${d.reason}`
}

export const routeProgram = (args: RouteArgs) =>
  Effect.gen(function*() {
    const router = yield* FusionRouter
    if (Option.isSome(args.usage) && !(args.usage.value >= 0 && args.usage.value <= 100)) {
      return yield* new InputError({ message: `--usage: expected a number from 0 to 100, got ${args.usage.value}` })
    }
    const decision = yield* router.decide({
      agent: args.agent,
      prompt: Option.getOrUndefined(args.prompt),
      mode: Option.getOrUndefined(args.mode),
      usage: Option.getOrUndefined(args.usage)
    })
    yield* Console.log(args.json ? JSON.stringify(decision) : formatDecision(args.agent, decision))
  })
