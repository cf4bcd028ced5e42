import type * as Aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CacheArgs, TrustedCacheArgs } from "../args/cacheArgs";
import { GithubArgs } from "../args/githubArgs";
import { MirrorArgs } from "../args/mirrorArgs";
import { validatedSections } from "../args/validate";
import { MirrorSpec } from "../config/model";
import { accountProblem } from "./awsAccount";
import { stackAwsConfig } from "./awsStackSettings";
import { mirrorBucketPlan } from "./bucketPlan";
import { githubOidcSubjects, mirrorCiAccess, repositoriesNeedingBranch } from "./ciAccess";
import { ciTrustPolicy, ciWritePolicy } from "./ciPolicies";
import { mirrorTrustedCache } from "./mirrorCache";
import { MirrorDeletionGuard } from "./deletionGuard";
import { findAccountBlock, findGithubOidcProvider } from "./awsLookups";
import { FoundOidcProvider, oidcProviderChoice, oidcProviderDeclaration } from "./githubOidcProvider";
import { renderPolicy } from "./policyDocument";
import { policyRetryHook } from "./policyRetryHook";
import { accountBlockProblem } from "./publicReads";
import { awsSettingsProblems, mirrorProviderArgs } from "./providerArgs";
import { mirrorKeyResourceName, mirrorKeySlots } from "./keyRotation";
import { NixSigningKey } from "./signingKeyResource";
import { mirrorPushUrl, mirrorSubstituterUrl } from "../formats/s3Urls";
import { givenProvider } from "../formats/providerOption";
import { aws } from "./awsPackage";

/**
 * Arguments of {@link S3Mirror}. Plain values, checked like the stack file's: every policy and
 * file is decided before any resource is registered, by the same functions `render` calls. The
 * AWS provider comes from the options (`provider`, `providers: { aws }`, or the parent's);
 * without one, a provider is made from the stack's `aws:*` settings in the mirror's region (and
 * endpoint), so no ambient AWS config decides where the bucket goes.
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

/** The values of the GitHub secrets CI reads, by what they hold (see `mirrorCiSecretList`). */
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
    /** On AWS: the account the mirror is in, as its credentials report it (checked before anything is created). */
    readonly awsAccountId?: pulumi.Output<string>;
    /** The values of the GitHub secrets CI reads, by what they hold (see `mirrorCiSecretList`). */
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
        const stackAws = stackAwsConfig();
        const given = givenProvider(opts, "aws", aws.Provider.isInstance) ?? parentAwsProvider(opts?.parent);
        const problems = [
            ...stackAws.unknownKeys.map((key) => `${key} is not a setting of the AWS provider; expected one of @pulumi/aws's config keys`),
            ...(given === undefined ? awsSettingsProblems(mirror, stackAws.settings) : []),
        ];
        if (problems.length > 0) {
            throw new pulumi.RunError(`S3Mirror ${name}: ${problems.join("; ")}`);
        }
        super("nix-cache:index:S3Mirror", name, {}, opts);
        const provider = given ?? new aws.Provider(`${name}-aws`, mirrorProviderArgs(mirror, stackAws.settings) as Aws.ProviderArgs, { parent: this });
        const awsOpts: pulumi.CustomResourceOptions = { parent: this, provider };
        // On AWS, the account the credentials reach is shown, and checked before anything is
        // created in it: every resource waits for the check (the bucket's name and the IAM lookups).
        // A public mirror in an account that blocks public access account-wide is refused there too.
        const plan = mirrorBucketPlan(mirror);
        this.awsAccountId = mirror.endpoint !== undefined
            ? undefined
            : aws.getCallerIdentityOutput({}, awsOpts).accountId.apply(async (accountId) => {
                  const block = mirror.public && plan.publicAccessBlock !== undefined ? await findAccountBlock(name, accountId, awsOpts) : undefined;
                  const problem = accountProblem(accountId, stackAws.settings) ?? accountBlockProblem(accountId, block);
                  if (problem !== undefined) {
                      throw new pulumi.RunError(`S3Mirror ${name}: ${problem}`);
                  }
                  pulumi.log.info(`the mirror is in AWS account ${accountId}`, this);
                  return accountId;
              });
        const checked = <T>(value: T): pulumi.Output<T> => (this.awsAccountId === undefined ? (pulumi.output(value) as pulumi.Output<T>) : (this.awsAccountId.apply(() => value) as unknown as pulumi.Output<T>));

        // A cache that took hours of CI to fill is not deleted with its objects: destroy stops
        // at a non-empty bucket. Protected too: a renamed bucket stops before it is replaced
        // (removing the mirror stops at the deletion guard, below).
        const bucket = new aws.s3.Bucket(`${name}-bucket`, { bucket: checked(plan.bucket.bucket), forceDestroy: false }, { ...awsOpts, protect: true });
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
        // S3 refuses a public policy while the access block still blocks public policies: it
        // goes after the block, and is retried while the block's change takes effect.
        const policy = plan.policy === undefined
            ? undefined
            : new aws.s3.BucketPolicy(
                  `${name}-policy`,
                  { bucket: bucket.id, policy: plan.policy },
                  {
                      ...awsOpts,
                      dependsOn: present(publicAccess, ownership),
                      ...(mirror.public && publicAccess !== undefined ? { hooks: { onError: [policyRetryHook(name, mirror.bucket)] } } : {}),
                  },
              );
        const lifecycle = plan.lifecycleRules.length === 0
            ? undefined
            : new aws.s3.BucketLifecycleConfiguration(`${name}-lifecycle`, { bucket: bucket.id, rules: plan.lifecycleRules.map((rule) => ({ ...rule })) }, awsOpts);
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

        let oidcProvider: pulumi.Output<pulumi.Resource | undefined> = pulumi.output(undefined);
        const members: pulumi.Resource[] = [
            ...present(bucket, ownership, encryption, publicAccess, policy, lifecycle, cacheInfo),
            ...keys.map((k) => k.resource),
        ];
        if (access.kind === "oidc") {
            const subjects = pulumi.output(args.workflowBranches ?? {}).apply((branches) => githubOidcSubjects(model.github!, mirror.oidcSubjectClaims, branches));
            const role = this.ciRole(name, access, subjects, mirror, awsOpts, checked);
            this.roleArn = role.arn;
            members.push(...role.members);
            oidcProvider = role.created;
        } else if (access.kind === "accessKeys") {
            const user = new aws.iam.User(`${name}-ci-user`, { name: checked(access.principalName) }, awsOpts);
            const write = new aws.iam.UserPolicy(`${name}-ci-write`, { user: user.name, name: "nix-mirror-write", policy: renderPolicy(ciWritePolicy(mirror)) }, awsOpts);
            const accessKey = new aws.iam.AccessKey(`${name}-ci-key`, { user: user.name }, { ...awsOpts, additionalSecretOutputs: ["secret"] });
            this.accessKeyId = pulumi.secret(accessKey.id);
            this.secretAccessKey = pulumi.secret(accessKey.secret);
            members.push(user, write, accessKey);
        }
        // Deleted before every other resource of the mirror, and only when allowed.
        new MirrorDeletionGuard(`${name}-deletion-guard`, { bucket: mirror.bucket }, {
            parent: this,
            // The OIDC provider (the stack's own or a shared one) is registered once its lookup answers.
            dependsOn: oidcProvider.apply((created) => [...members, ...present(created)]) as unknown as pulumi.Output<pulumi.Resource[]>,
        });
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
            awsAccountId: this.awsAccountId,
        });
    }

    /**
     * The role CI assumes with GitHub's OIDC token, and its write policy on this bucket only.
     * The account holds one GitHub OIDC provider: the configured ARN, else the one the account
     * has (looked up by issuer URL: declared read-only unless the stack's tag is on it), else
     * one the stack creates, tagged with the stack's name. Both are retained when the stack
     * stops needing them (other roles may trust them by then).
     */
    private ciRole(
        name: string,
        access: Extract<ReturnType<typeof mirrorCiAccess>, { kind: "oidc" }>,
        subjects: pulumi.Output<string[]>,
        mirror: MirrorSpec,
        opts: pulumi.CustomResourceOptions,
        checked: <T>(value: T) => pulumi.Output<T>,
    ): { arn: pulumi.Output<string>; members: pulumi.Resource[]; created: pulumi.Output<pulumi.Resource | undefined> } {
        let providerArn: pulumi.Output<string>;
        let created: pulumi.Output<pulumi.Resource | undefined> = pulumi.output(undefined);
        if (access.existingProviderArn !== undefined) {
            providerArn = checked(access.existingProviderArn);
        } else {
            const stack = `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
            const choice = checked(undefined).apply(() => findGithubOidcProvider(name, opts)).apply((found) => oidcChoiceOrError(name, found, stack));
            // Registered once the lookup has answered (in a preview too: the lookup is a read).
            // Whichever it is, it is declared under one name, retained: never deleted by the stack.
            const declared = choice.apply((c) => {
                const { inputs, ...options } = oidcProviderDeclaration(c, stack);
                return new aws.iam.OpenIdConnectProvider(`${name}-github-oidc`, inputs, { ...opts, ...options });
            });
            created = declared;
            providerArn = declared.apply((provider) => provider.arn);
        }
        const role = new aws.iam.Role(
            `${name}-ci-role`,
            {
                name: checked(access.principalName),
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
        return { arn: pulumi.all([role.arn, write.id]).apply(([arn]) => arn), members: [role, write], created };
    }
}

function present(...resources: (pulumi.Resource | undefined)[]): pulumi.Resource[] {
    return resources.filter((r): r is pulumi.Resource => r !== undefined);
}

function oidcChoiceOrError(name: string, found: FoundOidcProvider | undefined, stack: string) {
    try {
        return oidcProviderChoice(found, stack);
    } catch (error) {
        throw new pulumi.RunError(`S3Mirror ${name}: ${(error as Error).message}`);
    }
}

/** The AWS provider a parent passes on to its children (its own `providers`, or its parent's), if any. */
function parentAwsProvider(parent: pulumi.Resource | undefined): Aws.Provider | undefined {
    const inherited = parent?.getProvider("aws:s3/bucket:Bucket");
    return aws.Provider.isInstance(inherited) ? inherited : undefined;
}
