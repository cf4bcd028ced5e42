/** The object key Nix reads first from a binary cache. */
export const NIX_CACHE_INFO_KEY = "nix-cache-info";

/** The content type Nix's own binary caches serve `nix-cache-info` with. */
export const NIX_CACHE_INFO_CONTENT_TYPE = "text/x-nix-cache-info";

/** What a binary cache announces about itself. */
export interface NixCacheInfo {
    /** The store the cache's paths belong to; `/nix/store` unless given. */
    readonly storeDir?: string;
    /** Whether clients may ask it about many paths at once (`nix-env -qas`); true unless given. */
    readonly wantMassQuery?: boolean;
    /** Lower is tried first; cache.nixos.org is 40. */
    readonly priority: number;
}

/** The text of `nix-cache-info`, in the order Nix writes it. */
export function renderNixCacheInfo(info: NixCacheInfo): string {
    return [
        `StoreDir: ${info.storeDir ?? "/nix/store"}`,
        `WantMassQuery: ${info.wantMassQuery ?? true ? 1 : 0}`,
        `Priority: ${info.priority}`,
        "",
    ].join("\n");
}
