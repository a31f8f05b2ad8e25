/** How an OpenCode turn ended, read from its reply or from its `session.status` retry events. Pure functions. */
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type { TokenUsage } from "../../domain/execution"
import {
  type MessageError,
  type MessageReply,
  type ModelRef,
  OpenCodeAborted,
  OpenCodeProviderError,
  type RetryStatus,
  TextPart,
  type Tokens
} from "./opencodeApi"

const isTextPart = Schema.is(TextPart)

/** The assistant's text: text parts in order, without the synthetic or ignored ones OpenCode adds itself. */
export const replyText = (reply: MessageReply): string =>
  reply.parts
    .filter(isTextPart)
    .filter((part) => part.synthetic !== true && part.ignored !== true && part.text.length > 0)
    .map((part) => part.text)
    .join("\n\n")

/** OpenCode's `info.tokens` (the sum over the turn's steps) in omcm's shape. */
export const tokenUsageOf = (tokens: Tokens): TokenUsage => ({
  input: tokens.input,
  output: tokens.output,
  reasoning: tokens.reasoning,
  cacheRead: tokens.cache.read,
  cacheWrite: tokens.cache.write
})

const oneLine = (text: string): string => text.replace(/\s+/g, " ").trim().slice(0, 300)

/**
 * The retry status carries only the provider's message, no HTTP status, so the kind is read from the words providers
 * use. An unreachable provider reads "Cannot connect to API: ..." and counts as `other`.
 */
export const kindOfMessage = (message: string): OpenCodeProviderError["kind"] =>
  /rate.?limit|too many requests|\b429\b|quota|throttl/i.test(message)
    ? "rate-limit"
    : /unauthori[sz]ed|forbidden|api.?key|authenticat|permission denied|\b40[13]\b/i.test(message)
    ? "auth"
    : "other"

/** The first retry of a turn, as the error `run` fails with instead of letting OpenCode retry forever. */
export const providerErrorOfRetry = (
  status: RetryStatus,
  model: ModelRef,
  now: number
): OpenCodeProviderError => {
  const kind = kindOfMessage(status.message)
  const retryAfterMs = Math.max(0, status.next - now)
  return new OpenCodeProviderError({
    kind,
    retryAfterMs: kind === "rate-limit" ? retryAfterMs : undefined,
    providerID: model.providerID,
    modelID: model.modelID,
    message: `${model.providerID}/${model.modelID} failed (${kind}): ${oneLine(status.message)}; OpenCode would retry`
  })
}

const header = (headers: Readonly<Record<string, string>> | undefined, name: string): string | undefined => {
  if (headers === undefined) return undefined
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name)
  return key === undefined ? undefined : headers[key]
}

/** `retry-after-ms`, or `retry-after` in seconds or as an HTTP date. */
export const retryAfterMsOf = (headers: Readonly<Record<string, string>> | undefined, now: number): number | undefined => {
  const ms = Number(header(headers, "retry-after-ms"))
  if (Number.isFinite(ms) && ms >= 0 && header(headers, "retry-after-ms") !== undefined) return ms
  const raw = header(headers, "retry-after")
  if (raw === undefined) return undefined
  const seconds = Number(raw)
  if (Number.isFinite(seconds) && raw.trim() !== "") return Math.max(0, seconds * 1000)
  const date = Date.parse(raw)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

const providerErrorOf = (error: MessageError, model: ModelRef, now: number): OpenCodeProviderError => {
  const status = error.data?.statusCode
  const detail = oneLine(error.data?.message ?? error.name)
  const kind: OpenCodeProviderError["kind"] = error.name === "ProviderAuthError" || status === 401 || status === 403
    ? "auth"
    : status === 429
    ? "rate-limit"
    : status === undefined
    ? kindOfMessage(detail)
    : "other"
  return new OpenCodeProviderError({
    kind,
    retryAfterMs: kind === "rate-limit" ? retryAfterMsOf(error.data?.responseHeaders, now) : undefined,
    providerID: model.providerID,
    modelID: model.modelID,
    message: `${model.providerID}/${model.modelID} failed (${kind}): ${error.name}${status === undefined ? "" : ` HTTP ${status}`}: ${detail}`
  })
}

/**
 * The error a 200 reply stands for. A reply with `info.error` failed; a reply with neither an error, a `finish`
 * nor any text was cut short (OpenCode answers that way when a turn is aborted while it waits to retry).
 */
export const errorOfReply = (
  reply: MessageReply,
  now: number
): Option.Option<OpenCodeProviderError | OpenCodeAborted> => {
  const { info } = reply
  const model = { providerID: info.providerID, modelID: info.modelID }
  if (info.error !== undefined) {
    return Option.some(
      info.error.name === "MessageAbortedError"
        ? new OpenCodeAborted({ sessionId: info.sessionID, message: `OpenCode session ${info.sessionID} was aborted` })
        : providerErrorOf(info.error, model, now)
    )
  }
  if (info.finish === undefined && replyText(reply) === "") {
    return Option.some(
      new OpenCodeAborted({ sessionId: info.sessionID, message: `OpenCode session ${info.sessionID} ended without an answer` })
    )
  }
  return Option.none()
}
