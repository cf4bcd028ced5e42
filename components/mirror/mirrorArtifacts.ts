import { StackModel } from "../config/model";
import { Artifact, SecretText } from "../render/artifact";
import { githubOidcProviderArnPlaceholder } from "./awsNames";
import { mirrorBucketPlan } from "./bucketPlan";
import { mirrorCiAccess } from "./ciAccess";
import { ciTrustPolicy, ciWritePolicy } from "./ciPolicies";
import { renderPolicy } from "./policyDocument";

/** Where `render` writes the mirror's files. */
export const MIRROR_ARTIFACT_PATHS = {
    nixCacheInfo: "mirror/nix-cache-info",
    bucketPolicy: "mirror/bucket-policy.json",
    ciTrustPolicy: "mirror/ci-trust-policy.json",
    ciWritePolicy: "mirror/ci-write-policy.json",
    githubSecrets: "mirror/github-secrets.json",
} as const;

/**
 * The S3 mirror as files, from the functions the `S3Mirror` component applies. Nothing depends
 * on the generated signing key, which only exists once applied; the ARN of an OIDC provider the
 * stack creates is written with an `<aws-account-id>` placeholder. Nothing without a mirror.
 */
export function mirrorArtifacts(model: StackModel, _secret: SecretText): Artifact[] {
    const mirror = model.mirror;
    if (mirror === undefined) {
        return [];
    }
    const plan = mirrorBucketPlan(mirror);
    const artifacts: Artifact[] = [
        { kind: "nix-cache-info", target: `s3:${mirror.bucket}:${plan.cacheInfo.key}`, path: MIRROR_ARTIFACT_PATHS.nixCacheInfo, content: plan.cacheInfo.content },
    ];
    const bucketPolicy = plan.policy;
    if (bucketPolicy !== undefined) {
        artifacts.push({ kind: "bucket-policy", target: `s3:${mirror.bucket}:bucket-policy`, path: MIRROR_ARTIFACT_PATHS.bucketPolicy, content: bucketPolicy });
    }
    const access = mirrorCiAccess(mirror, model.github);
    if (access.kind === "oidc") {
        const providerArn = access.existingProviderArn ?? githubOidcProviderArnPlaceholder(mirror);
        artifacts.push({
            kind: "iam-policy",
            target: `aws:iam-role:${access.principalName}`,
            path: MIRROR_ARTIFACT_PATHS.ciTrustPolicy,
            content: renderPolicy(ciTrustPolicy(providerArn, access.subjects)),
        });
    }
    if (access.kind !== "none") {
        const holder = access.kind === "oidc" ? "iam-role-policy" : "iam-user-policy";
        artifacts.push({
            kind: "iam-policy",
            target: `aws:${holder}:${access.principalName}`,
            path: MIRROR_ARTIFACT_PATHS.ciWritePolicy,
            content: renderPolicy(ciWritePolicy(mirror)),
        });
    }
    return artifacts;
}
