import * as Layer from "effect/Layer"
import { AutoHandoffWriter, type HandoffEnv } from "./autoHandoffWriter"
import { HookDelegation } from "./delegation"
import type { HookLoadedParts } from "./main"

/**
 * A hook's delegation and handoff writer from the bundle that runs it (the CLI's payload, the daemon, `tsx` and
 * tests), each loaded on its first use; `env` is the hook caller's environment (the daemon answers for others).
 * dist/omcm.js's hook payload has its own, loading payloads of their own (src/payloads/hook.ts).
 */
export const hookPartsInBundle = (env: HandoffEnv = process.env): Layer.Layer<HookLoadedParts> =>
  Layer.merge(HookDelegation.lazy(() => import("./delegate")), AutoHandoffWriter.lazy(() => import("./writeAutoHandoff"), env))
