import type { BuildOptions } from "esbuild"

export type PayloadName = "hook" | "statusline" | "delegate" | "handoff" | "full"
export declare const PAYLOADS: Readonly<Record<PayloadName, string>>
export declare const payloadOptions: (name: PayloadName) => BuildOptions & { readonly metafile: true; readonly write: false }
