export { ContextBuilder, handoffFiles } from "./ContextBuilder"
export { type BuildContextInput, HandoffReadError } from "./handoff"
