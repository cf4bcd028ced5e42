import { MirrorSpec } from "../config/model";
import { renderBucketPolicy } from "./bucketPolicy";
import { MirrorLifecycleRule, mirrorLifecycleRules } from "./lifecycle";
import { NIX_CACHE_INFO_CONTENT_TYPE, NIX_CACHE_INFO_KEY, renderNixCacheInfo } from "./nixCacheInfo";
import { PublicAccessBlockSettings, publicAccessBlockSettings } from "./publicAccess";
import { mirrorServerFeatures } from "./serverKind";

/**
 * The bucket's resources and their inputs, decided before any is registered: `S3Mirror`
 * creates exactly these, and the tests send the same requests to a real server. A setting the
 * server does not implement is absent, not sent.
 */
export interface MirrorBucketPlan {
    /** `aws.s3.Bucket`. */
    readonly bucket: { readonly bucket: string };
    /** `aws.s3.BucketOwnershipControls`, AWS only. */
    readonly ownershipControls?: { readonly objectOwnership: "BucketOwnerEnforced" };
    /** `aws.s3.BucketServerSideEncryptionConfiguration`, AWS only. */
    readonly encryption?: { readonly sseAlgorithm: "AES256" };
    /** `aws.s3.BucketPublicAccessBlock`, AWS only. */
    readonly publicAccessBlock?: PublicAccessBlockSettings;
    /** `aws.s3.BucketPolicy`'s exact text, where the server has bucket policies and one is needed. */
    readonly policy?: string;
    /** `aws.s3.BucketLifecycleConfiguration`'s rules; none means no lifecycle resource. */
    readonly lifecycleRules: readonly MirrorLifecycleRule[];
    /** `aws.s3.BucketObjectv2` of `nix-cache-info`. */
    readonly cacheInfo: { readonly key: string; readonly content: string; readonly contentType: string };
}

/** The bucket plan of a mirror, per its server kind. */
export function mirrorBucketPlan(mirror: MirrorSpec): MirrorBucketPlan {
    const features = mirrorServerFeatures(mirror);
    return {
        bucket: { bucket: mirror.bucket },
        ...(features.ownershipControls ? { ownershipControls: { objectOwnership: "BucketOwnerEnforced" as const } } : {}),
        ...(features.encryptionConfig ? { encryption: { sseAlgorithm: "AES256" as const } } : {}),
        ...(features.publicAccessBlock ? { publicAccessBlock: publicAccessBlockSettings(mirror) } : {}),
        ...(features.bucketPolicy ? optional("policy", renderBucketPolicy(mirror)) : {}),
        lifecycleRules: mirrorLifecycleRules(mirror, features),
        cacheInfo: { key: NIX_CACHE_INFO_KEY, content: renderNixCacheInfo({ priority: mirror.priority }), contentType: NIX_CACHE_INFO_CONTENT_TYPE },
    };
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
    return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}
