import { TrustedCaches } from "../config/trustedCaches";

/**
 * The nix.conf lines of the guide's non-NixOS setup: whole `substituters` and
 * `trusted-public-keys` settings, cache.nixos.org first.
 */
export function renderNixConfLines(trusted: Pick<TrustedCaches, "substituters" | "trustedPublicKeys">): string {
    return [
        `substituters = ${trusted.substituters.join(" ")}`,
        `trusted-public-keys = ${trusted.trustedPublicKeys.join(" ")}`,
        "",
    ].join("\n");
}
