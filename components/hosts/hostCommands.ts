import { HostKind } from "../config/model";
import { HostScripts } from "./hostScripts";
import { remoteCommand } from "./remoteCommand";

/** The command lines of a host's remote commands: exactly what runs over SSH. */
export interface HostCommands {
    /** `settings` create and update. */
    readonly apply: string;
    /** `settings` delete. */
    readonly destroy: string;
    /** `verify` create and update; also what `npm run verify` runs. */
    readonly verify: string;
    /** Run by `npm run verify` to report the host's kind. */
    readonly detect: string;
    /** `netrc` create and update (token on stdin); private caches only. */
    readonly netrcApply?: string;
    /** `netrc` delete; private caches only. */
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
