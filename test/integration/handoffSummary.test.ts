import Database from "better-sqlite3"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { type ChatRequest, startSimulatedModel, type StartedSimulatedModel } from "../../src/simulated/openaiCompatible"
import { runOmcm, runOmcmAsync } from "../support/cli"
import { opencodePidsUnder, simulatedPoolConfig } from "../support/poolFixture"
import { makeTempHome, type TempHome } from "../support/tempHome"

// `omcm handoff`'s decisions and learnings written by the LOW-tier model (a real OpenCode server of the CLI asking the
// simulated model), and the deterministic ones when its answer is junk, it fails, or --no-summary is given.

const FIXTURE = path.resolve(__dirname, "../fixtures/transcripts/login-session.jsonl")
const LOW_MODEL = "google/gemini-3-flash"

let home: TempHome
let model: StartedSimulatedModel | undefined
let project: string

const setUp = async (reply: (request: ChatRequest) => string, fault?: "500", latencyMs?: number) => {
  home = makeTempHome("omcm-handoff-sum-")
  model = await startSimulatedModel({
    reply,
    ...(latencyMs === undefined ? {} : { latencyMs }),
    ...(fault === undefined ? {} : { faultFor: (r: ChatRequest) => (r.lastUserText.includes("Transcript digest") ? fault : undefined) })
  })
  home.writeConfig(simulatedPoolConfig(home, model))
  project = path.join(home.root, "project")
  fs.mkdirSync(project, { recursive: true })
  const transcript = path.join(home.root, "session.jsonl")
  fs.writeFileSync(transcript, fs.readFileSync(FIXTURE, "utf8").replaceAll("/opt/my-project", project))
  return transcript
}
afterEach(async () => {
  await model?.close()
  model = undefined
  home.cleanup()
})

const digestRequests = () =>
  (model?.requests ?? []).filter((r) => r.url.endsWith("/chat/completions") && JSON.stringify(r.body).includes("Transcript digest"))

/** the summary calls the tracker recorded */
const summaryCalls = () => {
  const db = new Database(home.paths.dbFile, { readonly: true })
  try {
    return db.prepare("SELECT * FROM events WHERE kind = 'call' AND source = 'handoff'").all() as ReadonlyArray<Record<string, unknown> & { input_tokens: number }>
  } finally {
    db.close()
  }
}

const handoff = (transcript: string, ...extra: ReadonlyArray<string>) =>
  runOmcmAsync(["handoff", "--json", "--task", "Finish the login", "--transcript", transcript, ...extra], home.env, { cwd: project })

const ANSWER = {
  decisions: [{ text: "JWT tokens signed with HS256 carry the session.", source: "line 12" }],
  learnings: [{ text: "The project hashes no passwords yet.", source: "line 99999" }]
}

describe("omcm handoff's decisions and learnings", () => {
  it("come from the LOW-tier model's JSON, each saying it is its summary and which transcript line it came from", async () => {
    const transcript = await setUp((r) => (r.lastUserText.includes("Transcript digest") ? `\`\`\`json\n${JSON.stringify(ANSWER)}\n\`\`\`` : "ok"))
    const r = await handoff(transcript)
    expect(r.stderr).toBe("")
    expect(r.status).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out.notes).toEqual({ by: "summary", text: `summary by ${LOW_MODEL}` })
    expect(out.context.decisions.recent).toEqual([
      { text: "JWT tokens signed with HS256 carry the session.", source: `summary by ${LOW_MODEL} (transcript ${transcript} line 12)` }
    ])
    // a line the digest did not show is not cited
    expect(out.context.decisions.learnings).toEqual([{ text: "The project hashes no passwords yet.", source: `summary by ${LOW_MODEL}` }])
    expect(out.context.meta.sources.notes).toBe(`summary by ${LOW_MODEL} of transcript ${transcript}`)
    const md = fs.readFileSync(out.markdown, "utf8")
    expect(md).toContain(`## Decisions\n1. JWT tokens signed with HS256 carry the session. _(summary by ${LOW_MODEL} (transcript ${transcript} line 12))_`)

    // one request, to the LOW tier's model, showing the transcript's lines
    const asked = digestRequests()
    expect(asked).toHaveLength(1)
    const body = asked[0]!.body as { model: string }
    expect(body.model).toBe(LOW_MODEL.split("/")[1])
    const prompt = JSON.stringify(asked[0]!.body)
    expect(prompt).toContain("[line 12] assistant: The login handler is a stub.")
    expect(prompt).toContain("[line 4] user: Implement the login functionality")
    // the summary's session may run no tool
    expect((asked[0]!.body as { tools?: unknown }).tools ?? []).toEqual([])

    // tracked like every call, as omcm's own cost: in the provider table, never in the savings
    const calls = summaryCalls()
    expect(calls).toMatchObject([{ source: "handoff", agent: "omcm-handoff-summary", tier: "LOW", target: "opencode", success: 1 }])
    expect(calls[0]!.input_tokens).toBeGreaterThan(0)
    const stats = JSON.parse(runOmcm(["stats", "--json"], home.env).stdout) as { providers: ReadonlyArray<{ name: string; calls: number }>; savings: { calls: number } }
    expect(stats.providers.find((p) => p.name === LOW_MODEL.split("/")[0])?.calls).toBe(1)
    expect(stats.savings.calls).toBe(0)
  }, 240_000)

  it("fall back to the deterministic ones, saying why, when the answer is junk or the model fails; --no-summary asks nothing", async () => {
    const transcript = await setUp(() => "Sure! The session decided to use JWT.")
    const junk = await handoff(transcript)
    expect(junk.status).toBe(0)
    const out = JSON.parse(junk.stdout)
    expect(out.notes.by).toBe("deterministic")
    expect(out.notes.text).toMatch(new RegExp(`^from the transcript \\(deterministic; no model summary: ${LOW_MODEL}'s answer is not JSON`))
    expect(out.context.decisions.recent[0]).toEqual({
      text: "I'll use JWT tokens for authentication, signed with HS256.",
      source: `transcript ${transcript} line 12 (deterministic)`
    })
    expect(out.context.meta.sources.notes).toContain("no model summary:")
    expect(digestRequests()).toHaveLength(1)

    const skipped = await handoff(transcript, "--no-summary")
    expect(skipped.status).toBe(0)
    expect(JSON.parse(skipped.stdout).notes).toEqual({ by: "deterministic", text: "from the transcript (deterministic; no model summary: --no-summary)" })
    expect(digestRequests()).toHaveLength(1)

    const text = await runOmcmAsync(["handoff", "--task", "Finish the login", "--transcript", transcript, "--no-summary"], home.env, { cwd: project })
    expect(text.stdout).toContain("\nomcm: decisions and learnings: from the transcript (deterministic; no model summary: --no-summary)\n")
  }, 240_000)

  it("run on the pool daemon when one runs", async () => {
    const transcript = await setUp(() => JSON.stringify(ANSWER))
    const start = await runOmcmAsync(["pool", "start", "--detach", "--min", "1", "--max", "1"], home.env, { cwd: project })
    try {
      expect(start.status, start.stderr).toBe(0)
      const r = await handoff(transcript)
      expect(r.status, r.stderr).toBe(0)
      expect(JSON.parse(r.stdout).notes).toEqual({ by: "summary", text: `summary by ${LOW_MODEL}` })
      // the daemon's pool ran the summary's call
      expect(JSON.parse(runOmcm(["pool", "status", "--json"], home.env).stdout).totalRequests).toBe(1)
      expect(summaryCalls()).toMatchObject([{ source: "handoff", success: 1 }])
    } finally {
      await runOmcmAsync(["pool", "stop"], home.env)
    }
  }, 240_000)

  it("fall back when the provider fails (HTTP 500): the handoff is still written", async () => {
    const transcript = await setUp(() => "unused", "500")
    const r = await handoff(transcript)
    expect(r.status).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out.notes.by).toBe("deterministic")
    expect(out.notes.text).toContain("the LOW-tier model failed")
    expect(summaryCalls()).toMatchObject([{ source: "handoff", success: 0 }])
    expect(out.context.decisions.recent[0].source).toBe(`transcript ${transcript} line 12 (deterministic)`)
    expect(fs.existsSync(out.markdown)).toBe(true)
  }, 240_000)

  it("fall back when the model does not answer within --summary-timeout, and the handoff does not wait for it", async () => {
    const transcript = await setUp(() => JSON.stringify(ANSWER), undefined, 120_000)
    const r = await handoff(transcript, "--summary-timeout", "4")
    expect(r.status).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out.notes.text).toContain("no answer within 4 s")
    expect(out.context.decisions.recent[0].source).toBe(`transcript ${transcript} line 12 (deterministic)`)
    // the server started for the summary was stopped with it
    expect(opencodePidsUnder(home.root)).toEqual([])
  }, 240_000)
})
