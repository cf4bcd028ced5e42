/**
 * The caches of the components' arguments, shaped as the stack file writes them (`nix-cache:cache`,
 * `nix-cache:extraCaches`) and checked by the same schema. Plain values: they decide the content of
 * every rendered file before any resource is registered.
 */

/** The organisation's own Cachix cache. */
export interface CacheArgs {
    /** Cachix cache name (a DNS label), e.g. `atproto`. */
    name: string;
    /** Substituter URL; `https://NAME.cachix.org` unless set. */
    url?: string;
    /** Its public keys, `NAME.cachix.org-N:base64`; left out, `cacheSetupArgsFromCachix` (or the component provider) reads them from Cachix. */
    publicKeys?: string[];
    /** A private cache: hosts get a netrc with the read token; the URL must be https:// (or http:// to a loopback address). */
    private?: boolean;
    /** `url` differs from Cachix's `uri` on purpose (a proxy in front of it). */
    overrideUrl?: boolean;
    /** Do not ask Cachix: nothing is checked against the cache. */
    offline?: boolean;
    /** Cachix's API base URL, or a compatible server's; `https://app.cachix.org/api/v1` unless set. */
    apiUrl?: string;
    /** Create the cache when Cachix says it does not exist (never deleted). */
    create?: boolean;
}

/** Another cache hosts and CI trust: a Cachix `name` or any `url`, with its public keys. */
export interface ExtraCacheArgs {
    /** A Cachix cache's name (CI then pulls it through cachix-action's `extraPullNames`). */
    name?: string;
    /** Its substituter URL; `https://NAME.cachix.org` for a Cachix name unless set. */
    url?: string;
    /** Its Ed25519 public keys, `KEYNAME:base64`, at least one. */
    publicKeys: string[];
}

/** A cache known only at deploy time (the S3 mirror), trusted after the others. */
export interface TrustedCacheArgs {
    /** Substituter URL. */
    url: string;
    /** Its public keys, `KEYNAME:base64`. */
    publicKeys: string[];
    /** Set when it is a Cachix cache. */
    cachixName?: string;
}
