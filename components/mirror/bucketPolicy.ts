import { MirrorSpec } from "../config/model";
import { bucketArn, objectsArn } from "./awsNames";
import { POLICY_VERSION, PolicyDocument, PolicyStatement, renderPolicy } from "./policyDocument";

/** The only actions the bucket policy ever grants to anyone: reading, never writing or deleting. */
export const ANONYMOUS_READ_ACTIONS = ["s3:GetObject", "s3:ListBucket"] as const;

type BucketPolicyInput = Pick<MirrorSpec, "bucket" | "region" | "endpoint" | "public"> & Partial<Pick<MirrorSpec, "anonymousList">>;

/**
 * The mirror's bucket policy, or `undefined` when it needs none.
 *
 * - A public mirror lets anyone read objects (`s3:GetObject`). Listing is off unless
 *   `anonymousList`: without it S3 answers 403 rather than 404 for a missing object, and Nix's
 *   HTTP binary cache reads 403 like 404, "not in this cache"; listing would only let anyone
 *   enumerate the bucket, and page through it at the owner's request cost.
 * - A private mirror grants nothing: readers get access through IAM, never through this policy.
 * - Served over HTTPS (AWS, or an `https://` endpoint), every plain-HTTP request is refused, so
 *   credentials and uploads never travel in clear.
 *
 * Writes and deletes are never granted here; CI's writer gets them from its own IAM policy.
 */
export function bucketPolicy(mirror: BucketPolicyInput): PolicyDocument | undefined {
    const statements: PolicyStatement[] = [];
    if (mirror.public) {
        statements.push({ Sid: "AnonymousReadCacheObjects", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: objectsArn(mirror) });
        if (mirror.anonymousList === true) {
            statements.push({ Sid: "AnonymousListBucket", Effect: "Allow", Principal: "*", Action: "s3:ListBucket", Resource: bucketArn(mirror) });
        }
    }
    if (servedOverHttps(mirror)) {
        statements.push({
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [bucketArn(mirror), objectsArn(mirror)],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
        });
    }
    return statements.length === 0 ? undefined : { Version: POLICY_VERSION, Statement: statements };
}

/** The bucket policy's exact text, or `undefined` when the bucket gets none. */
export function renderBucketPolicy(mirror: BucketPolicyInput): string | undefined {
    const document = bucketPolicy(mirror);
    return document === undefined ? undefined : renderPolicy(document);
}

/** AWS itself, or an S3-compatible server reached over `https://`. */
function servedOverHttps(mirror: Pick<MirrorSpec, "endpoint">): boolean {
    return mirror.endpoint === undefined || mirror.endpoint.startsWith("https://");
}
