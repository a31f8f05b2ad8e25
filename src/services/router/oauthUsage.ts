// Loaded only when the OAuth usage endpoint is really asked: keeps the HTTP client off the hooks' start-up path.
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type { OmcmConfig } from "../../domain/configSchema"
import { UsageFetchError } from "../../domain/errors"
import { OauthUsageResponse } from "./usageSchemas"
import { decodeUnknown } from "../../lib/jsonFile"

export interface OauthNumbers {
  readonly fiveHour: number | null
  readonly sevenDay: number | null
}

/** `GET {baseUrl}/api/oauth/usage` as Claude Code asks it (bearer token, beta header, user agent), with a timeout. */
export const fetchOauthUsage = (
  oauth: OmcmConfig["usage"]["oauth"],
  token: string
): Effect.Effect<OauthNumbers, UsageFetchError, HttpClient.HttpClient> =>
  Effect.flatMap(HttpClient.HttpClient, (client) =>
    HttpClientRequest.get(`${oauth.baseUrl.replace(/\/+$/, "")}/api/oauth/usage`).pipe(
      HttpClientRequest.setHeaders({
        authorization: `Bearer ${token}`,
        "anthropic-beta": "oauth-2025-04-20",
        "user-agent": oauth.userAgent,
        accept: "application/json"
      }),
      client.execute,
      Effect.mapError((error) => new UsageFetchError({ reason: "unreachable", message: error.message })),
      Effect.flatMap((response) => {
        if (response.status === 401 || response.status === 403) {
          return Effect.fail(new UsageFetchError({ reason: "unauthorized", message: `HTTP ${response.status}` }))
        }
        if (response.status === 429) return Effect.fail(new UsageFetchError({ reason: "rate-limited", message: "HTTP 429" }))
        if (response.status < 200 || response.status >= 300) {
          return Effect.fail(new UsageFetchError({ reason: "bad-response", message: `HTTP ${response.status}` }))
        }
        return response.json.pipe(
          Effect.flatMap(decodeUnknown(OauthUsageResponse, { strict: false })),
          Effect.mapError(() => new UsageFetchError({ reason: "bad-response", message: "unexpected JSON" }))
        )
      }),
      Effect.scoped,
      Effect.timeoutFail({
        duration: Duration.seconds(oauth.timeoutSeconds),
        onTimeout: () => new UsageFetchError({ reason: "timeout", message: `no answer within ${oauth.timeoutSeconds}s` })
      }),
      Effect.map((body) => ({ fiveHour: body.five_hour?.utilization ?? null, sevenDay: body.seven_day?.utilization ?? null }))
    ))

export const fetchOauthUsageLive = (oauth: OmcmConfig["usage"]["oauth"], token: string) =>
  fetchOauthUsage(oauth, token).pipe(Effect.provide(FetchHttpClient.layer))
