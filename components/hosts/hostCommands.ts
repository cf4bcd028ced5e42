import { HostKind } from "../config/model";
import { HostScripts } from "./hostScripts";
import { scriptBundle, scriptLine } from "./remoteCommand";
import { shQuote } from "../formats/shell";

/** One script as it runs over SSH: a short command line, and the stdin that carries the script. */
export interface RemoteRun {
    /** The command line, the same for every host (see {@link scriptLine}). */
    readonly line: string;
    /** The scripts; a command's own data (the netrc token) follows them. */
    readonly stdin: string;
}

/**
 * Exactly what runs over SSH for each script of a host. `apply` and `destroy` are the `settings`
 * command's create (and update) and delete, and share one stdin (a delete runs with the stdin of
 * the last create or update); `netrcApply` and `netrcDestroy` the `netrc` command's (private
 * caches only); `verify` the `verify` command's create and update, and what `npm run verify`
 * runs; `detect` only `npm run verify` runs.
 */
export type HostCommands = { readonly [K in keyof HostScripts]: HostScripts[K] extends string ? RemoteRun : RemoteRun | undefined };

/** The command lines and stdin running `scripts` on a host of kind `kind`. */
export function hostCommands(scripts: HostScripts, kind: HostKind): HostCommands {
    // A private cache's netrc is undone with the rest by the settings command's delete: one
    // command per host, so a failure (a host gone, an engine stopped) never leaves it half undone.
    const destroy = scripts.netrcDestroy === undefined ? scripts.destroy : inSequence(scripts.netrcDestroy, scripts.destroy);
    const settings = scriptBundle({ apply: scripts.apply, destroy }, kind);
    const commands: HostCommands = {
        apply: { line: scriptLine("apply"), stdin: settings },
        destroy: { line: scriptLine("destroy"), stdin: settings },
        verify: { line: scriptLine("verify"), stdin: scriptBundle({ verify: scripts.verify }, kind) },
        // Unprivileged: it reports whether the login user is root or can sudo.
        detect: { line: scriptLine("detect"), stdin: scriptBundle({ detect: scripts.detect }, kind, "unprivileged") },
    };
    if (scripts.netrcApply === undefined || scripts.netrcDestroy === undefined) {
        return commands;
    }
    const netrc = scriptBundle({ "netrc-apply": scripts.netrcApply, "netrc-destroy": scripts.netrcDestroy }, kind);
    return { ...commands, netrcApply: { line: scriptLine("netrc-apply"), stdin: netrc }, netrcDestroy: { line: scriptLine("netrc-destroy"), stdin: netrc } };
}

/** A script running `first`, then, if it succeeded, `second`, each under its own sh with the same conf dir. */
function inSequence(first: string, second: string): string {
    return `sh -c ${shQuote(first)} nix-cache "$1" || exit $?
exec sh -c ${shQuote(second)} nix-cache "$1"
`;
}
