import * as Layer from "effect/Layer"
import { Config, Paths } from "../services/config"
import { ClaudeUsage, FusionRouter, RouterState, Sessions } from "../services/router"
import { Store } from "../services/store"
import { Tracker, TrackerStore } from "../services/tracker"

// In a file of its own, built from the services' layers alone: the hook payload of dist/omcm.js bundles this file,
// not layers/core.ts, whose other layers (MetricsCollector for the statusline and the CLI...) a hook never builds
// (test/unit/hookBundle.test.ts). The same layer as ConfigLive + StateLive + UsageLive there, plus router and tracker.

/** What a hook needs: routing decisions, and recording them and their calls */
export const HookLive = Layer.mergeAll(
  FusionRouter.layer,
  Tracker.layer,
  ClaudeUsage.layer,
  Store.layer,
  RouterState.layer,
  Sessions.layer,
  TrackerStore.layer,
  Config.layer,
  Paths.layer
)
