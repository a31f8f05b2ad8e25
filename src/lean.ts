// The entry of the lean payload of dist/omcm.js: what runs on every Claude Code tool call or statusline redraw.
// It holds only the hook and statusline programs; everything else is in the full payload (src/bin.ts).
const argv = process.argv.slice(2)

// the relay (src/relay) may have read stdin already, when no daemon took the call
const stdin = (globalThis as { __omcmStdin?: string }).__omcmStdin
if (argv[0] === "hook") {
  void import("./programs/hooks/main").then((m) => m.main(argv.slice(1), stdin))
} else {
  void import("./programs/statuslineMain").then((m) => m.main(stdin))
}
export {}
