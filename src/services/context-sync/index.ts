export { ContextSynchronizer, type ContextSynchronizerShape, makeContextSynchronizer, type PushedContext } from "./ContextSynchronizer"
export { NoteSummarizer, type NoteSummarizerShape, type SummaryOutcome, type SummaryRequest } from "./NoteSummarizer"
export { decodeSummary, notesOfSummary, SummaryAnswer, summaryPrompt, transcriptDigest } from "./noteSummary"
