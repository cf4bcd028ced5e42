import { CACHE_NIXOS_ORG } from "../config/trustedCaches";
import { MANAGED_CONF_NAME, USER_CONF_DIR_PLACEHOLDER } from "./layout";

/** What a host's managed nix.conf fragment declares. */
export interface FragmentSettings {
    /** Substituter URLs, in trust order. */
    readonly substituters: readonly string[];
    /** Trusted public keys, in the same order. */
    readonly trustedPublicKeys: readonly string[];
    /** Users added to the daemon's `trusted-users` (empty for `user` hosts). */
    readonly trustedUsers: readonly string[];
    /** `user` hosts of a private cache: point `netrc-file` at the user's own netrc. */
    readonly userNetrc: boolean;
}

/**
 * Nix's own spelling of cache.nixos.org (its default substituter). Nix drops a substituter
 * listed twice only when the two strings are equal, so writing it the same way keeps the
 * host's default entry and ours from both being queried.
 */
export const NIX_DEFAULT_SUBSTITUTER = "https://cache.nixos.org/";

/** A substituter URL as written on hosts. */
export function hostSubstituterUrl(url: string): string {
    return url.replace(/\/+$/, "") === CACHE_NIXOS_ORG.url ? NIX_DEFAULT_SUBSTITUTER : url;
}

/**
 * The managed file included at the end of a host's nix.conf. Only `extra-*` settings: they
 * append to the host's own lists instead of replacing them, and since the include comes last
 * every base setting has already been read (Nix ignores an `extra-*` line that precedes its
 * base setting, Nix issue 9487).
 */
export function renderManagedNixConf(settings: FragmentSettings): string {
    const lines = [
        `# ${MANAGED_CONF_NAME}: managed by nix-cache; changes here are overwritten on the next \`pulumi up\`.`,
        "# Included at the end of nix.conf, so these lists extend the host's own settings.",
        `extra-substituters = ${settings.substituters.map(hostSubstituterUrl).join(" ")}`,
        `extra-trusted-public-keys = ${settings.trustedPublicKeys.join(" ")}`,
    ];
    if (settings.trustedUsers.length > 0) {
        lines.push(`extra-trusted-users = ${settings.trustedUsers.join(" ")}`);
    }
    if (settings.userNetrc) {
        // Nix needs an absolute path here; the apply script puts in the user's config dir.
        lines.push(`netrc-file = ${USER_CONF_DIR_PLACEHOLDER}/netrc`);
    }
    return `${lines.join("\n")}\n`;
}
