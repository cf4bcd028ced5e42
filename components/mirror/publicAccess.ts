import { MirrorSpec } from "../config/model";

/** The bucket's public-access block, in the shape `aws.s3.BucketPublicAccessBlock` takes. */
export interface PublicAccessBlockSettings {
    /** Refuse requests that set a public ACL. */
    readonly blockPublicAcls: true;
    /** Ignore any public ACL already there. */
    readonly ignorePublicAcls: true;
    /** Refuse a bucket policy that grants public access (private mirrors). */
    readonly blockPublicPolicy: boolean;
    /** Limit a public policy to AWS principals of this account (private mirrors). */
    readonly restrictPublicBuckets: boolean;
}

/**
 * ACLs can never make anything public (they are disabled by ownership controls too); only the
 * bucket policy may grant anonymous reads, and only for a public mirror. A private mirror
 * blocks public policies outright, so a later hand edit cannot open it.
 */
export function publicAccessBlockSettings(mirror: Pick<MirrorSpec, "public">): PublicAccessBlockSettings {
    return {
        blockPublicAcls: true,
        ignorePublicAcls: true,
        blockPublicPolicy: !mirror.public,
        restrictPublicBuckets: !mirror.public,
    };
}
