import { MirrorSpec, StackModel, TrustedCacheSpec } from "../config/model";
import { mirrorSubstituterUrl } from "./urls";

/**
 * The mirror as a cache hosts and the cache identity trust: its substituter URL and its own
 * public key (known once the stack has generated it).
 */
export function mirrorTrustedCache(mirror: MirrorSpec, publicKey: string): TrustedCacheSpec {
    return { url: mirrorSubstituterUrl(mirror), publicKeys: [publicKey] };
}

/**
 * What `render` writes for the mirror's public key, generated only by `pulumi up`: the key's
 * name, then a marker where its base64 goes. One token (no spaces), so a rendered nix.conf
 * lists exactly the keys the applied one does.
 */
export function mirrorPublicKeyPlaceholder(mirror: Pick<MirrorSpec, "keyName">): string {
    return `${mirror.keyName}:<public-key-generated-by-pulumi-up>`;
}

/**
 * The caches the stack adds to what hosts and the identity trust, as `render` sees them: the
 * mirror, with its key as a placeholder. Apply passes the same cache with the generated key,
 * so every rendered file lists the substituters the applied one does, in the same order.
 */
export function renderedAddedCaches(model: Pick<StackModel, "mirror">): TrustedCacheSpec[] {
    return model.mirror === undefined ? [] : [mirrorTrustedCache(model.mirror, mirrorPublicKeyPlaceholder(model.mirror))];
}
