import * as ParseResult from "effect/ParseResult"

/** `a.b[2].c` from a parse path */
export const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>((acc, key) => {
    if (typeof key === "number") return `${acc}[${key}]`
    const name = String(key)
    return acc.length === 0 ? name : `${acc}.${name}`
  }, "")

const valueAt = (input: unknown, path: ReadonlyArray<PropertyKey>): unknown =>
  path.reduce<unknown>(
    (value, key) => (value !== null && typeof value === "object" ? (value as Record<PropertyKey, unknown>)[key] : undefined),
    input
  )

const show = (value: unknown): string => {
  const json = JSON.stringify(value)
  if (json === undefined) return String(value)
  return json.length > 60 ? `${json.slice(0, 57)}...` : json
}

/**
 * A schema without a message of its own names its type (`expected { readonly tier?: ... }`): said in words instead,
 * an object or a list.
 */
const plainExpectation = (message: string): string =>
  /^expected \{/.test(message)
    ? "expected an object"
    : /^expected (ReadonlyArray<|readonly \[|Array<|\[)/.test(message)
    ? "expected a list"
    : message

/**
 * The first problem of a failed decode, as one line: `<where>: <path>: <what was expected>, got <value>`.
 * `where` names the file or input that was decoded.
 */
export const formatParseError = (where: string, input: unknown, error: ParseResult.ParseError): string => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error)
  const issue = issues[0]
  if (issue === undefined) return `${where}: invalid`
  const at = formatPath(issue.path)
  const prefix = at.length > 0 ? `${where}: ${at}` : where
  switch (issue._tag) {
    case "Unexpected":
      return `${prefix}: unknown key`
    case "Missing":
      return `${prefix}: is missing`
    default: {
      const message = plainExpectation(issue.message.replace(/^Expected /, "expected ").replace(/, actual [\s\S]*$/, ""))
      return `${prefix}: ${message}, got ${show(valueAt(input, issue.path))}`
    }
  }
}
