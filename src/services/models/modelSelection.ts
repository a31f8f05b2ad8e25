/**
 * Which OpenCode models a tier may use: config.json's `models.<TIER>.opencode` (an id, a selector, or a list of both)
 * against OpenCode's catalog, as a pure function. The result lists the candidates in order, and for every entry of
 * the list what it gave and why the models it named or matched were left out.
 *
 * The rules:
 * - A model is usable when its provider is connected (OpenCode has credentials for it), it is not deprecated and it
 *   supports tool calls. A selector also takes only `active` models (no alpha or beta); a fixed id may name one.
 * - A fixed id is checked like the rest and dropped, with the reason, when it is not usable; the id is not in the
 *   catalog when its provider is connected but does not list it.
 * - A selector's `match` and `exclude` are case-insensitive regular expressions on the model id (after `provider/`).
 *   `pick`: `newest` (release date; ties to the shorter id, so a base model before its -fast/-pro variants),
 *   `cheapest` (input + output price; ties to the newer), `first` (the catalog's order). `limit` (1) models are taken,
 *   skipping those already candidates.
 * - Without a catalog (none read yet), fixed ids are the candidates as they are and selectors give nothing.
 */
import type { ModelChoice, ModelSelector, OpencodeModels, OmcmConfig } from "../../domain/configSchema"
import { splitModelId, type Tier, TIERS } from "../../domain/model"
import type { CatalogModel, OpencodeCatalog } from "./catalog"

export interface Candidate {
  /** `provider/model` */
  readonly id: string
  readonly provider: string
  readonly model: string
  /** the 1-based position, in the tier's list, of the entry it came from */
  readonly entry: number
  readonly why: string
}

export interface LeftOut {
  /** `provider/model` */
  readonly id: string
  readonly reason: string
}

export interface EntryResolution {
  /** 1-based */
  readonly entry: number
  readonly choice: ModelChoice
  /** the id, or the selector as JSON */
  readonly label: string
  /** the candidates it gave */
  readonly picked: ReadonlyArray<string>
  /** what became of it, in one line */
  readonly outcome: string
  /** the models it named or matched that cannot be used, and why */
  readonly leftOut: ReadonlyArray<LeftOut>
}

export interface TierResolution {
  readonly tier: Tier
  /** the catalog it was resolved against; null: none was read yet, fixed ids are taken as they are */
  readonly catalog: { readonly fetchedAt: string; readonly source: string } | null
  readonly candidates: ReadonlyArray<Candidate>
  readonly entries: ReadonlyArray<EntryResolution>
}

/** The list of a tier's `opencode` setting (one id or selector is a list of one). */
export const modelChoices = (models: OpencodeModels): ReadonlyArray<ModelChoice> =>
  typeof models === "string" || !Array.isArray(models) ? [models as ModelChoice] : models

/** The fixed ids of a tier's `opencode` setting, in order. */
export const explicitIds = (models: OpencodeModels): ReadonlyArray<string> =>
  modelChoices(models).filter((c): c is string => typeof c === "string")

export const describeChoice = (choice: ModelChoice): string => (typeof choice === "string" ? choice : JSON.stringify(choice))

const NO_CATALOG = "no OpenCode catalog read yet"

const notConnected = (provider: string) => `${provider} is not connected (OpenCode has no credentials for it)`

/** Why a model cannot be used; undefined when it can. */
const unusable = (m: CatalogModel, activeOnly: boolean): string | undefined => {
  if (m.status === "deprecated") return "deprecated"
  if (!m.toolCall) return "no tool calls"
  if (activeOnly && m.status !== "active") return `${m.status} (a selector takes active models only)`
  return undefined
}

const released = (m: CatalogModel) => (m.releaseDate === null ? "no release date" : `released ${m.releaseDate}`)

const price = (m: CatalogModel) => (m.cost === null ? Number.POSITIVE_INFINITY : m.cost.input + m.cost.output)

const byNewest = (a: Scoped, b: Scoped): number => {
  const da = a.model.releaseDate ?? ""
  const db = b.model.releaseDate ?? ""
  if (da !== db) return da < db ? 1 : -1
  if (a.id.length !== b.id.length) return a.id.length - b.id.length
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

const byCheapest = (a: Scoped, b: Scoped): number => {
  const pa = price(a.model)
  const pb = price(b.model)
  return pa !== pb ? (pa < pb ? -1 : 1) : byNewest(a, b)
}

interface Scoped {
  readonly id: string
  readonly provider: string
  readonly model: CatalogModel
}

const compile = (source: string | undefined): RegExp | undefined | "invalid" => {
  if (source === undefined) return undefined
  try {
    return new RegExp(source, "i")
  } catch {
    return "invalid"
  }
}

const pickWords = (pick: NonNullable<ModelSelector["pick"]>, rank: number, of: number, m: CatalogModel): string => {
  const usable = `${of} usable match${of === 1 ? "" : "es"}`
  const nth = rank === 0 ? "" : "next "
  switch (pick) {
    case "newest":
      return `${nth}newest of ${usable} (${released(m)})`
    case "cheapest":
      return `${nth}cheapest of ${usable} (${m.cost === null ? "no price" : `$${m.cost.input} in + $${m.cost.output} out per M`})`
    case "first":
      return `${rank === 0 ? "first" : "next"} of ${usable} in the catalog's order`
  }
}

/** The tier's candidates: `models` (config.json's `models.<TIER>.opencode`) against `catalog` (none: fixed ids only). */
export const resolveTier = (tier: Tier, models: OpencodeModels, catalog: OpencodeCatalog | undefined): TierResolution => {
  const candidates: Array<Candidate> = []
  const taken = new Set<string>()
  const add = (id: string, entry: number, why: string) => {
    const { model, provider } = splitModelId(id)
    candidates.push({ id, provider, model, entry, why })
    taken.add(id)
  }
  const position = (id: string) => candidates.findIndex((c) => c.id === id) + 1

  const explicit = (id: string, entry: number): Omit<EntryResolution, "entry" | "choice" | "label"> => {
    if (taken.has(id)) return { picked: [], outcome: `already candidate ${position(id)}`, leftOut: [] }
    if (catalog === undefined) {
      add(id, entry, `fixed id (not checked: ${NO_CATALOG})`)
      return { picked: [id], outcome: `candidate ${candidates.length}, not checked: ${NO_CATALOG}`, leftOut: [] }
    }
    const { model, provider } = splitModelId(id)
    const p = catalog.providers.find((x) => x.id === provider)
    const drop = (reason: string) => ({ picked: [], outcome: `dropped: ${reason}`, leftOut: [{ id, reason }] })
    if (p === undefined) return drop(notConnected(provider))
    const m = p.models.find((x) => x.id === model)
    if (m === undefined) return drop(`not in OpenCode's catalog (${provider} lists ${p.models.length} models)`)
    const why = unusable(m, false)
    if (why !== undefined) return drop(why)
    add(id, entry, `fixed id (${released(m)})`)
    return { picked: [id], outcome: `candidate ${candidates.length}`, leftOut: [] }
  }

  const selector = (s: ModelSelector, entry: number): Omit<EntryResolution, "entry" | "choice" | "label"> => {
    if (catalog === undefined) return { picked: [], outcome: `not resolved: ${NO_CATALOG}`, leftOut: [] }
    const match = compile(s.match)
    const exclude = compile(s.exclude)
    if (match === "invalid" || exclude === "invalid") return { picked: [], outcome: "not resolved: match or exclude is not a valid regular expression", leftOut: [] }
    const providers = s.provider === undefined ? catalog.providers : catalog.providers.filter((p) => p.id === s.provider)
    if (s.provider !== undefined && providers.length === 0) return { picked: [], outcome: notConnected(s.provider), leftOut: [] }
    const scope = s.provider === undefined ? "of the connected providers" : `of ${s.provider}`
    const matching: Array<Scoped> = providers.flatMap((p) =>
      p.models
        .filter((m) => (match === undefined || match.test(m.id)) && (exclude === undefined || !exclude.test(m.id)))
        .map((m) => ({ id: `${p.id}/${m.id}`, provider: p.id, model: m }))
    )
    if (matching.length === 0) return { picked: [], outcome: `no model ${scope} matches`, leftOut: [] }
    const leftOut: Array<LeftOut> = []
    const usable: Array<Scoped> = []
    for (const m of matching) {
      const why = unusable(m.model, true)
      if (why === undefined) usable.push(m)
      else leftOut.push({ id: m.id, reason: why })
    }
    if (usable.length === 0) {
      return { picked: [], outcome: `${matching.length} model${matching.length === 1 ? "" : "s"} ${scope} match, none usable`, leftOut }
    }
    const pick = s.pick ?? "newest"
    const ordered = pick === "first" ? usable : [...usable].sort(pick === "newest" ? byNewest : byCheapest)
    const limit = s.limit ?? 1
    const picked: Array<string> = []
    let rank = 0
    for (const m of ordered) {
      if (picked.length >= limit) break
      if (taken.has(m.id)) continue
      add(m.id, entry, pickWords(pick, rank, usable.length, m.model))
      picked.push(m.id)
      rank++
    }
    if (picked.length === 0) {
      return { picked, outcome: `its ${pick} match${usable.length === 1 ? " is" : "es are"} already candidates`, leftOut }
    }
    const first = candidates.find((c) => c.id === picked[0])!
    return { picked, outcome: `${picked.join(", ")}: ${first.why}`, leftOut }
  }

  const entries = modelChoices(models).map((choice, index): EntryResolution => {
    const entry = index + 1
    const result = typeof choice === "string" ? explicit(choice, entry) : selector(choice, entry)
    return { entry, choice, label: describeChoice(choice), ...result }
  })
  return {
    tier,
    catalog: catalog === undefined ? null : { fetchedAt: catalog.fetchedAt, source: catalog.source },
    candidates,
    entries
  }
}

/** Every tier, resolved. */
export const resolveTiers = (config: OmcmConfig, catalog: OpencodeCatalog | undefined): Readonly<Record<Tier, TierResolution>> =>
  Object.fromEntries(TIERS.map((tier) => [tier, resolveTier(tier, config.models[tier].opencode, catalog)])) as Record<Tier, TierResolution>

/** Why a tier has no candidate, in one line (its entries' outcomes). */
export const whyNoCandidate = (resolution: TierResolution): string =>
  resolution.entries.map((e) => `${e.label}: ${e.outcome}`).join("; ")

/** The model a routing decision names: the first candidate (and every candidate, in order), or why there is none. */
export type RoutingModel =
  | { readonly _tag: "Model"; readonly id: string; readonly why: string; readonly candidates: ReadonlyArray<string> }
  | { readonly _tag: "None"; readonly why: string }

export const routingModel = (tier: Tier, models: OpencodeModels, catalog: OpencodeCatalog | undefined): RoutingModel => {
  const resolution = resolveTier(tier, models, catalog)
  const first = resolution.candidates[0]
  return first === undefined
    ? { _tag: "None", why: whyNoCandidate(resolution) }
    : { _tag: "Model", id: first.id, why: first.why, candidates: resolution.candidates.map((c) => c.id) }
}

/** Every model of the catalog a tier may name: connected, not deprecated, with tool calls; newest first. */
export const usableModels = (catalog: OpencodeCatalog): ReadonlyArray<{ readonly id: string; readonly model: CatalogModel }> =>
  catalog.providers
    .flatMap((p) => p.models.filter((m) => unusable(m, false) === undefined).map((model) => ({ id: `${p.id}/${model.id}`, provider: p.id, model })))
    .sort(byNewest)
