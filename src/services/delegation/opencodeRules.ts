import * as Schema from "effect/Schema"
import { PermissionRule } from "../pool"

/**
 * OpenCode's permission rules (`PermissionRuleset` of its OpenAPI: an array of `{permission, pattern, action}`) and
 * how OpenCode 1.18.33 evaluates them, ported from its binary so the rules built here can be checked the way the
 * server will read them:
 *
 * - evaluation: `rulesets.flat().findLast(r => match(permission, r.permission) && match(pattern, r.pattern))`,
 *   and `ask` when no rule matches: the LAST matching rule wins;
 * - a tool call is checked against `merge(agent.permission, session.permission)`: the session's rules come after
 *   the agent's, so they win;
 * - a tool is not offered to the model at all when the last rule matching its permission (`edit` for edit, write and
 *   apply_patch) has pattern `*` and action `deny`;
 * - the wildcard: `*` is any text (slashes and spaces too), `?` one character, everything else literal, the whole
 *   string must match; a pattern ending in ` *` also matches without that tail (`touch *` matches `touch`);
 *   backslashes count as slashes.
 */

export { PermissionRule }
export type PermissionAction = PermissionRule["action"]

export const PermissionRuleset = Schema.Array(PermissionRule)
export type PermissionRuleset = typeof PermissionRuleset.Type

/** A rule this module produces: never `ask` (nobody answers on a delegated session). */
export interface DecidedRule extends PermissionRule {
  readonly action: "allow" | "deny"
}

/** The index of the last element that passes `test`, or -1 (`findLastIndex`, not in this project's ES2022 lib). */
export const lastIndexWhere = <A>(items: ReadonlyArray<A>, test: (item: A) => boolean): number => {
  for (let i = items.length - 1; i >= 0; i--) if (test(items[i]!)) return i
  return -1
}

const lastWhere = <A>(items: ReadonlyArray<A>, test: (item: A) => boolean): A | undefined => items[lastIndexWhere(items, test)]

/** OpenCode's `Wildcard.match(text, pattern)`. */
export const wildcardMatch = (text: string, pattern: string): boolean => {
  let source = pattern.replaceAll("\\", "/").replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")
  if (source.endsWith(" .*")) source = `${source.slice(0, -3)}( .*)?`
  return new RegExp(`^${source}$`, "s").test(text.replaceAll("\\", "/"))
}

/** OpenCode's `Permission.evaluate`: the last matching rule, else `ask`. */
export const evaluatePermission = (permission: string, pattern: string, ...rulesets: ReadonlyArray<ReadonlyArray<PermissionRule>>): PermissionAction => {
  const rule = lastWhere(rulesets.flat(), (r) => wildcardMatch(permission, r.permission) && wildcardMatch(pattern, r.pattern))
  return rule?.action ?? "ask"
}

/** OpenCode's `Permission.disabled` for one tool id: hidden from the model when its last rule is `* deny`. */
export const isToolHidden = (tool: string, ruleset: ReadonlyArray<PermissionRule>): boolean => {
  const permission = tool === "edit" || tool === "write" || tool === "apply_patch" ? "edit" : tool
  const rule = lastWhere(ruleset, (r) => wildcardMatch(permission, r.permission))
  return rule !== undefined && rule.pattern === "*" && rule.action === "deny"
}
