import { normaliseUrl } from "../formats/urls";
import { StackModel, TrustedCacheSpec } from "./model";

/** cache.nixos.org, trusted first by default (Nix's own default substituter). */
export const CACHE_NIXOS_ORG: TrustedCacheSpec = {
    url: "https://cache.nixos.org",
    publicKeys: ["cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY="],
};

/** The caches a host or user trusts, in their stable order, and the lists derived from them. */
export interface TrustedCaches {
    /** cache.nixos.org (unless turned off), the org's cache, extra caches, then any added caches. */
    readonly caches: readonly TrustedCacheSpec[];
    /** Substituter URLs in the same order. */
    readonly substituters: readonly string[];
    /** Every trusted public key, in the same order, without repeats. */
    readonly trustedPublicKeys: readonly string[];
}

/**
 * Orders and de-duplicates the caches of a stack: cache.nixos.org first, then the org's own
 * cache, the configured extra caches, and `added` (caches known only at deploy time, such as
 * the S3 mirror). A URL listed twice is kept once, with the union of its keys.
 */
export function trustedCaches(
    model: Pick<StackModel, "cache" | "useCacheNixosOrg" | "extraCaches">,
    added: readonly TrustedCacheSpec[] = [],
): TrustedCaches {
    const primary: TrustedCacheSpec = { url: model.cache.url, publicKeys: model.cache.publicKeys, cachixName: model.cache.name };
    const ordered = [...(model.useCacheNixosOrg ? [CACHE_NIXOS_ORG] : []), primary, ...model.extraCaches, ...added];
    const byUrl = new Map<string, TrustedCacheSpec>();
    for (const cache of ordered) {
        const key = normaliseUrl(cache.url);
        const seen = byUrl.get(key);
        byUrl.set(key, seen ? { ...seen, publicKeys: unique([...seen.publicKeys, ...cache.publicKeys]) } : cache);
    }
    const caches = [...byUrl.values()];
    return {
        caches,
        substituters: caches.map((c) => c.url),
        trustedPublicKeys: unique(caches.flatMap((c) => c.publicKeys)),
    };
}

function unique(values: readonly string[]): string[] {
    return [...new Set(values)];
}
