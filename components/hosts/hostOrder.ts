import { HostSpec } from "../config/model";

/**
 * The `nix` or `nixos` entry of the machine a `user` entry logs in to (same address and port),
 * if the stack has one: it manages the daemon's `trusted-users`, which the user's apply checks,
 * so the user's commands run after it. Undefined for other kinds.
 */
export function systemHostOf(host: HostSpec, hosts: readonly HostSpec[]): HostSpec | undefined {
    if (host.kind !== "user") {
        return undefined;
    }
    return hosts.find((other) => other.kind !== "user" && other.ssh.address === host.ssh.address && other.ssh.port === host.ssh.port);
}
