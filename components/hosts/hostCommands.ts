import { HostKind } from "../config/model";
import { HostScripts } from "./hostScripts";
import { remoteCommand } from "./remoteCommand";

/**
 * The command line of each script of a host, by the roles of {@link HostScripts}: the script
 * wrapped to run as root (or unprivileged), exactly what runs over SSH. `apply` and `destroy`
 * are the `settings` command's create (and update) and delete; `netrcApply` and `netrcDestroy`
 * the `netrc` command's (private caches only); `verify` the `verify` command's create and
 * update, and what `npm run verify` runs; `detect` only `npm run verify` runs.
 */
export type HostCommands = { readonly [Role in keyof HostScripts]: HostScripts[Role] };

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
