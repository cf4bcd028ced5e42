import { MirrorSpec } from "../config/model";
import { MIRROR_SERVER_FEATURES, MirrorServerFeatures } from "./serverKind";

/** One bucket lifecycle rule, in the shape `aws.s3.BucketLifecycleConfiguration` takes. */
export interface MirrorLifecycleRule {
    /** A stable, readable id. */
    readonly id: string;
    /** Rules are always on; a rule that should not apply is not rendered. */
    readonly status: "Enabled";
    /** Which objects it applies to; empty for all. */
    readonly filter: { readonly objectSizeGreaterThan?: number };
    /** Remove the parts of uploads not completed within this many days. */
    readonly abortIncompleteMultipartUpload?: { readonly daysAfterInitiation: number };
    /** Delete objects this many days after they were written. */
    readonly expiration?: { readonly days: number };
}

/**
 * Objects at most this size never expire. Every `.narinfo` and NAR is larger (a narinfo holds
 * at least a store path, two hashes and a signature, well over 300 bytes), while
 * `nix-cache-info` is about 50: a size filter is the only lifecycle filter that spares it,
 * since lifecycle rules cannot exclude a key.
 */
export const RETENTION_MIN_OBJECT_BYTES = 256;

/** Days after which an unfinished multipart upload (an interrupted push) is removed. */
export const ABORT_MULTIPART_AFTER_DAYS = 1;

/**
 * The mirror's lifecycle: interrupted uploads are cleaned up (their parts are billed but
 * invisible) where the server has the rule; with `retentionDays`, cache objects expire that
 * many days after upload. `features` are the server's (AWS's unless given).
 */
export function mirrorLifecycleRules(
    mirror: Pick<MirrorSpec, "retentionDays">,
    features: Pick<MirrorServerFeatures, "abortMultipartRule" | "expiryBySize"> = MIRROR_SERVER_FEATURES.aws,
): MirrorLifecycleRule[] {
    const rules: MirrorLifecycleRule[] = [];
    if (features.abortMultipartRule) {
        rules.push({
            id: "abort-incomplete-multipart-uploads",
            status: "Enabled",
            filter: {},
            abortIncompleteMultipartUpload: { daysAfterInitiation: ABORT_MULTIPART_AFTER_DAYS },
        });
    }
    if (mirror.retentionDays !== undefined && features.expiryBySize) {
        rules.push({
            id: "expire-cache-objects",
            status: "Enabled",
            filter: { objectSizeGreaterThan: RETENTION_MIN_OBJECT_BYTES },
            expiration: { days: mirror.retentionDays },
        });
    }
    return rules;
}
