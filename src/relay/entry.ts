// Bundled into dist/omcm.js's loader as plain code (see build.mjs): the loader calls it before any payload.
export { relayHook, relayStatusline } from "./hookRelay"
