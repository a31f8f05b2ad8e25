export { ContextSynchronizer, type ContextSynchronizerShape, makeContextSynchronizer, type PushedContext } from "./ContextSynchronizer"
