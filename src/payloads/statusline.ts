// The statusline payload of dist/omcm.js (see build.mjs): `omcm statusline`, run on every statusline redraw when no
// pool daemon answers it through the relay.
import { main } from "../programs/statuslineMain"

// the relay (src/relay) may have read stdin already, when no daemon took the call
main((globalThis as { readonly __omcmStdin?: string }).__omcmStdin)
