// The omcm executable. Hooks and the statusline run on every Claude Code tool call or redraw, so they load only
// what they use; everything else goes through the full @effect/cli command tree.
const argv = process.argv.slice(2)

if (argv[0] === "hook") {
  void Promise.all([import("./programs/hooks/main"), import("./programs/hooks/inBundle")]).then(([hooks, { hookPartsInBundle }]) =>
    hooks.main(argv.slice(1), undefined, hookPartsInBundle())
  )
} else if (argv[0] === "statusline" && argv.length === 1) {
  void import("./programs/statuslineMain").then((m) => m.main())
} else {
  void import("./programs/cli/main").then((m) => m.main(process.argv))
}
export {}
