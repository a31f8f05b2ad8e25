export { ContextBuilder, type ContextBuilderOptions, type ContextBuilderShape, handoffFiles } from "./ContextBuilder"
export { type BuildContextInput, type HandoffContext, HandoffInputInvalid, HandoffReadError, HandoffWriteError } from "./handoff"
export { serializeContextToJSON, serializeContextToMarkdown } from "./handoffMarkdown"
export { redactContext } from "./redactContext"
