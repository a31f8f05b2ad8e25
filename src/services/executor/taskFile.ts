import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as path from "node:path"
import { decodeTaskList, type Task, TaskListInvalid } from "./task"
import { parseJson, readTextIfExists } from "../../lib/jsonFile"

/**
 * A task list from a JSON file: either a list of tasks or `{ "tasks": [...] }`.
 * Every problem is one line that starts with the file's name.
 */
export const readTaskFile = (file: string): Effect.Effect<ReadonlyArray<Task>, TaskListInvalid> => {
  const name = path.basename(file)
  const fail = (why: string) => new TaskListInvalid({ message: `${name}: ${why}` })
  return readTextIfExists(file).pipe(
    Effect.mapError((error) => fail(`cannot read ${file} (${error.code ?? error.message})`)),
    Effect.flatMap(Option.match({ onNone: () => Effect.fail(fail(`${file} does not exist`)), onSome: Effect.succeed })),
    Effect.flatMap((text) => Effect.mapError(parseJson(text), fail)),
    Effect.map((json) =>
      json !== null && typeof json === "object" && !Array.isArray(json) && "tasks" in json ? (json as { tasks: unknown }).tasks : json
    ),
    Effect.flatMap((list) => Effect.mapError(decodeTaskList(list), (error) => fail(error.message)))
  )
}
