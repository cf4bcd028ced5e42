import { MirrorSpec } from "../config/model";

/** Where the mirror's bucket lives: AWS itself, or an S3-compatible server of a known kind. */
export type MirrorServerKind = "aws" | "minio" | "r2" | "generic";

/**
 * The bucket settings a server kind accepts, each one an S3 request the stack would make.
 * Only what the server implements is created: a refused request fails the whole update.
 */
export interface MirrorServerFeatures {
    /** `PutBucketOwnershipControls` (ACLs off). MinIO answers 400 MalformedXML; R2 has no ACLs. */
    readonly ownershipControls: boolean;
    /** `PutPublicAccessBlock`. MinIO answers 400 MalformedXML; R2 has no such API. */
    readonly publicAccessBlock: boolean;
    /** `PutBucketEncryption` (SSE-S3). MinIO without a KMS answers 501; R2 always encrypts at rest. */
    readonly encryptionConfig: boolean;
    /** `PutBucketPolicy`: anonymous reads and the TLS-only rule. R2 has no bucket policies. */
    readonly bucketPolicy: boolean;
    /** A lifecycle rule aborting unfinished multipart uploads. MinIO answers 400 InvalidArgument. */
    readonly abortMultipartRule: boolean;
    /** A lifecycle expiry filtered by object size (sparing nix-cache-info). R2 filters by prefix only. */
    readonly expiryBySize: boolean;
}

/** What each kind gets. `generic` is the least any S3 server implements: the bucket and objects. */
export const MIRROR_SERVER_FEATURES: Readonly<Record<MirrorServerKind, MirrorServerFeatures>> = {
    aws: { ownershipControls: true, publicAccessBlock: true, encryptionConfig: true, bucketPolicy: true, abortMultipartRule: true, expiryBySize: true },
    minio: { ownershipControls: false, publicAccessBlock: false, encryptionConfig: false, bucketPolicy: true, abortMultipartRule: false, expiryBySize: true },
    r2: { ownershipControls: false, publicAccessBlock: false, encryptionConfig: false, bucketPolicy: false, abortMultipartRule: true, expiryBySize: false },
    generic: { ownershipControls: false, publicAccessBlock: false, encryptionConfig: false, bucketPolicy: false, abortMultipartRule: false, expiryBySize: false },
};

/** The mirror's server kind: AWS without an endpoint, else the configured kind (`generic` unless set). */
export function mirrorServerKind(mirror: Pick<MirrorSpec, "endpoint" | "server">): MirrorServerKind {
    return mirror.endpoint === undefined ? "aws" : mirror.server ?? "generic";
}

/** What the mirror's server accepts. */
export function mirrorServerFeatures(mirror: Pick<MirrorSpec, "endpoint" | "server">): MirrorServerFeatures {
    return MIRROR_SERVER_FEATURES[mirrorServerKind(mirror)];
}
