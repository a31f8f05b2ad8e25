import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import {
  BUILTIN_KINDS,
  envSecrets,
  InvalidSecretPattern,
  isTrivialEnvValue,
  makeRedactor,
  parseEnv,
  readEnvSecrets,
  type RedactorOptions
} from "../../src/lib/redact"

// Every key below is FAKE: the shape of a real one (prefix, alphabet, length), the body made of the words FAKE and
// EXAMPLE and a fixed pseudo-random filler (without those words where a value saying "example" would be taken for a
// stand-in). They are assembled at run time so that no secret scanner mistakes this file for a leak.
const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
const B64 = `${ALNUM}+/`
const fill = (length: number, alphabet = ALNUM, seed = 1, marker = "FAKEEXAMPLE"): string => {
  let out = [...marker].filter((c) => alphabet.includes(c)).join("")
  let x = seed * 2654435761
  while (out.length < length) {
    x = (Math.imul(x ^ (x >>> 15), 2246822519) + 0x9e3779b9) >>> 0
    out += alphabet[(x >>> 8) % alphabet.length]
  }
  return out.slice(0, length)
}
const pem = (label: string, bodyLength = 600, seed = 9) =>
  [`-----BEGIN ${label}-----`, ...("MII" + fill(bodyLength, B64, seed)).match(/.{1,64}/g)!, `-----END ${label}-----`].join("\n")

const FAKE = {
  openaiProject: `sk-proj-${fill(74, `${ALNUM}_-`, 2)}T3BlbkFJ${fill(74, `${ALNUM}_-`, 3)}`,
  openaiService: `sk-svcacct-${fill(60, `${ALNUM}_-`, 4)}`,
  openaiLegacy: `sk-${fill(20, ALNUM, 5)}T3BlbkFJ${fill(20, ALNUM, 6)}`,
  anthropicApi: `sk-ant-api03-${fill(93, `${ALNUM}_-`, 7)}AA`,
  anthropicAdmin: `sk-ant-admin01-${fill(93, `${ALNUM}_-`, 8)}AA`,
  anthropicOauth: `sk-ant-oat01-${fill(93, `${ALNUM}_-`, 10)}AA`,
  openrouter: `sk-or-v1-${fill(64, "0123456789abcdef", 11)}`,
  otherSk: `sk-${fill(32, "0123456789abcdef", 12)}`,
  google: `AIza${fill(35, `${ALNUM}_-`, 13)}`,
  awsKeyId: `AKIA${fill(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 14)}`,
  awsSessionKeyId: `ASIA${fill(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 15)}`,
  awsSecret: `${fill(39, B64, 16)}9`,
  azureStorageKey: `${fill(86, B64, 17)}==`,
  azureClientSecret: `Fak8Q~${fill(34, `${ALNUM}_~.-`, 18)}`,
  githubClassic: `ghp_${fill(36, ALNUM, 19)}`,
  githubOauth: `gho_${fill(36, ALNUM, 20)}`,
  githubUser: `ghu_${fill(36, ALNUM, 21)}`,
  githubServer: `ghs_${fill(36, ALNUM, 22)}`,
  githubRefresh: `ghr_${fill(36, ALNUM, 23)}`,
  githubFineGrained: `github_pat_${fill(22, ALNUM, 24)}_${fill(59, ALNUM, 25)}`,
  gitlab: `glpat-${fill(20, `${ALNUM}_-`, 26)}`,
  slackBot: `xoxb-1234567890-1234567890123-${fill(24, ALNUM, 27)}`,
  slackUser: `xoxp-1234567890-1234567890123-1234567890123-${fill(32, "0123456789abcdef", 28)}`,
  slackWebhook: `https://hooks.slack.com/services/T${fill(8, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 29)}/B${fill(8, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 30)}/${fill(24, ALNUM, 31)}`,
  stripeLive: `sk_live_${fill(24, ALNUM, 32)}`,
  stripeRestricted: `rk_live_${fill(24, ALNUM, 33)}`,
  npm: `npm_${fill(36, ALNUM, 34)}`,
  jwt: `eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJmYWtlLXVzZXIiLCJuYW1lIjoiRkFLRSJ9.${fill(43, `${ALNUM}_-`, 35)}`,
  huggingface: `hf_${fill(34, ALNUM, 36)}`,
  sendgrid: `SG.${fill(22, `${ALNUM}_-`, 37)}.${fill(43, `${ALNUM}_-`, 38)}`
}

const redactor = (options?: RedactorOptions) => Either.getOrThrow(makeRedactor(options))
const redact = redactor()

describe("redact: provider keys and tokens", () => {
  const cases: ReadonlyArray<readonly [kind: string, secret: string]> = [
    ["openai-api-key", FAKE.openaiProject],
    ["openai-api-key", FAKE.openaiService],
    ["openai-api-key", FAKE.openaiLegacy],
    ["anthropic-api-key", FAKE.anthropicApi],
    ["anthropic-admin-key", FAKE.anthropicAdmin],
    ["anthropic-oauth-token", FAKE.anthropicOauth],
    ["openrouter-api-key", FAKE.openrouter],
    ["sk-api-key", FAKE.otherSk],
    ["google-api-key", FAKE.google],
    ["aws-access-key-id", FAKE.awsKeyId],
    ["aws-access-key-id", FAKE.awsSessionKeyId],
    ["azure-client-secret", FAKE.azureClientSecret],
    ["github-token", FAKE.githubClassic],
    ["github-token", FAKE.githubOauth],
    ["github-token", FAKE.githubUser],
    ["github-token", FAKE.githubServer],
    ["github-token", FAKE.githubRefresh],
    ["github-token", FAKE.githubFineGrained],
    ["gitlab-token", FAKE.gitlab],
    ["slack-token", FAKE.slackBot],
    ["slack-token", FAKE.slackUser],
    ["slack-webhook-url", FAKE.slackWebhook],
    ["stripe-secret-key", FAKE.stripeLive],
    ["stripe-secret-key", FAKE.stripeRestricted],
    ["npm-token", FAKE.npm],
    ["jwt", FAKE.jwt],
    ["huggingface-token", FAKE.huggingface],
    ["sendgrid-api-key", FAKE.sendgrid],
    ["private-key", pem("RSA PRIVATE KEY")],
    ["private-key", pem("PRIVATE KEY")],
    ["private-key", pem("EC PRIVATE KEY", 160)],
    ["private-key", pem("OPENSSH PRIVATE KEY")],
    ["private-key", pem("ENCRYPTED PRIVATE KEY")],
    ["private-key", pem("PGP PRIVATE KEY BLOCK")]
  ]

  it.each(cases)("%s (case %#)", (kind, secret) => {
    for (const [before, after] of [["Use the key ", " for the deploy."], ['const key = "', '"\n'], ["", ""], ["(", ")"]]) {
      const result = redact(`${before}${secret}${after}`)
      expect(result.text).toBe(`${before}[REDACTED:${kind}]${after}`)
      expect(result.findings).toEqual([{ kind, count: 1 }])
    }
  })

  it("an AWS secret access key: after its name, or near an access key id (only the value goes)", () => {
    expect(redact(`aws_secret_access_key = ${FAKE.awsSecret}\nregion = eu-west-1`).text).toBe(
      "aws_secret_access_key = [REDACTED:aws-secret-access-key]\nregion = eu-west-1"
    )
    expect(redact(`{"SecretAccessKey": "${FAKE.awsSecret}"}`).text).toBe('{"SecretAccessKey": "[REDACTED:aws-secret-access-key]"}')
    expect(redact(`export AWS_SECRET_ACCESS_KEY="${FAKE.awsSecret}"`).text).toBe('export AWS_SECRET_ACCESS_KEY="[REDACTED:aws-secret-access-key]"')
    // credentials.csv: the id and the secret side by side
    const csv = redact(`User name,Access key ID,Secret access key\nci,${FAKE.awsKeyId},${FAKE.awsSecret}\n`)
    expect(csv.text).toBe("User name,Access key ID,Secret access key\nci,[REDACTED:aws-access-key-id],[REDACTED:aws-secret-access-key]\n")
    // the same 40 characters far from any key id, with no name, are not taken for a secret
    expect(redact(`checksum ${FAKE.awsSecret}`).text).toBe(`checksum ${FAKE.awsSecret}`)
  })

  it("a GCP service-account JSON keeps its shape: only the private key goes", () => {
    const account = {
      type: "service_account",
      project_id: "fake-project",
      private_key_id: fill(40, "0123456789abcdef", 40),
      private_key: `${pem("PRIVATE KEY", 1200, 41)}\n`,
      client_email: "fake@fake-project.iam.gserviceaccount.com"
    }
    const result = redact(`Deploy with this account:\n${JSON.stringify(account, null, 2)}\nthanks`)
    const json = result.text.slice(result.text.indexOf("{"), result.text.lastIndexOf("}") + 1)
    expect(JSON.parse(json)).toEqual({ ...account, private_key: "[REDACTED:private-key]\n" })
    expect(result.findings).toEqual([{ kind: "private-key", count: 1 }])
  })

  it("a private key cut short (no END line) is redacted to the end of its body", () => {
    const cut = pem("RSA PRIVATE KEY").split("\n").slice(0, 8).join("\n")
    expect(redact(`key:\n${cut}\n\nand then`).text).toBe("key:\n[REDACTED:private-key]\n\nand then")
  })

  it("Azure: connection-string keys, client secrets and SAS signatures", () => {
    const connection = `DefaultEndpointsProtocol=https;AccountName=fakeaccount;AccountKey=${FAKE.azureStorageKey};EndpointSuffix=core.windows.net`
    expect(redact(connection).text).toBe(
      "DefaultEndpointsProtocol=https;AccountName=fakeaccount;AccountKey=[REDACTED:azure-storage-key];EndpointSuffix=core.windows.net"
    )
    const sas = `https://fake.blob.core.windows.net/c/b.txt?sv=2022-11-02&se=2030-01-01&sp=r&sig=${fill(43, ALNUM, 42)}%3D`
    expect(redact(sas).text).toBe("https://fake.blob.core.windows.net/c/b.txt?sv=2022-11-02&se=2030-01-01&sp=r&sig=[REDACTED:azure-sas-signature]")
  })

  it("npm: tokens and .npmrc auth lines", () => {
    expect(redact(`//registry.npmjs.org/:_authToken=${FAKE.npm}`).text).toBe("//registry.npmjs.org/:_authToken=[REDACTED:npm-token]")
    expect(redact(`//npm.fake.example/:_authToken=${fill(36, "0123456789abcdef", 43)}`).text).toBe("//npm.fake.example/:_authToken=[REDACTED:npm-token]")
    // a variable reference is not a token
    expect(redact("//registry.npmjs.org/:_authToken=${NPM_TOKEN}").findings).toEqual([])
  })

  it("the password of a URL, and nothing else of it", () => {
    const password = fill(16, ALNUM, 44, "")
    expect(redact(`DATABASE_URL=postgres://app:${password}@db.internal:5432/app`).text).toBe(
      "DATABASE_URL=postgres://app:[REDACTED:url-password]@db.internal:5432/app"
    )
    expect(redact(`git clone https://ci:${password}@git.fake.example/team/repo.git`).text).toBe(
      "git clone https://ci:[REDACTED:url-password]@git.fake.example/team/repo.git"
    )
    // an @ in the password: all of it goes, up to the last @ before the host
    expect(redact(`redis://:${password}@x@cache:6379`).text).toBe("redis://:[REDACTED:url-password]@cache:6379")
    expect(redact("postgres://app:${DB_PASSWORD}@db/app").findings).toEqual([])
  })

  it("credentials in HTTP headers", () => {
    const token = fill(32, ALNUM, 48, "")
    expect(redact(`curl -H "Authorization: Bearer ${token}" https://api.fake.example`).text).toBe(
      'curl -H "Authorization: Bearer [REDACTED:authorization-header]" https://api.fake.example'
    )
    expect(redact(`curl -H 'x-api-key: ${token}'`).text).toBe("curl -H 'x-api-key: [REDACTED:authorization-header]'")
    expect(redact('curl -H "Authorization: Bearer $TOKEN"').findings).toEqual([])
  })

  it("a value assigned to a secret-like name, when it looks like one", () => {
    expect(redact(`const config = { password: "Tr0ub4dor-${fill(6, ALNUM, 45)}" }`).text).toBe(
      'const config = { password: "[REDACTED:generic-secret]" }'
    )
    expect(redact(`DB_PASSWORD=s3cr3t${fill(10, ALNUM, 46)}\nDB_HOST=db`).text).toBe("DB_PASSWORD=[REDACTED:generic-secret]\nDB_HOST=db")
    expect(redact(`client_secret: ${fill(24, ALNUM, 47, "")}1`).text).toBe("client_secret: [REDACTED:generic-secret]")
    // a value that says it is an example is left alone
    expect(redact(`client_secret: ${fill(24, ALNUM, 47)}1`).findings).toEqual([])
  })
})

describe("redact: what it leaves alone", () => {
  it("ordinary code: identifiers, types, env lookups, placeholders", () => {
    const code = `import { createHash } from "node:crypto"

export interface Credentials {
  readonly apiKey: string
  readonly password?: string
  readonly token: string | undefined
}

const apiKey = process.env.OPENAI_API_KEY ?? ""
const token = options.token
const password = await readPassword(prompt)
const settings = { max_tokens: 4096, temperature: 0.2, tokenizer: "cl100k_base" }
const secret = "\${SECRET}"
const example = { api_key: "your-api-key-here", password: "changeme" }
export const hash = (text: string) => createHash("sha256").update(text).digest("hex")
if (line.startsWith("-----BEGIN PRIVATE KEY-----")) throw new Error("keys are not accepted here")
const url = "https://api.example.com/v1/chat?model=gpt-4o&stream=true"
const dsn = \`postgres://\${user}:\${password}@\${host}/db\`
`
    expect(redact(code)).toEqual({ text: code, findings: [] })
    const python = `final_token = token[:-1]
next_token = page2_token
password = getpass.getpass()
secret_key = os.environ["SECRET_KEY"]
token_type = "Bearer"
`
    expect(redact(python)).toEqual({ text: python, findings: [] })
  })

  it("AWS's documentation examples are not keys", () => {
    const text = "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    expect(redact(text)).toEqual({ text, findings: [] })
  })

  it("git SHAs, UUIDs, hashes, integrity strings and base64 images", () => {
    const png = `data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==${fill(2000, B64, 48)}==`
    const text = [
      "commit 4b1d1e3c9a0f6e8b2d7c5a1f3e9b8d6c4a2f0e1d",
      "Merge: a87727c 37b7067",
      "id: 123e4567-e89b-12d3-a456-426614174000",
      "sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
      "integrity: sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==",
      `<img src="${png}">`,
      "pk_live_ is a publishable key prefix; AKIA is an access key prefix",
      "a long-identifier-with-many-words-and-numbers-1234567890-in-it",
      "xoxo-hugs-and-kisses-from-the-team, sk-learn-style-names, task-1234567890abcdef1234567890abcdef"
    ].join("\n")
    expect(redact(text)).toEqual({ text, findings: [] })
  })

  it("this repository's own sources", () => {
    const walk = (dir: string): Array<string> =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? walk(path.join(dir, e.name)) : /\.(ts|md|json)$/.test(e.name) ? [path.join(dir, e.name)] : []
      )
    const root = path.resolve(__dirname, "../..")
    const files = [...walk(path.join(root, "src")), ...walk(path.join(root, "docs")), path.join(root, "README.md"), path.join(root, "package.json")]
    const flagged = files.flatMap((file) => {
      const { findings } = redact(fs.readFileSync(file, "utf8"))
      return findings.length === 0 ? [] : [`${path.relative(root, file)}: ${findings.map((f) => f.kind).join(", ")}`]
    })
    expect(flagged).toEqual([])
  })
})

describe("redact: placeholders, overlaps, idempotence", () => {
  it("the same secret gets the same placeholder; distinct ones of a kind are numbered", () => {
    const other = `ghp_${fill(36, ALNUM, 50)}`
    const result = redact(`a ${FAKE.githubClassic} b ${other} c ${FAKE.githubClassic}`)
    expect(result.text).toBe("a [REDACTED:github-token] b [REDACTED:github-token:2] c [REDACTED:github-token]")
    expect(result.findings).toEqual([{ kind: "github-token", count: 3 }])
  })

  it("findings are sorted by kind and count occurrences", () => {
    const result = redact(`${FAKE.stripeLive} ${FAKE.google} ${FAKE.stripeLive} ${FAKE.awsKeyId}`)
    expect(result.findings).toEqual([
      { kind: "aws-access-key-id", count: 1 },
      { kind: "google-api-key", count: 1 },
      { kind: "stripe-secret-key", count: 2 }
    ])
  })

  it("overlapping matches become one placeholder covering both, named after the most specific", () => {
    // a literal that starts inside a token: the union goes, no part of either is left
    const literal = `${FAKE.githubClassic.slice(20)} and more`
    const result = redactor({ literalSecrets: [{ name: "env:PARTIAL", value: literal }] })(`x ${FAKE.githubClassic} and more y`)
    expect(result.text).toBe("x [REDACTED:env:PARTIAL] y")
    // a URL whose password is itself a key: the password goes as the key
    expect(redact(`https://user:${FAKE.githubClassic}@github.com/o/r.git`).text).toBe("https://user:[REDACTED:github-token]@github.com/o/r.git")
  })

  it("redacting twice changes nothing more", () => {
    const text = [
      `OPENAI_API_KEY=${FAKE.openaiProject}`,
      `password: "Passw0rd-${fill(8, ALNUM, 51)}"`,
      `postgres://u:${fill(12, ALNUM, 52)}@db/app`,
      `${FAKE.awsKeyId},${FAKE.awsSecret}`,
      pem("PRIVATE KEY"),
      `literal ${"L".repeat(4)}${fill(12, ALNUM, 53)}`
    ].join("\n")
    const r = redactor({ literalSecrets: [{ name: "env:L", value: `LLLL${fill(12, ALNUM, 53)}` }] })
    const once = r(text)
    expect(once.findings.length).toBeGreaterThan(5)
    expect(r(once.text)).toEqual({ text: once.text, findings: [] })
  })

  it("placeholders in the input are never matched, even by a pattern that would", () => {
    const r = redactor({ extraPatterns: [{ name: "word", pattern: "REDACTED" }], literalSecrets: [{ name: "x", value: "env:DB_URL" }] })
    expect(r("keep [REDACTED:env:DB_URL] here").text).toBe("keep [REDACTED:env:DB_URL] here")
  })

  it("built-in kinds can be turned off", () => {
    expect(redactor({ disabledKinds: ["jwt"] })(FAKE.jwt).text).toBe(FAKE.jwt)
    expect(BUILTIN_KINDS).toContain("jwt")
  })
})

describe("redact: configured patterns", () => {
  it("a pattern replaces its match, or only its `secret` group", () => {
    const r = redactor({
      extraPatterns: [
        { name: "acme-key", pattern: "acme_[a-z0-9]{16}" },
        { name: "internal-token", pattern: "X-Internal-Token:\\s*(?<secret>[^\\s']+)", flags: "i" }
      ]
    })
    const result = r("curl -H 'x-internal-token: abc123def456' https://acme.test?k=acme_0123456789abcdef")
    expect(result.text).toBe("curl -H 'x-internal-token: [REDACTED:internal-token]' https://acme.test?k=[REDACTED:acme-key]")
  })

  it("a bad pattern is a typed error naming it, not a throw", () => {
    const error = (options: RedactorOptions) => {
      const result = makeRedactor(options)
      if (Either.isRight(result)) throw new Error("expected an error")
      return result.left
    }
    const invalid = error({ extraPatterns: [{ name: "ok", pattern: "ok_[0-9]+" }, { name: "broken", pattern: "sk_([a-z" }] })
    expect(invalid).toBeInstanceOf(InvalidSecretPattern)
    expect(invalid._tag).toBe("InvalidSecretPattern")
    expect(invalid.name).toBe("broken")
    expect(invalid.message).toMatch(/^secret pattern "broken" \(sk_\(\[a-z\): not a valid regular expression/)
    expect(error({ extraPatterns: [{ name: "empty", pattern: "a*" }] }).reason).toBe("matches the empty string")
    expect(error({ extraPatterns: [{ name: "has space", pattern: "x" }] }).reason).toMatch(/the name must be/)
    expect(error({ extraPatterns: [{ name: "flags", pattern: "x", flags: "y" }] }).reason).toMatch(/unsupported flags/)
  })

  it.effect("the error is an Effect failure too", () =>
    Effect.gen(function*() {
      const failure = yield* Effect.flip(makeRedactor({ extraPatterns: [{ name: "broken", pattern: "(" }] }))
      expect(failure._tag).toBe("InvalidSecretPattern")
    }))
})

describe(".env files", () => {
  const withDir = (files: Record<string, string>, body: (dir: string) => void) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "omcm-redact-"))
    try {
      for (const [name, content] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true })
        fs.writeFileSync(path.join(dir, name), content)
      }
      body(dir)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }

  it("parses the common syntax", () => {
    const text = [
      "# a comment",
      "PLAIN=value-one",
      "export EXPORTED=value two   # comment after",
      "SPACED = spaced-value",
      "SINGLE='single # not a comment'",
      'DOUBLE="line1\\nline2 \\"quoted\\""',
      "BACKTICK=`tick`",
      "EMPTY=",
      'MULTI="-----BEGIN',
      "body",
      '-----END"',
      "COLON: colon-value",
      "HASH=abc#def",
      "not a line",
      "URL=https://x.test/#anchor"
    ].join("\r\n")
    expect(parseEnv(text)).toEqual([
      { key: "PLAIN", value: "value-one" },
      { key: "EXPORTED", value: "value two" },
      { key: "SPACED", value: "spaced-value" },
      { key: "SINGLE", value: "single # not a comment" },
      { key: "DOUBLE", value: 'line1\nline2 "quoted"' },
      { key: "BACKTICK", value: "tick" },
      { key: "EMPTY", value: "" },
      { key: "MULTI", value: "-----BEGIN\nbody\n-----END" },
      { key: "COLON", value: "colon-value" },
      { key: "HASH", value: "abc#def" },
      { key: "URL", value: "https://x.test/#anchor" }
    ])
  })

  it("short and trivial values are not secrets", () => {
    for (const v of ["", "1", "true", "False", "development", "production", "localhost", "3000", "0.25", "https://api.example.com", "redis://localhost:6379/", "./certs/key.pem", "/var/run/app.sock", "${OTHER_VAR}", "short"]) {
      expect([v, isTrivialEnvValue(v)]).toEqual([v, true])
    }
    for (const v of ["postgres://u:p4ssw0rd@db/app", "https://hooks.fake.example/T0/B0/abcdefgh", "hunter2hunter2", "my-app-name", "12345678-abcd"]) {
      expect([v, isTrivialEnvValue(v)]).toEqual([v, false])
    }
    expect(envSecrets("NODE_ENV=development\nDEBUG=1\nAPI_KEY=abcdefgh12345678\n")).toEqual([{ name: "env:API_KEY", value: "abcdefgh12345678" }])
    expect(envSecrets("TOKEN=abcd1234", { minLength: 10 })).toEqual([])
  })

  it.effect("reads .env, .env.local and .env.* of a directory (not its subdirectories); their values are redacted by name", () =>
    Effect.sync(() => {
      const dbUrl = `postgres://app:${fill(16, ALNUM, 60)}@db.internal:5432/app`
      withDir(
        {
          ".env": `NODE_ENV=development\nPORT=3000\nDATABASE_URL=${dbUrl}\nSESSION_SECRET="${fill(32, ALNUM, 61)}"\n`,
          ".env.local": `export STRIPE_KEY=${FAKE.stripeLive}\nPRIVATE_PEM="${pem("PRIVATE KEY", 200, 62).replace(/\n/g, "\\n")}"\n`,
          ".env.production": `SESSION_SECRET=${fill(32, ALNUM, 63)}\nDUPLICATE=${fill(32, ALNUM, 61)}\n`,
          "nested/.env": `NESTED=${fill(20, ALNUM, 64)}\n`,
          "env.txt": `NOT_ENV=${fill(20, ALNUM, 65)}\n`
        },
        (dir) => {
          fs.mkdirSync(path.join(dir, ".env.d"))
          const secrets = Effect.runSync(readEnvSecrets(dir))
          expect(secrets.map((s) => s.name)).toEqual(["env:DATABASE_URL", "env:SESSION_SECRET", "env:STRIPE_KEY", "env:PRIVATE_PEM", "env:SESSION_SECRET"])
          const r = redactor({ literalSecrets: secrets })
          const prompt = [
            `Connect with ${dbUrl} please.`,
            `The session secret is ${fill(32, ALNUM, 61)}, in production ${fill(32, ALNUM, 63)}.`,
            `Stripe: ${FAKE.stripeLive}`,
            `Key (as in a JSON string): "${pem("PRIVATE KEY", 200, 62).replace(/\n/g, "\\n")}"`,
            `Not from a .env of this directory: ${fill(20, ALNUM, 64)} ${fill(20, ALNUM, 65)}`,
            "Running on port 3000 in development."
          ].join("\n")
          const result = r(prompt)
          expect(result.text).toBe([
            "Connect with [REDACTED:env:DATABASE_URL] please.",
            "The session secret is [REDACTED:env:SESSION_SECRET], in production [REDACTED:env:SESSION_SECRET:2].",
            "Stripe: [REDACTED:env:STRIPE_KEY]",
            'Key (as in a JSON string): "[REDACTED:env:PRIVATE_PEM]"',
            `Not from a .env of this directory: ${fill(20, ALNUM, 64)} ${fill(20, ALNUM, 65)}`,
            "Running on port 3000 in development."
          ].join("\n"))
          // the files on disk are untouched
          expect(fs.readFileSync(path.join(dir, ".env"), "utf8")).toContain(dbUrl)
        }
      )
    }))

  it.effect("a missing directory has no secrets; a .env that cannot be read is a typed error", () =>
    Effect.gen(function*() {
      expect(yield* readEnvSecrets(path.join(os.tmpdir(), "omcm-redact-does-not-exist"))).toEqual([])
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "omcm-redact-"))
      try {
        fs.symlinkSync(".env.loop", path.join(dir, ".env.loop"))
        const error = yield* Effect.flip(readEnvSecrets(dir))
        expect(error._tag).toBe("EnvFileUnreadable")
        expect(error.file).toBe(path.join(dir, ".env.loop"))
      } finally {
        fs.rmSync(dir, { recursive: true, force: true })
      }
    }))
})

describe("redact: size", () => {
  // timings live in bench/redact.ts; here only inputs that would take minutes if a pattern backtracked badly
  it("runs through adversarial inputs (long runs of one token's characters)", () => {
    const n = 200_000
    const inputs = [
      "a".repeat(n),
      "password".repeat(n / 8),
      'token: "'.repeat(n / 8),
      `token${"1".repeat(n)}x`,
      `PWD${"BASE".repeat(n / 4)}\n`,
      "-----BEGIN PRIVATE KEY-----\n".repeat(n / 28),
      `-----BEGIN PRIVATE KEY-----\nB${"T\nL".repeat(n / 3)}\u0000`,
      "API-KEY:O".repeat(n / 9),
      "sk-".repeat(n / 3),
      "http://u:".repeat(n / 9),
      fill(n, B64, 70)
    ]
    for (const text of inputs) {
      expect(redact(text).text.length).toBeGreaterThan(0)
    }
  })

  it("a 50 KB prompt with secrets in it comes out with every one of them replaced", () => {
    const code = fs.readFileSync(path.resolve(__dirname, "../../README.md"), "utf8").repeat(3).slice(0, 50_000)
    // every fake key of this file, the two that need a context given it
    const { awsSecret, azureStorageKey, ...bare } = FAKE
    const secrets = [...Object.values(bare), awsSecret, azureStorageKey]
    const block = [...Object.values(bare), `aws_secret_access_key=${awsSecret}`, `AccountKey=${azureStorageKey}`].join("\n")
    const prompt = `${code.slice(0, 25_000)}\n${block}\n${code.slice(25_000)}`
    const result = redact(prompt)
    for (const secret of secrets) expect(result.text).not.toContain(secret)
    expect(result.text.startsWith(code.slice(0, 25_000))).toBe(true)
    expect(result.text.endsWith(code.slice(25_000))).toBe(true)
  })
})
