import { MirrorSpec } from "../config/model";
import { bucketArn, GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST, objectsArn } from "./awsNames";

/**
 * The keys Nix writes to a binary cache, as object-ARN patterns: narinfos at the top level,
 * NARs under `nar/`, content-addressed realisations under `realisations/`, build logs under
 * `log/`. `nix-cache-info` matches none: CI can never change what the cache announces.
 */
export const NIX_WRITTEN_KEYS = ["*.narinfo", "nar/*", "realisations/*", "log/*"] as const;
import { POLICY_VERSION, PolicyDocument } from "./policyDocument";

type BucketRef = Pick<MirrorSpec, "bucket" | "region" | "endpoint">;

/**
 * The trust policy of CI's role: only GitHub's OIDC tokens minted for AWS (`aud`) and for one
 * of `subjects` (`sub`) may assume it. `StringEquals` compares literally, so a subject can
 * never act as a wildcard.
 */
export function ciTrustPolicy(providerArn: string, subjects: readonly string[]): PolicyDocument {
    if (subjects.length === 0) {
        // An empty list would make the condition vacuous on some evaluators: refuse it outright.
        throw new Error("ciTrustPolicy: at least one OIDC subject is required");
    }
    return {
        Version: POLICY_VERSION,
        Statement: [
            {
                Sid: "GithubActionsOidc",
                Effect: "Allow",
                Principal: { Federated: providerArn },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: {
                    StringEquals: {
                        [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE,
                        [`${GITHUB_OIDC_HOST}:sub`]: [...subjects],
                    },
                },
            },
        ],
    };
}

/**
 * What CI's writer may do, on this bucket only: upload the objects Nix writes (multipart
 * included, and clean up its own failed multipart uploads) and nothing else, read every object
 * and list the bucket (`nix copy` asks which paths are already there, and reads
 * `nix-cache-info`), and read the bucket's region, as Nix's manual lists for writers. No
 * delete, no policy or configuration change, no write to `nix-cache-info`.
 */
export function ciWritePolicy(mirror: BucketRef): PolicyDocument {
    const bucket = bucketArn(mirror);
    return {
        Version: POLICY_VERSION,
        Statement: [
            {
                Sid: "WriteNixCacheObjects",
                Effect: "Allow",
                Action: ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
                Resource: NIX_WRITTEN_KEYS.map((key) => `${bucket}/${key}`),
            },
            {
                Sid: "ReadCacheObjects",
                Effect: "Allow",
                Action: "s3:GetObject",
                Resource: objectsArn(mirror),
            },
            {
                Sid: "ListCacheBucket",
                Effect: "Allow",
                Action: ["s3:ListBucket", "s3:ListBucketMultipartUploads", "s3:GetBucketLocation"],
                Resource: bucketArn(mirror),
            },
        ],
    };
}
