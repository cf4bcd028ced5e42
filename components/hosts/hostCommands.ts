import { HostKind } from "../config/model";
import { HostScripts } from "./hostScripts";
import { remoteCommand } from "./remoteCommand";

/**
 * The command line of each script of a host ({@link HostScripts}, wrapped to run as root or
 * unprivileged): exactly what runs over SSH.
 */
export interface HostCommands {
    /** The `settings` command's create (and update). */
    readonly apply: string;
    /** The `settings` command's delete. */
    readonly destroy: string;
    /** The `verify` command's create and update, and what `npm run verify` runs. */
    readonly verify: string;
    /** What only `npm run verify` runs, unprivileged. */
    readonly detect: string;
    /** The `netrc` command's create (private caches only). */
    readonly netrcApply?: string;
    /** The `netrc` command's delete (private caches only). */
    readonly netrcDestroy?: string;
}

/** Wraps each script of a host into the command line its remote command runs. */
export function hostCommands(scripts: HostScripts, kind: HostKind): HostCommands {
    const commands: HostCommands = {
        apply: remoteCommand(scripts.apply, kind),
        destroy: remoteCommand(scripts.destroy, kind),
        verify: remoteCommand(scripts.verify, kind),
        // Unprivileged: it reports whether the login user is root or can sudo.
        detect: remoteCommand(scripts.detect, kind, "unprivileged"),
    };
    if (scripts.netrcApply === undefined || scripts.netrcDestroy === undefined) {
        return commands;
    }
    return { ...commands, netrcApply: remoteCommand(scripts.netrcApply, kind), netrcDestroy: remoteCommand(scripts.netrcDestroy, kind) };
}
