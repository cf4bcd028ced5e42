import { normaliseUrl } from "../formats/urls";
import { nixPublicKeyOf } from "../formats/signingKey";
import { CachixBinaryCache, Permission, PERMISSIONS } from "./cachixApi";

/** The cache as the stack declares it, the part Cachix can contradict. */
export interface DeclaredCache {
    readonly name: string;
    readonly url: string;
    /** `url` was set in the stack rather than derived from the name. */
    readonly urlGiven: boolean;
    /** The declared `url` is meant to differ from Cachix's (a proxy in front of it). */
    readonly overrideUrl: boolean;
    /** Empty: take Cachix's. */
    readonly publicKeys: readonly string[];
    readonly private: boolean;
}

/**
 * Where the stack contradicts Cachix, one message per config key, each naming both values and
 * what to do. Keys are public, URLs and visibility are not secrets: all may be shown.
 */
export function cacheMismatches(declared: DeclaredCache, remote: CachixBinaryCache): string[] {
    const problems: string[] = [];
    const known = new Set(remote.publicSigningKeys);
    const cachixKeys = remote.publicSigningKeys.length === 0 ? "none" : remote.publicSigningKeys.join(", ");
    for (const key of declared.publicKeys.filter((k) => !known.has(k))) {
        problems.push(`cache.publicKeys: ${key} is not a key of cache "${declared.name}"; Cachix has ${cachixKeys}. ` +
            "Correct the key, or remove publicKeys to take Cachix's");
    }
    if (declared.private === remote.isPublic) {
        const cachix = remote.isPublic ? "public" : "private";
        problems.push(`cache.private: the stack says ${declared.private}, Cachix says the cache is ${cachix}; set cache.private: ${!remote.isPublic}`);
    }
    if (declared.urlGiven && !declared.overrideUrl && normaliseUrl(declared.url) !== normaliseUrl(remote.uri)) {
        problems.push(`cache.url: the stack says ${declared.url}, Cachix says ${remote.uri}; remove cache.url to use Cachix's, ` +
            "or set cache.overrideUrl: true to substitute from another URL on purpose");
    }
    return problems;
}

/** Whether `permission` is at least `needed`. */
export function allows(permission: Permission, needed: Permission): boolean {
    return PERMISSIONS.indexOf(permission) >= PERMISSIONS.indexOf(needed);
}

/**
 * The public key of a Cachix signing key (`CACHIX_SIGNING_KEY`: base64 of libsodium's 64-byte
 * secret key, with or without Nix's `NAME:` in front), as the base64 of its 32 bytes, computed
 * from the seed; undefined when it is not one. Nothing of the key is ever in a message.
 */
export function signingKeyPublicBase64(secretKey: string): string | undefined {
    const trimmed = secretKey.trim();
    try {
        const publicKey = nixPublicKeyOf(`cachix:${trimmed.slice(trimmed.indexOf(":") + 1)}`);
        return publicKey.slice(publicKey.indexOf(":") + 1);
    } catch {
        return undefined;
    }
}

/** Whether a `NAME:base64` key in `keys` has the public half `base64`. */
export function hasPublicKey(keys: readonly string[], base64: string): boolean {
    return keys.some((key) => key.slice(key.indexOf(":") + 1) === base64);
}
