/**
 * ServerPool benchmarks, against real `opencode serve` processes and the simulated OpenAI-compatible model.
 * Run with `node bench/run.mjs pool [--only warm-vs-cold,execute-overhead,makespan] [--quick]` (see bench/README.md).
 *
 * The machine is small and noisy, so every benchmark reports ratios against a baseline measured in the same run,
 * interleaved with it where that is possible; absolute times are printed for context only.
 */
import { Command } from "@effect/platform"
import { NodeContext, NodeHttpClient, NodeRuntime } from "@effect/platform-node"
import { Deferred, Duration, Effect, Layer, Stream } from "effect"
import * as path from "node:path"
import { performance } from "node:perf_hooks"
import type { ModelRef, OpenCodeServer } from "../src/services/pool/opencodeApi"
import { replyText } from "../src/services/pool/opencodeOutcome"
import { OpenCodeClient } from "../src/services/pool/OpenCodeClient"
import { makeServerPool, type ServerPoolShape } from "../src/services/pool/ServerPool"
import { SimulatedModel, type SimulatedModelHandle } from "../src/simulated/openaiCompatible"
import {
  benchDir,
  benchRoot,
  bootstrapMedianCi,
  fixedPoolOptions,
  loadavg,
  log,
  median,
  ms,
  opencodeBin,
  opencodeEnvFor,
  pct,
  processCpuMs,
  processEnvVar,
  ratio,
  selfCpuMs,
  stats,
  timed,
  writeResult
} from "./support"

const MODEL_ID = "openai/gpt-5.2-codex"
const MODEL: ModelRef = { providerID: "openai", modelID: "gpt-5.2-codex" }

const argv = process.argv.slice(2)
const flag = (name: string) => argv.includes(name)
const option = (name: string): string | undefined => {
  const i = argv.indexOf(name)
  return i >= 0 ? argv[i + 1] : undefined
}
const quick = flag("--quick")

const BENCHES = ["warm-vs-cold", "execute-overhead", "makespan"] as const
type BenchName = (typeof BENCHES)[number]

/** A pool that is started now and stopped (servers included) when the enclosing scope closes. */
const startPool = (options: Parameters<typeof makeServerPool>[0]) =>
  Effect.gen(function*() {
    const pool = yield* makeServerPool(options)
    const { ms: startMs } = yield* timed(pool.initialize)
    return { pool, startMs }
  })

/** Counts the LLM calls (title calls apart) the simulated model received since `since` (epoch ms). */
const llmCallsSince = (model: SimulatedModelHandle, since: number) =>
  model.requests.filter((r) => r.time >= since && r.method === "POST" && r.url.includes("chat/completions")).length

const expectReply = (text: string, what: string) =>
  text.includes("Simulated reply") ? Effect.void : Effect.dieMessage(`${what}: unexpected answer ${JSON.stringify(text.slice(0, 200))}`)

// ---------------------------------------------------------------------------------------------------------------
// 1. warm pool call vs cold `opencode run`
// ---------------------------------------------------------------------------------------------------------------

/**
 * One `opencode run` process, timed from spawn to exit. Its scope kills it (SIGTERM, then SIGKILL after 2 s) if it
 * is still running when the benchmark is interrupted.
 */
const runCli = (env: Record<string, string>, cwd: string, words: ReadonlyArray<string>) =>
  Effect.scoped(
    Effect.gen(function*() {
      const command = Command.make(opencodeBin, "run", "--model", MODEL_ID, "--title", "omcm bench", ...words).pipe(
        Command.workingDirectory(cwd),
        Command.env(env),
        // `opencode run` reads a piped stdin to the end as part of the message: give it an empty one
        Command.feed("")
      )
      return yield* timed(Effect.gen(function*() {
        const proc = yield* Command.start(command)
        yield* Effect.addFinalizer(() =>
          Effect.gen(function*() {
            if (!(yield* proc.isRunning.pipe(Effect.orElseSucceed(() => false)))) return
            yield* proc.kill("SIGTERM").pipe(Effect.timeout("2 seconds"), Effect.ignore)
            if (yield* proc.isRunning.pipe(Effect.orElseSucceed(() => false))) yield* proc.kill("SIGKILL").pipe(Effect.ignore)
          })
        )
        const [stdout, stderr, exitCode] = yield* Effect.all(
          [
            proc.stdout.pipe(Stream.decodeText(), Stream.mkString),
            proc.stderr.pipe(Stream.decodeText(), Stream.mkString),
            proc.exitCode
          ],
          { concurrency: "unbounded" }
        ).pipe(Effect.timeoutFail({ duration: Duration.seconds(90), onTimeout: () => new Error("opencode run: no exit within 90 s") }))
        if (exitCode !== 0) return yield* Effect.dieMessage(`opencode run exited ${exitCode}: ${stderr.slice(-500)}`)
        return stdout
      }))
    })
  )

const warmVsCold = (model: SimulatedModelHandle) =>
  Effect.scoped(Effect.gen(function*() {
    const nWarm = quick ? 5 : 7
    // each cold run is a 185 MB binary booting OpenCode (~5 s on a quiet 2-core box): 3 keeps the total reasonable
    const nCold = 3
    const loadavgStart = loadavg()
    model.setOptions({ latencyMs: 0 })
    yield* log(`\n== warm-vs-cold: ${nWarm} warm pool calls vs ${nCold} cold \`opencode run\` processes (model latency 0 ms)`)

    const { pool, startMs } = yield* startPool(fixedPoolOptions(model, "warm-vs-cold", 1))
    const first = yield* timed(pool.execute("Reply to the first call", { model: MODEL_ID }))
    yield* expectReply(first.value.stdout, "pool")
    yield* log(`  pool: server healthy after ${ms(startMs)}, first prompt (instance bootstrap) ${ms(first.ms)}`)

    const cliProject = benchDir("projects", "cli")
    // `opencode run` also boots an instance for $PWD (inherited: the repo, a git project with worktrees to scan),
    // not just for its working directory: point PWD at the project too
    const cliEnv = { ...opencodeEnvFor(model, benchDir("opencode", "cli")), PWD: cliProject }
    // one untimed invocation creates the CLI's database and pages the 185 MB binary in: the timed runs are cold
    // processes on a warm disk, the CLI's best case
    const cliWarmup = yield* runCli(cliEnv, cliProject, ["Reply", "to", "the", "warm-up", "invocation"])
    yield* expectReply(cliWarmup.value, "opencode run")
    yield* log(`  cli: untimed first invocation ${ms(cliWarmup.ms)}`)

    const warm: Array<number> = []
    const cold: Array<number> = []
    // interleaved, so drift in machine load hits both sides alike
    for (let i = 0; i < Math.max(nWarm, nCold); i++) {
      if (i < nCold) {
        const c = yield* runCli(cliEnv, cliProject, ["Reply", "to", "cold", "call", String(i)])
        yield* expectReply(c.value, "opencode run")
        cold.push(c.ms)
      }
      const w = yield* timed(pool.execute(`Reply to warm call ${i}`, { model: MODEL_ID }))
      yield* expectReply(w.value.stdout, "pool")
      warm.push(w.ms)
    }
    const warmStats = stats(warm)
    const coldStats = stats(cold)
    const coldOverWarm = ratio(coldStats.median, warmStats.median)
    const poolColdStart = startMs + first.ms
    const file = writeResult("warm-vs-cold", {
      loadavgStart,
      params: { model: MODEL_ID, latencyMs: 0, nWarm, nCold, cliCommand: `opencode run --model ${MODEL_ID} --title "omcm bench" <words>` },
      pool: { serverStartMs: Math.round(startMs), firstPromptMs: Math.round(first.ms), warm: warmStats, samples: warm },
      cli: { untimedFirstMs: Math.round(cliWarmup.ms), cold: coldStats, samples: cold },
      ratios: {
        coldOverWarm,
        // how many calls until a pool (start + first prompt, then warm calls) has paid for itself against the CLI
        breakEvenCalls: Math.ceil((poolColdStart - warmStats.median) / (coldStats.median - warmStats.median))
      },
      // not measured: both sides wait for the model once per call, so its latency L adds to both medians
      projectedColdOverWarmAtLatencyMs: Object.fromEntries(
        [1000, 5000, 20_000].map((l) => [l, ratio(coldStats.median + l, warmStats.median + l)])
      )
    })
    yield* log(`  warm pool call:      median ${ms(warmStats.median)}  (p90 ${ms(warmStats.p90)}, n=${warmStats.n})`)
    yield* log(`  cold opencode run:   median ${ms(coldStats.median)}  (p90 ${ms(coldStats.p90)}, n=${coldStats.n})`)
    yield* log(`  => cold / warm = ${coldOverWarm}x   (pool start + first prompt ${ms(poolColdStart)} ≈ ${ratio(poolColdStart, coldStats.median)} cold runs)`)
    yield* log(
      `     (0 ms model latency is the CLI's worst case; with a model taking L per call the ratio shrinks to ` +
        `(cold+L)/(warm+L), e.g. ${ratio(coldStats.median + 5000, warmStats.median + 5000)}x at L = 5 s)`
    )
    yield* log(`  -> ${file}`)
  }))

// ---------------------------------------------------------------------------------------------------------------
// 2. pool.execute vs the same HTTP calls made directly
// ---------------------------------------------------------------------------------------------------------------

const VARIANTS = ["direct", "direct+events", "client.run", "client.run+watcher", "pool.execute"] as const
type Variant = (typeof VARIANTS)[number]

const executeOverhead = (model: SimulatedModelHandle) =>
  Effect.scoped(Effect.gen(function*() {
    const client = yield* OpenCodeClient
    const n = Number(option("--n") ?? (quick ? 10 : 30))
    // Bun's JIT in the server keeps getting faster for the first dozens of prompts
    const warmup = quick ? 3 : 10
    const loadavgStart = loadavg()
    model.setOptions({ latencyMs: 0 })
    yield* log(`\n== execute-overhead: ${VARIANTS.join(" / ")}, interleaved, ${warmup} warm-up + ${n} measured each (model latency 0 ms)`)

    const options = fixedPoolOptions(model, "execute-overhead", 1)
    const { pool } = yield* startPool(options)
    const status = yield* pool.getStatus
    const info = status.servers[0]!
    // the pool keeps its password to itself; the server is our own child, so read it from its environment
    const password = processEnvVar(info.pid!, "OPENCODE_SERVER_PASSWORD")
    if (password === undefined) return yield* Effect.dieMessage("cannot read the server's password")
    const server: OpenCodeServer = { baseUrl: `http://127.0.0.1:${info.port}`, password }
    // Each kind of call gets a directory (an OpenCode instance) of its own on the same server, each warmed by the
    // warm-up rounds: the pool keeps a `/event` subscription open on its project directory, which would also stream
    // the events of calls made there, and every subscription opened and closed leaves an instance slower
    // (see the README), which must not land on the baseline. So: `direct` where nothing ever subscribes, the
    // variants with a subscription per call in a second directory, client.run+watcher in a third with its own
    // shared watcher, pool.execute in the pool's project directory.
    const directory = benchDir("projects", "execute-overhead-direct")
    const perCallDirectory = benchDir("projects", "execute-overhead-per-call")
    const watchedDirectory = benchDir("projects", "execute-overhead-watched")
    const watcher = yield* client.sessionWatcher(server)
    yield* Effect.flatMap(watcher.directory(watchedDirectory), (watch) => watch.ready)
    const title = (text: string) => `omcm: ${text.slice(0, 60)}`

    /** what `client.run` does on success, minus the event stream: create (titled), prompt, delete */
    const direct = (text: string, dir: string) =>
      Effect.gen(function*() {
        const session = yield* client.createSession(server, { directory: dir, title: title(text) })
        const reply = yield* client.prompt(server, { sessionId: session.id, directory: dir, text, model: MODEL })
        yield* client.deleteSession(server, { sessionId: session.id, directory: dir })
        return replyText(reply)
      })

    /** time from opening `/event` to its first event, and events received by the time the reply is in (direct+events) */
    const subscribeMs: Array<number> = []
    const eventsPerCall: Array<number> = []
    let measuring = false

    /** `direct` with a `/event` subscription open (and decoded) around it, as `client.run` keeps one */
    const directWithEvents = (text: string) =>
      Effect.scoped(Effect.gen(function*() {
        const connected = yield* Deferred.make<void>()
        let received = 0
        const t0 = performance.now()
        yield* client.events(server, perCallDirectory).pipe(
          Stream.runForEach(() => Effect.zipRight(Effect.sync(() => received++), Deferred.succeed(connected, undefined))),
          Effect.ignore,
          Effect.forkScoped
        )
        yield* Deferred.await(connected)
        const subscribed = performance.now() - t0
        const answer = yield* direct(text, perCallDirectory)
        if (measuring) {
          subscribeMs.push(subscribed)
          eventsPerCall.push(received)
        }
        return answer
      }))

    const call = (variant: Variant, text: string): Effect.Effect<string, unknown> => {
      switch (variant) {
        case "direct":
          return direct(text, directory)
        case "direct+events":
          return directWithEvents(text)
        case "client.run":
          return Effect.map(
            client.run(server, { directory: perCallDirectory, text, model: MODEL, title: title(text), timeoutMs: 60_000 }),
            (r) => r.text
          )
        case "client.run+watcher":
          return Effect.map(
            client.run(server, { directory: watchedDirectory, text, model: MODEL, title: title(text), timeoutMs: 60_000 }, { watcher }),
            (r) => r.text
          )
        case "pool.execute":
          return Effect.map(pool.execute(text, { model: MODEL_ID }), (r) => r.stdout)
      }
    }

    const empty = () => Object.fromEntries(VARIANTS.map((v) => [v, [] as Array<number>])) as Record<Variant, Array<number>>
    const samples = empty()
    /** CPU used by the server and by this process during each call, ms (the server's at 10 ms resolution) */
    const serverCpu = empty()
    const clientCpu = empty()
    const llmBefore = Date.now()
    for (let round = 0; round < warmup + n; round++) {
      measuring = round >= warmup
      // rotate the order each round: no variant always runs right after the same other one
      const order = VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length]!)
      for (const variant of order) {
        const text = `Reply to ${variant} call ${round}`
        const server0 = processCpuMs(info.pid!)
        const client0 = selfCpuMs()
        const { ms: t, value } = yield* timed(call(variant, text))
        if (measuring) {
          samples[variant].push(t)
          serverCpu[variant].push(processCpuMs(info.pid!) - server0)
          clientCpu[variant].push(selfCpuMs() - client0)
        }
        yield* expectReply(value, variant)
      }
    }
    const calls = (warmup + n) * VARIANTS.length
    const llmCalls = llmCallsSince(model, llmBefore)

    const byVariant = Object.fromEntries(VARIANTS.map((v) => [v, stats(samples[v])])) as Record<Variant, ReturnType<typeof stats>>
    const mean = (xs: ReadonlyArray<number>) => Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10) / 10
    const cpu = Object.fromEntries(VARIANTS.map((v) => [v, { serverMs: mean(serverCpu[v]), clientMs: mean(clientCpu[v]) }])) as Record<
      Variant,
      { serverMs: number; clientMs: number }
    >
    // paired: the difference within each round, where both calls saw the same machine load
    const deltas = (a: Variant, b: Variant) => samples[a].map((x, i) => x - samples[b][i]!)
    const pairedDelta = (a: Variant, b: Variant) => Math.round(median(deltas(a, b)) * 10) / 10
    const base = byVariant.direct
    const deltaCi = bootstrapMedianCi(deltas("pool.execute", "direct"))
    const overhead = {
      medianPct: pct(byVariant["pool.execute"].median, base.median),
      p90Pct: pct(byVariant["pool.execute"].p90, base.p90),
      pairedMedianDeltaMs: pairedDelta("pool.execute", "direct"),
      pairedMedianDeltaCi95Ms: deltaCi,
      /** the paired delta and its interval as % of direct's median */
      pairedPct: pct(base.median + pairedDelta("pool.execute", "direct"), base.median),
      pairedPctCi95: [pct(base.median + deltaCi[0], base.median), pct(base.median + deltaCi[1], base.median)]
    }
    const step = (a: Variant, b: Variant) => ({ medianMs: pairedDelta(a, b), ci95Ms: bootstrapMedianCi(deltas(a, b)) })
    const breakdown = {
      eventStream: step("direct+events", "direct"),
      ownSubscription: step("client.run", "direct"),
      sharedWatcher: step("client.run+watcher", "direct"),
      poolBookkeeping: step("pool.execute", "client.run+watcher")
    }
    const subscription = { subscribeMs: stats(subscribeMs), eventsPerCall: stats(eventsPerCall) }
    const file = writeResult("execute-overhead", {
      loadavgStart,
      params: { model: MODEL_ID, latencyMs: 0, warmup, n, variants: VARIANTS },
      stats: byVariant,
      overhead,
      breakdownPaired: breakdown,
      vsDirectPct: Object.fromEntries(VARIANTS.map((v) => [v, { median: pct(byVariant[v].median, base.median), p90: pct(byVariant[v].p90, base.p90) }])),
      cpuPerCallMeanMs: cpu,
      eventSubscription: subscription,
      llmCallsPerPrompt: ratio(llmCalls, calls),
      samples,
      cpuSamples: { server: serverCpu, client: clientCpu }
    })
    const signed = (x: number) => `${x >= 0 ? "+" : ""}${x}`
    for (const v of VARIANTS) {
      const s = byVariant[v]
      const vs = v === "direct" ? "(baseline)" : `${signed(pct(s.median, base.median))}% median, ${signed(pct(s.p90, base.p90))}% p90`
      yield* log(
        `  ${v.padEnd(18)} median ${ms(s.median).padStart(9)}  p90 ${ms(s.p90).padStart(9)}  ` +
          `CPU/call: server ${String(cpu[v].serverMs).padStart(5)} ms, client ${String(cpu[v].clientMs).padStart(5)} ms   ${vs}`
      )
    }
    const verdict = overhead.pairedPctCi95[1] <= 5
      ? "met"
      : overhead.pairedPctCi95[0] > 5
      ? "NOT met"
      : "not resolved at this noise level (the 95% interval straddles 5%)"
    yield* log(
      `  => pool.execute overhead vs direct: ${signed(overhead.medianPct)}% median, ${signed(overhead.p90Pct)}% p90; ` +
        `paired per-round delta ${signed(overhead.pairedMedianDeltaMs)} ms = ${signed(overhead.pairedPct)}% ` +
        `(95% CI ${overhead.pairedPctCi95[0]}..${overhead.pairedPctCi95[1]}%); goal <= 5%: ${verdict}`
    )
    const show = (x: { medianMs: number; ci95Ms: readonly [number, number] }) => `${signed(x.medianMs)} ms (CI ${x.ci95Ms[0]}..${x.ci95Ms[1]})`
    yield* log(
      `     paired breakdown vs direct: a /event subscription per call ${show(breakdown.eventStream)}, ` +
        `client.run with its own subscription ${show(breakdown.ownSubscription)}, ` +
        `client.run on a shared watcher ${show(breakdown.sharedWatcher)}; pool bookkeeping over the latter ${show(breakdown.poolBookkeeping)}`
    )
    yield* log(
      `     /event: first event after ${ms(subscription.subscribeMs.median)} (median, the prompt waits for it), ` +
        `${subscription.eventsPerCall.median} events per call; LLM calls per prompt: ${ratio(llmCalls, calls)} (1 = no title call)`
    )
    yield* log(`  -> ${file}`)
  }))

// ---------------------------------------------------------------------------------------------------------------
// 3. makespan of 10 concurrent prompts, 1 server vs 4 servers
// ---------------------------------------------------------------------------------------------------------------

const PROMPTS = 10
const LATENCY_MS = 1000

interface RoundResult {
  readonly makespanMs: number
  readonly latencies: ReadonlyArray<number>
  readonly perPort: Record<string, number>
  /** first to last arrival of the 10 LLM requests at the simulated model, from the round's start */
  readonly llmArrivalMs: { readonly first: number; readonly last: number }
  readonly serverCpuMs: number
  readonly benchCpuMs: number
}

const makespanRound = (model: SimulatedModelHandle, pool: ServerPoolShape, tag: string) =>
  Effect.gen(function*() {
    const pids = (yield* pool.getStatus).servers.map((s) => s.pid!).filter((p) => p !== null)
    const cpu0 = pids.reduce((a, p) => a + processCpuMs(p), 0)
    const self0 = selfCpuMs()
    const t0 = Date.now()
    const { ms: makespanMs, value } = yield* timed(
      Effect.forEach(
        Array.from({ length: PROMPTS }, (_, i) => i),
        (i) => timed(pool.execute(`Reply to ${tag} prompt ${i}`, { model: MODEL_ID })),
        { concurrency: "unbounded" }
      )
    )
    const serverCpuMs = pids.reduce((a, p) => a + processCpuMs(p), 0) - cpu0
    const benchCpuMs = selfCpuMs() - self0
    for (const r of value) yield* expectReply(r.value.stdout, "pool")
    const arrivals = model.requests.filter((r) => r.time >= t0 && r.url.includes("chat/completions")).map((r) => r.time - t0)
    const perPort: Record<string, number> = {}
    for (const r of value) perPort[String(r.value.serverPort)] = (perPort[String(r.value.serverPort)] ?? 0) + 1
    return {
      makespanMs,
      latencies: value.map((r) => Math.round(r.ms)),
      perPort,
      llmArrivalMs: { first: Math.min(...arrivals), last: Math.max(...arrivals) },
      serverCpuMs: Math.round(serverCpuMs),
      benchCpuMs: Math.round(benchCpuMs)
    } satisfies RoundResult
  })

/**
 * `perServer` sequential calls per server: round-robin among idle servers gives each its turn, so each boots its
 * project instance and gets its JIT equally warm (a server keeps getting faster over its first dozens of prompts).
 */
const warmEveryServer = (pool: ServerPoolShape, servers: number, perServer: number) =>
  Effect.gen(function*() {
    const calls = new Map<number, number>()
    for (let i = 0; i < servers * perServer; i++) {
      const r = yield* pool.execute(`Reply to warm-up ${i}`, { model: MODEL_ID })
      if (r.serverPort !== null) calls.set(r.serverPort, (calls.get(r.serverPort) ?? 0) + 1)
    }
    if (calls.size < servers) return yield* Effect.dieMessage(`warm-up reached ${calls.size} of ${servers} servers`)
    return [...calls.values()]
  })

const makespan = (model: SimulatedModelHandle) =>
  Effect.scoped(Effect.gen(function*() {
    const rounds = quick ? 1 : 4
    const warmupPerServer = quick ? 1 : 5
    const loadavgStart = loadavg()
    const ideal = LATENCY_MS * Math.ceil(PROMPTS / PROMPTS) // the pool admits all 10 at once (maxWorkers 16)
    yield* log(`\n== makespan: ${PROMPTS} concurrent prompts, model latency ${LATENCY_MS} ms, pool of 1 vs pool of 4, ${rounds} round(s) each`)
    model.setOptions({ latencyMs: 0 })
    const sizes = [1, 4] as const
    const pools = new Map<number, ServerPoolShape>()
    // Both pools share one OpenCode state tree, and the pool of 1 starts first. Four servers starting at once on a
    // fresh tree race each other in OpenCode's database migration, and the losers exit ("CREATE TABLE workspace",
    // "database is locked"); the pool does not retry a first start, so its initialize fails (see bench/README.md).
    const env = opencodeEnvFor(model, path.join(benchRoot, "opencode", "makespan"))
    for (const size of sizes) {
      const { pool, startMs } = yield* startPool(fixedPoolOptions(model, `makespan-${size}`, size, { maxWorkers: 16, env }))
      const warmed = yield* warmEveryServer(pool, size, warmupPerServer)
      pools.set(size, pool)
      yield* log(`  pool of ${size}: started in ${ms(startMs)}, warm-up calls per server ${JSON.stringify(warmed)}`)
    }
    model.setOptions({ latencyMs: LATENCY_MS })
    const results: Record<number, Array<RoundResult>> = { 1: [], 4: [] }
    for (let round = 0; round < rounds; round++) {
      // alternate which pool goes first
      const order = round % 2 === 0 ? sizes : [...sizes].reverse()
      for (const size of order) {
        yield* Effect.sleep("500 millis")
        const r = yield* makespanRound(model, pools.get(size)!, `pool-${size} round ${round}`)
        results[size]!.push(r)
        yield* log(
          `  round ${round} pool of ${size}: makespan ${ms(r.makespanMs)}  per-server ${JSON.stringify(Object.values(r.perPort))}  ` +
            `LLM requests arrived ${r.llmArrivalMs.first}-${r.llmArrivalMs.last} ms  CPU: servers ${r.serverCpuMs} ms + bench ${r.benchCpuMs} ms`
        )
      }
    }
    model.setOptions({ latencyMs: 0 })
    const summary = (size: number) => {
      const rs = results[size]!
      const m = median(rs.map((r) => r.makespanMs))
      const cpu = median(rs.map((r) => r.serverCpuMs + r.benchCpuMs))
      return {
        servers: size,
        makespanMs: stats(rs.map((r) => r.makespanMs)),
        ratioToIdeal: ratio(m, ideal),
        cpuMsPerRound: Math.round(cpu),
        // with 2 cores, this much CPU needs at least cpu/2 of wall time, whatever the model latency
        cpuBoundMs: Math.round(cpu / 2),
        lastLlmArrivalMs: median(rs.map((r) => r.llmArrivalMs.last)),
        // what OpenCode and the pool still did after the last model response had been sent
        tailAfterLastLlmResponseMs: Math.round(median(rs.map((r) => r.makespanMs - (r.llmArrivalMs.last + LATENCY_MS)))),
        cpuMsPerPrompt: Math.round(median(rs.map((r) => r.serverCpuMs)) / PROMPTS)
      }
    }
    const one = summary(1)
    const four = summary(4)
    const file = writeResult("makespan", {
      loadavgStart,
      params: { prompts: PROMPTS, latencyMs: LATENCY_MS, concurrency: PROMPTS, idealMs: ideal, rounds, warmupPerServer, maxWorkers: 16 },
      pools: { "1": one, "4": four },
      ratios: { oneOverFour: ratio(one.makespanMs.median, four.makespanMs.median) },
      rounds: results
    })
    for (const s of [one, four]) {
      yield* log(
        `  pool of ${s.servers}: makespan median ${ms(s.makespanMs.median)} = ${s.ratioToIdeal}x ideal (${ideal} ms); ` +
          `last LLM request at +${s.lastLlmArrivalMs} ms, done ${s.tailAfterLastLlmResponseMs} ms after its response; ` +
          `CPU ${s.cpuMsPerRound} ms/round (>= ${s.cpuBoundMs} ms of wall on 2 cores), servers ${s.cpuMsPerPrompt} ms/prompt`
      )
    }
    yield* log(`  => pool of 1 / pool of 4 = ${ratio(one.makespanMs.median, four.makespanMs.median)}x`)
    yield* log(`  -> ${file}`)
  }))

// ---------------------------------------------------------------------------------------------------------------

const selected = (): ReadonlyArray<BenchName> => {
  const only = option("--only")
  if (only === undefined) return BENCHES
  const names = only.split(",").map((s) => s.trim()).filter((s) => s.length > 0)
  const unknown = names.filter((n) => !(BENCHES as ReadonlyArray<string>).includes(n))
  if (unknown.length > 0) throw new Error(`unknown bench ${unknown.join(", ")} (known: ${BENCHES.join(", ")})`)
  return names as Array<BenchName>
}

const program = Effect.gen(function*() {
  const benches = selected()
  const model = yield* SimulatedModel.make({ latencyMs: 0, logLimit: 10_000 })
  const started = Date.now()
  for (const name of benches) {
    if (name === "warm-vs-cold") yield* warmVsCold(model)
    if (name === "execute-overhead") yield* executeOverhead(model)
    if (name === "makespan") yield* makespan(model)
  }
  yield* log(`\n(all done in ${((Date.now() - started) / 1000).toFixed(1)} s${quick ? "; --quick: too few samples to quote" : ""})`)
}).pipe(Effect.scoped)

const Deps = Layer.mergeAll(NodeContext.layer, OpenCodeClient.layerWithoutDependencies.pipe(Layer.provide(NodeHttpClient.layer)))

NodeRuntime.runMain(program.pipe(Effect.provide(Deps)))
