import { MirrorSpec, StackModel, TrustedCacheSpec } from "../config/model";
import { mirrorKeySlots } from "./keyRotation";
import { mirrorSubstituterUrl } from "../formats/s3Urls";

/**
 * The mirror as a cache hosts and the cache identity trust: its substituter URL and its own
 * public keys (known once the stack has generated them), the current key first and, during a
 * rotation, the previous one.
 */
export function mirrorTrustedCache(mirror: MirrorSpec, publicKeys: readonly string[]): TrustedCacheSpec {
    return { url: mirrorSubstituterUrl(mirror), publicKeys: [...publicKeys] };
}

/**
 * What `render` writes for the mirror's public key, generated only by `pulumi up`: the key's
 * name, then a marker where its base64 goes. One token (no spaces), so a rendered nix.conf
 * lists exactly the keys the applied one does.
 */
export function mirrorPublicKeyPlaceholder(mirror: Pick<MirrorSpec, "keyName">): string {
    return `${mirror.keyName}:<public-key-generated-by-pulumi-up>`;
}

/** The placeholders of every key the mirror trusts, in the order apply lists them. */
function trustedKeyPlaceholders(mirror: MirrorSpec): string[] {
    return mirrorKeySlots(mirror).map((slot) => mirrorPublicKeyPlaceholder(slot));
}

/**
 * The caches the stack adds to what hosts and the identity trust, as `render` sees them: the
 * mirror, with its key as a placeholder. Apply passes the same cache with the generated key,
 * so every rendered file lists the substituters the applied one does, in the same order.
 */
export function renderedAddedCaches(model: Pick<StackModel, "mirror">): TrustedCacheSpec[] {
    return model.mirror === undefined ? [] : [mirrorTrustedCache(model.mirror, trustedKeyPlaceholders(model.mirror))];
}
