import { HostSpec } from "../config/model";

/**
 * The `nix` or `nixos` entries a `user` entry's commands run after: the one of the machine it
 * logs in to (same address and port), which manages the daemon's `trusted-users` the user's
 * apply checks. Where a machine is known only once an Output resolves (`machineDeferred`), any
 * system entry may be that machine, so the unknown ones are waited for too, or all of them for a
 * deferred `user` entry. Empty for other kinds.
 */
export function systemHostsOf(host: HostSpec, hosts: readonly HostSpec[], machineDeferred: (host: HostSpec) => boolean = () => false): HostSpec[] {
    if (host.kind !== "user") {
        return [];
    }
    const systems = hosts.filter((other) => other.kind !== "user");
    if (machineDeferred(host)) {
        return systems;
    }
    return systems.filter((other) => machineDeferred(other) || (other.ssh.address === host.ssh.address && other.ssh.port === host.ssh.port));
}
