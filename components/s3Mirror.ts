import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CacheArgs, TrustedCacheArgs } from "./args/cacheArgs";
import { GithubArgs } from "./args/githubArgs";
import { MirrorArgs } from "./args/mirrorArgs";
import { validatedSections } from "./args/validate";
import { MirrorSpec } from "./config/model";
import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST } from "./mirror/awsNames";
import { mirrorBucketPlan } from "./mirror/bucketPlan";
import { githubOidcSubjects, mirrorCiAccess, repositoriesNeedingBranch } from "./mirror/ciAccess";
import { ciTrustPolicy, ciWritePolicy } from "./mirror/ciPolicies";
import { mirrorTrustedCache } from "./mirror/mirrorCache";
import { renderPolicy } from "./mirror/policyDocument";
import { mirrorProviderArgs } from "./mirror/providerArgs";
import { mirrorKeyResourceName, mirrorKeySlots } from "./mirror/keyRotation";
import { NixSigningKey } from "./mirror/signingKeyResource";
import { mirrorPushUrl, mirrorSubstituterUrl } from "./mirror/urls";
import { givenProvider } from "./providerOption";

/**
 * Arguments of {@link S3Mirror}. Plain values, checked like the stack file's: every policy and
 * file is decided before any resource is registered, by the same functions `render` calls. The
 * AWS provider comes from the options (`providers: { aws }`); without one, a provider is made
 * from the mirror's region (and endpoint), so no ambient AWS config decides where the bucket goes.
 */
export interface S3MirrorArgs {
    /** The stack's `mirror` section; it must be enabled. */
    mirror: MirrorArgs;
    /** The organisation's cache: the mirror's key is named after it unless `mirror.keyName` is set. */
    cache: CacheArgs;
    /** Whether hosts trust cache.nixos.org (true unless set); the push skips its paths then. */
    useCacheNixosOrg?: boolean;
    /** The stack's `github` section: whose CI may push. Without it no CI access is created. */
    github?: GithubArgs;
    /**
     * Per repository name, the branch its workflow pushes from (`GithubCi`'s `workflowBranches`),
     * for the OIDC role's trusted subjects. Needed for every repository without `branch` whose
     * subject names the branch; `CacheSetup` passes it.
     */
    workflowBranches?: pulumi.Input<{ [repository: string]: string }>;
}

/** The values of the GitHub secrets CI reads, by what they hold (see `mirrorCiSecrets`). */
export interface MirrorCiSecretValues {
    /** The mirror's secret signing key. */
    signingKey?: pulumi.Input<string>;
    /** OIDC: the ARN of the role CI assumes. */
    roleArn?: pulumi.Input<string>;
    /** `accessKeys`: the writer's access key id. */
    accessKeyId?: pulumi.Input<string>;
    /** `accessKeys`: the writer's secret access key. */
    secretAccessKey?: pulumi.Input<string>;
}

// Kept off the class's properties, which the component schema analyzer reads as outputs.
const ciValuesOf = new WeakMap<S3Mirror, MirrorCiSecretValues>();

/** The enabled mirror of validated arguments, or an error saying it is off. */
export function enabledMirror(component: string, name: string, mirror: MirrorSpec | undefined): MirrorSpec {
    if (mirror === undefined) {
        throw new pulumi.RunError(`${component} ${name}: mirror.enabled is false; expected an enabled mirror (leave the component out instead)`);
    }
    return mirror;
}

/**
 * A second binary cache in an S3 bucket: the bucket (on AWS: no ACLs, encrypted, public only
 * through its policy), its `nix-cache-info`, lifecycle rules, the mirror's own signing key, and
 * write access for CI (a GitHub OIDC role, or an opt-in IAM user with an access key). On an
 * S3-compatible server only what that kind of server implements is created (`mirrorBucketPlan`).
 */
export class S3Mirror extends pulumi.ComponentResource {
    /** The bucket's name. */
    readonly bucketName: pulumi.Output<string>;
    /** The substituter hosts use; known once the bucket, its policy and `nix-cache-info` exist. */
    readonly substituterUrl: pulumi.Output<string>;
    /** The `s3://` store URL CI pushes to (add `&secret-key=FILE` to sign). */
    readonly pushUrl: pulumi.Output<string>;
    /** The mirror's public key, `NAME:base64`. */
    readonly publicKey: pulumi.Output<string>;
    /** During a rotation, the previous key's public key, still trusted until every path is re-signed. */
    readonly previousPublicKey?: pulumi.Output<string>;
    /** The mirror's secret key, `NAME:base64` (a secret). */
    readonly secretKey: pulumi.Output<string>;
    /** The mirror as a cache to trust: its substituter URL and public key. */
    readonly trustedCache: pulumi.Output<TrustedCacheArgs>;
    /** OIDC: the ARN of the role CI assumes. */
    readonly roleArn?: pulumi.Output<string>;
    /** `accessKeys`: the writer's access key id (a secret). */
    readonly accessKeyId?: pulumi.Output<string>;
    /** `accessKeys`: the writer's secret access key (a secret). */
    readonly secretAccessKey?: pulumi.Output<string>;
    /** The values of the GitHub secrets CI reads, by what they hold (see `mirrorCiSecrets`). */
    get ciSecretValues(): MirrorCiSecretValues {
        return ciValuesOf.get(this)!;
    }

    constructor(name: string, args: S3MirrorArgs, opts?: pulumi.ComponentResourceOptions) {
        const model = validatedSections("S3Mirror", name, { cache: args.cache, useCacheNixosOrg: args.useCacheNixosOrg, mirror: args.mirror, github: args.github });
        const mirror = enabledMirror("S3Mirror", name, model.mirror);
        const access = mirrorCiAccess(mirror, model.github);
        const unknownBranches = access.kind === "oidc" && args.workflowBranches === undefined ? repositoriesNeedingBranch(model.github!, mirror.oidcSubjectClaims) : [];
        if (unknownBranches.length > 0) {
            throw new pulumi.RunError(
                `S3Mirror ${name}: github.repositories ${unknownBranches.join(", ")} set no branch, and workflowBranches was not given; ` +
                    "expected one of them: the CI role trusts the branch each workflow pushes from (set branch, or pass GithubCi's workflowBranches)",
            );
        }
        super("nix-cache:index:S3Mirror", name, {}, opts);
        const provider = givenProvider(opts, "aws", aws.Provider.isInstance) ?? new aws.Provider(`${name}-aws`, mirrorProviderArgs(mirror), { parent: this });
        const awsOpts: pulumi.CustomResourceOptions = { parent: this, provider };

        const plan = mirrorBucketPlan(mirror);
        // A cache that took hours of CI to fill is not deleted with its objects: destroy stops
        // at a non-empty bucket.
        // Protected too: `enabled: false` or a renamed bucket then stops before anything is deleted.
        const bucket = new aws.s3.Bucket(`${name}-bucket`, { ...plan.bucket, forceDestroy: false }, { ...awsOpts, protect: true });
        const ownership = plan.ownershipControls === undefined
            ? undefined
            : new aws.s3.BucketOwnershipControls(`${name}-ownership`, { bucket: bucket.id, rule: { ...plan.ownershipControls } }, awsOpts);
        const encryption = plan.encryption === undefined
            ? undefined
            : new aws.s3.BucketServerSideEncryptionConfiguration(
                  `${name}-encryption`,
                  { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { ...plan.encryption } }] },
                  awsOpts,
              );
        const publicAccess = plan.publicAccessBlock === undefined
            ? undefined
            : new aws.s3.BucketPublicAccessBlock(`${name}-public-access`, { bucket: bucket.id, ...plan.publicAccessBlock }, awsOpts);
        const present = (...resources: (pulumi.Resource | undefined)[]) => resources.filter((r): r is pulumi.Resource => r !== undefined);
        // S3 refuses a public policy while the access block still blocks public policies.
        const policy = plan.policy === undefined
            ? undefined
            : new aws.s3.BucketPolicy(`${name}-policy`, { bucket: bucket.id, policy: plan.policy }, { ...awsOpts, dependsOn: present(publicAccess, ownership) });
        if (plan.lifecycleRules.length > 0) {
            new aws.s3.BucketLifecycleConfiguration(`${name}-lifecycle`, { bucket: bucket.id, rules: plan.lifecycleRules.map((rule) => ({ ...rule })) }, awsOpts);
        }
        const cacheInfo = new aws.s3.BucketObjectv2(
            `${name}-nix-cache-info`,
            { bucket: bucket.id, ...plan.cacheInfo },
            { ...awsOpts, dependsOn: present(ownership, encryption) },
        );

        const keys = mirrorKeySlots(mirror).map((slot) => ({
            slot,
            resource: new NixSigningKey(
                mirrorKeyResourceName(name, slot),
                { keyName: slot.keyName },
                { parent: this, protect: slot.protect, ...(slot.legacyAlias ? { aliases: [{ name: `${name}-signing-key` }] } : {}) },
            ),
        }));
        const key = keys[0].resource;
        const previous = keys.find((k) => k.slot.role === "previous")?.resource;

        // Hosts are pointed at the mirror only once it can answer them.
        const ready = pulumi.all([bucket.bucket, cacheInfo.key, policy?.id ?? ""]);
        this.bucketName = bucket.bucket;
        this.substituterUrl = ready.apply(() => mirrorSubstituterUrl(mirror));
        this.pushUrl = bucket.bucket.apply(() => mirrorPushUrl(mirror));
        this.publicKey = key.publicKey;
        this.secretKey = pulumi.secret(key.secretKey);
        this.previousPublicKey = previous?.publicKey;
        this.trustedCache = pulumi
            .all([this.substituterUrl, ...keys.map((k) => k.resource.publicKey)])
            .apply(([, ...publicKeys]) => {
                const cache = mirrorTrustedCache(mirror, publicKeys);
                return { ...cache, publicKeys: [...cache.publicKeys] };
            });

        if (access.kind === "oidc") {
            const subjects = pulumi.output(args.workflowBranches ?? {}).apply((branches) => githubOidcSubjects(model.github!, mirror.oidcSubjectClaims, branches));
            this.roleArn = this.ciRole(name, access, subjects, mirror, awsOpts);
        } else if (access.kind === "accessKeys") {
            const user = new aws.iam.User(`${name}-ci-user`, { name: access.principalName }, awsOpts);
            new aws.iam.UserPolicy(`${name}-ci-write`, { user: user.name, name: "nix-mirror-write", policy: renderPolicy(ciWritePolicy(mirror)) }, awsOpts);
            const accessKey = new aws.iam.AccessKey(`${name}-ci-key`, { user: user.name }, { ...awsOpts, additionalSecretOutputs: ["secret"] });
            this.accessKeyId = pulumi.secret(accessKey.id);
            this.secretAccessKey = pulumi.secret(accessKey.secret);
        }
        ciValuesOf.set(this, {
            signingKey: this.secretKey,
            ...(this.roleArn === undefined ? {} : { roleArn: this.roleArn }),
            ...(this.accessKeyId === undefined || this.secretAccessKey === undefined
                ? {}
                : { accessKeyId: this.accessKeyId, secretAccessKey: this.secretAccessKey }),
        });

        this.registerOutputs({
            bucketName: this.bucketName,
            substituterUrl: this.substituterUrl,
            pushUrl: this.pushUrl,
            publicKey: this.publicKey,
            previousPublicKey: this.previousPublicKey,
            secretKey: this.secretKey,
            trustedCache: this.trustedCache,
            roleArn: this.roleArn,
            accessKeyId: this.accessKeyId,
            secretAccessKey: this.secretAccessKey,
        });
    }

    /** The role CI assumes with GitHub's OIDC token, and its write policy on this bucket only. */
    private ciRole(
        name: string,
        access: Extract<ReturnType<typeof mirrorCiAccess>, { kind: "oidc" }>,
        subjects: pulumi.Output<string[]>,
        mirror: MirrorSpec,
        opts: pulumi.CustomResourceOptions,
    ): pulumi.Output<string> {
        // An account holds one provider per issuer URL: an existing one is referenced, not recreated.
        const providerArn = access.existingProviderArn !== undefined
            ? pulumi.output(access.existingProviderArn)
            : new aws.iam.OpenIdConnectProvider(
                  `${name}-github-oidc`,
                  { url: `https://${GITHUB_OIDC_HOST}`, clientIdLists: [GITHUB_OIDC_AUDIENCE] },
                  opts,
              ).arn;
        const role = new aws.iam.Role(
            `${name}-ci-role`,
            {
                name: access.principalName,
                description: `GitHub Actions pushes to the Nix binary cache mirror ${mirror.bucket}`,
                assumeRolePolicy: pulumi.all([providerArn, subjects]).apply(([arn, trusted]) => renderPolicy(ciTrustPolicy(arn, trusted))),
                maxSessionDuration: 3600,
            },
            opts,
        );
        const write = new aws.iam.RolePolicy(
            `${name}-ci-write`,
            { role: role.name, name: "nix-mirror-write", policy: renderPolicy(ciWritePolicy(mirror)) },
            opts,
        );
        // CI is handed the role only once the role may write.
        return pulumi.all([role.arn, write.id]).apply(([arn]) => arn);
    }
}
