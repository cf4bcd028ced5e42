import { createHash } from "crypto";
import { MirrorSpec } from "../config/model";
import { awsPartition } from "../formats/s3Urls";

/** The issuer of GitHub Actions' OIDC tokens, as IAM names it (without `https://`). */
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";

/** The audience `aws-actions/configure-aws-credentials` asks GitHub to put in its token. */
export const GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com";

/** IAM names are at most 64 characters. */
const IAM_NAME_MAX = 64;
const CI_NAME_PREFIX = "nix-mirror-push-";

/** `arn:PARTITION:s3:::BUCKET`: the bucket itself (listing, multipart listings). */
export function bucketArn(mirror: Pick<MirrorSpec, "bucket" | "region" | "endpoint">): string {
    return `arn:${awsPartition(mirror)}:s3:::${mirror.bucket}`;
}

/** `arn:PARTITION:s3:::BUCKET/*`: every object in the bucket. */
export function objectsArn(mirror: Pick<MirrorSpec, "bucket" | "region" | "endpoint">): string {
    return `${bucketArn(mirror)}/*`;
}

/**
 * The IAM name of CI's writer (the role, or the user with `accessKeys`). Derived from the
 * bucket so `render` can name it before anything exists; a long bucket name is shortened with
 * a hash so two buckets never share a writer.
 */
export function ciPrincipalName(mirror: Pick<MirrorSpec, "bucket">): string {
    const full = `${CI_NAME_PREFIX}${mirror.bucket}`;
    if (full.length <= IAM_NAME_MAX) {
        return full;
    }
    const hash = createHash("sha256").update(mirror.bucket).digest("hex").slice(0, 8);
    const room = IAM_NAME_MAX - CI_NAME_PREFIX.length - hash.length - 1;
    return `${CI_NAME_PREFIX}${mirror.bucket.slice(0, room).replace(/[.-]+$/, "")}-${hash}`;
}

/**
 * What `render` writes for the ARN of a GitHub OIDC provider the stack creates: the account id
 * is only known when applying.
 */
export function githubOidcProviderArnPlaceholder(mirror: Pick<MirrorSpec, "region" | "endpoint">): string {
    return `arn:${awsPartition(mirror)}:iam::<aws-account-id>:oidc-provider/${GITHUB_OIDC_HOST}`;
}
