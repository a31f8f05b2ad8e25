import * as PlatformCommand from "@effect/platform/Command"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"

/** the platform's opener of a URL in the default browser */
const opener = (url: string): PlatformCommand.Command =>
  process.platform === "darwin"
    ? PlatformCommand.make("open", url)
    : process.platform === "win32"
    ? PlatformCommand.make("cmd", "/c", "start", "", url)
    : PlatformCommand.make("xdg-open", url)

/**
 * Open `url` in the browser, in the background. A machine without an opener (a server, a container) only gets a
 * line saying so: the URL is printed anyway.
 */
export const openBrowser = (url: string) =>
  PlatformCommand.exitCode(opener(url).pipe(PlatformCommand.stdin("inherit"), PlatformCommand.stdout("inherit"), PlatformCommand.stderr("inherit"))).pipe(
    Effect.flatMap((code) => code === 0 ? Effect.void : Console.error(`omcm dashboard: the browser opener exited with ${code}; open the URL above by hand`)),
    Effect.catchAll(() => Console.error("omcm dashboard: no browser opener found (xdg-open/open); open the URL above by hand")),
    Effect.forkScoped
  )
