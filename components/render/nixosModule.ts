import { TrustedCacheSpec } from "../config/model";
import { CACHE_NIXOS_ORG, TrustedCaches } from "../config/trustedCaches";
import { cacheFileName } from "../formats/cacheFileName";
import { nixString, nixStringList } from "./nixString";

const HEADER = "# Managed by nix-cache: changes here are overwritten on the next `pulumi up`.";

/** A NixOS module to paste or import: every trusted cache in `nix.settings`. */
export function renderNixosModule(trusted: Pick<TrustedCaches, "substituters" | "trustedPublicKeys">): string {
    return [
        HEADER,
        "{",
        `  nix.settings.substituters = ${nixStringList(trusted.substituters, 2)};`,
        `  nix.settings.trusted-public-keys = ${nixStringList(trusted.trustedPublicKeys, 2)};`,
        "}",
        "",
    ].join("\n");
}

/** One file of the `cachix use` layout, relative to `/etc/nixos`. */
export interface NixosModuleFile {
    /** `cachix.nix` or `cachix/NAME.nix`. */
    readonly path: string;
    /** File content. */
    readonly content: string;
}

/**
 * The `cachix use` layout under `/etc/nixos`: `cachix.nix` imports every regular `*.nix` file
 * in `./cachix`, and each cache gets `cachix/NAME.nix`. A host that already imports
 * `./cachix.nix` keeps working, caches added there by hand stay imported, and a file written by
 * `cachix use NAME` is replaced by one with the same settings rather than duplicated.
 */
export function renderCachixLayout(trusted: Pick<TrustedCaches, "caches">): NixosModuleFile[] {
    const perCache = trusted.caches
        .filter((cache) => cache.url !== CACHE_NIXOS_ORG.url)
        .map((cache) => ({ path: `cachix/${cacheFileName(cache)}.nix`, content: renderCacheFile(cache), url: cache.url }));
    // One file per cache: two caches under one name would overwrite each other's settings.
    const byPath = new Map<string, string>();
    for (const file of perCache) {
        const other = byPath.get(file.path);
        if (other !== undefined) {
            throw new Error(`caches ${other} and ${file.url} would both be written to /etc/nixos/${file.path} on NixOS hosts; give one of them another URL (or Cachix name)`);
        }
        byPath.set(file.path, file.url);
    }
    const withNixosOrg = trusted.caches.some((cache) => cache.url === CACHE_NIXOS_ORG.url);
    return [{ path: "cachix.nix", content: renderGlue(withNixosOrg) }, ...perCache.map(({ path, content }) => ({ path, content }))];
}

function renderCacheFile(cache: TrustedCacheSpec): string {
    return [
        HEADER,
        "{",
        `  nix.settings.substituters = [ ${nixString(cache.url)} ];`,
        `  nix.settings.trusted-public-keys = ${nixStringList(cache.publicKeys, 2)};`,
        "}",
        "",
    ].join("\n");
}

// Setting these options replaces NixOS's defaults, so cache.nixos.org is added back here.
function renderGlue(withNixosOrg: boolean): string {
    const nixosOrg = withNixosOrg
        ? [
              `  nix.settings.substituters = [ ${nixString(CACHE_NIXOS_ORG.url)} ];`,
              `  nix.settings.trusted-public-keys = ${nixStringList(CACHE_NIXOS_ORG.publicKeys, 2)};`,
          ]
        : [];
    return [
        HEADER,
        "{ lib, ... }:",
        "let",
        "  dir = ./cachix;",
        "  isModule = name: kind: kind == \"regular\" && lib.hasSuffix \".nix\" name;",
        "  modules = lib.attrNames (lib.filterAttrs isModule (builtins.readDir dir));",
        "in",
        "{",
        "  imports = map (name: dir + \"/${name}\") modules;",
        ...nixosOrg,
        "}",
        "",
    ].join("\n");
}
