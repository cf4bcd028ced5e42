/** A Nix binary-cache public key, `KEYNAME:base64(32-byte Ed25519 key)`. */
export interface NixPublicKey {
    /** The key's name, e.g. `atproto.cachix.org-1`. */
    readonly name: string;
    /** The base64 of the 32 raw key bytes. */
    readonly base64: string;
}

const ED25519_PUBLIC_KEY_BYTES = 32;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** Key names as Nix writes them: no whitespace, no colon. */
const KEY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Parses a public key, or explains what is wrong with it (without echoing it). */
export function parseNixPublicKey(text: string): NixPublicKey | { error: string } {
    const colon = text.indexOf(":");
    if (colon <= 0) {
        return { error: "KEYNAME:base64, e.g. atproto.cachix.org-1:mgH0...rk=" };
    }
    const name = text.slice(0, colon);
    const base64 = text.slice(colon + 1);
    if (!KEY_NAME.test(name)) {
        return { error: `a key name of letters, digits, ".", "_" or "-" before the colon; got "${name}"` };
    }
    if (!BASE64.test(base64) || Buffer.from(base64, "base64").length !== ED25519_PUBLIC_KEY_BYTES) {
        return { error: `base64 of a ${ED25519_PUBLIC_KEY_BYTES}-byte Ed25519 public key after "${name}:"` };
    }
    return { name, base64 };
}

/** The key name Cachix gives a cache's keys: `NAME.cachix.org-N`. */
export function isCachixKeyNameFor(cacheName: string, keyName: string): boolean {
    return new RegExp(`^${escapeRegExp(cacheName)}\\.cachix\\.org-\\d+$`).test(keyName);
}

/**
 * Cachix cache names become a DNS label (`NAME.cachix.org`): lowercase letters, digits and
 * hyphens, 1 to 63 characters, not starting or ending with a hyphen.
 */
export function cachixNameProblem(name: string): string | undefined {
    return /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(name)
        ? undefined
        : "lowercase letters, digits and hyphens, 1-63 characters, not starting or ending with a hyphen";
}

function escapeRegExp(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
