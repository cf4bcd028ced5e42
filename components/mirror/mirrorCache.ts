import { MirrorSpec, TrustedCacheSpec } from "../config/model";
import { mirrorSubstituterUrl } from "./urls";

/**
 * The mirror as a cache hosts and the cache identity trust: its substituter URL and its own
 * public key (known once the stack has generated it).
 */
export function mirrorTrustedCache(mirror: MirrorSpec, publicKey: string): TrustedCacheSpec {
    return { url: mirrorSubstituterUrl(mirror), publicKeys: [publicKey] };
}
