import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import type { CacheSetup } from "../../components/setup/cacheSetup";
import { loadStackModel } from "../../components/config/load";
import { MirrorSpec, StackModel } from "../../components/config/model";
import { renderBucketPolicy } from "../../components/mirror/bucketPolicy";
import { githubOidcSubjects } from "../../components/mirror/ciAccess";
import { ciTrustPolicy, ciWritePolicy } from "../../components/mirror/ciPolicies";
import { mirrorKeySlots } from "../../components/mirror/keyRotation";
import { mirrorLifecycleRules } from "../../components/mirror/lifecycle";
import { MIRROR_ARTIFACT_PATHS, mirrorArtifacts } from "../../components/mirror/mirrorArtifacts";
import { renderNixCacheInfo } from "../../components/mirror/nixCacheInfo";
import { renderPolicy } from "../../components/mirror/policyDocument";
import { mirrorSubstituterUrl } from "../../components/formats/s3Urls";
import { secretPlaceholder } from "../../components/render/artifact";
import { MINIMAL, rawConfig } from "../support/config";
import { isSecretInput, MirrorRegistered, MOCK_DEFAULT_BRANCHES, MOCK_MIRROR_KEY, MOCK_OIDC_PROVIDER_ARN, recordMirror, valueOf } from "../support/mirrorMocks";
import { cacheSetupArgsOf, s3MirrorArgsOf } from "../support/componentArgs";

const GITHUB = { owner: "atproto-nix", repositories: [{ name: "nur", branch: "main" }, { name: "tangled", branch: "trunk" }] };
const MIRROR = { bucket: "atproto-nix-cache", region: "eu-west-1" };
const TOKEN = "cachix-token-mirror-wiring-do-not-leak";

let registered: MirrorRegistered[];
let CacheSetupClass: typeof CacheSetup;
beforeAll(async () => {
    registered = await recordMirror();
    CacheSetupClass = (await import("../../components/setup/cacheSetup")).CacheSetup;
});

function model(values: Record<string, unknown>): StackModel {
    return loadStackModel(rawConfig({ ...MINIMAL, ...values }), { mode: "render" });
}

/** Builds a setup and waits until every resource it makes is registered; returns those. */
async function deploy(name: string, stack: StackModel): Promise<{ setup: CacheSetup; resources: MirrorRegistered[] }> {
    const before = registered.length;
    const setup = new CacheSetupClass(name, cacheSetupArgsOf(stack, { cachixAuthToken: pulumi.secret(TOKEN) }));
    await valueOf(setup.identity.nixConf);
    // Registrations finish asynchronously: wait until no new resource arrives for a while.
    for (let stable = 0, seen = -1; stable < 5; ) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        stable = registered.length === seen ? stable + 1 : 0;
        seen = registered.length;
    }
    return { setup, resources: registered.slice(before).filter((r) => r.name.startsWith(`${name}-`) || r.name === name) };
}

const one = (resources: MirrorRegistered[], type: string): MirrorRegistered => {
    const found = resources.filter((r) => r.type === type);
    expect(found, type).toHaveLength(1);
    return found[0];
};
const types = (resources: MirrorRegistered[]) => resources.map((r) => r.type);

describe("without a mirror section", () => {
    it("registers no AWS resource, no key and no mirror component; outputs are unchanged", async () => {
        const { setup, resources } = await deploy("plain", model({ github: GITHUB }));
        expect(types(resources).filter((t) => t.startsWith("aws:") || t.includes(":aws") || t.startsWith("pulumi-nodejs:"))).toEqual([]);
        expect(types(resources)).not.toContain("nix-cache:index:S3Mirror");
        expect(types(resources)).not.toContain("nix-cache:index:MirrorCiSecrets");
        expect(setup.mirror).toBeUndefined();
        expect(await valueOf(setup.identity.substituters)).toEqual(["https://cache.nixos.org", "https://atproto.cachix.org"]);
        // A disabled section is the same as none.
        const disabled = await deploy("disabled", model({ github: GITHUB, mirror: { enabled: false, bucket: "x-y-z" } }));
        expect(types(disabled.resources).filter((t) => t.includes("aws") || t.startsWith("pulumi-nodejs:"))).toEqual([]);
    });
});

describe("with a public mirror and GitHub OIDC", () => {
    let stack: StackModel;
    let mirror: MirrorSpec;
    let setup: CacheSetup;
    let resources: MirrorRegistered[];
    beforeAll(async () => {
        stack = model({ github: GITHUB, mirror: { ...MIRROR, retentionDays: 90 } });
        mirror = stack.mirror!;
        ({ setup, resources } = await deploy("org", stack));
    });

    it("composes S3Mirror under CacheSetup, children named after it, all through its own AWS provider", () => {
        expect(resources).toContainEqual(expect.objectContaining({ type: "nix-cache:index:S3Mirror", name: "org-mirror" }));
        const provider = one(resources, "pulumi:providers:aws");
        expect(provider.name).toBe("org-mirror-aws");
        expect(provider.inputs).toMatchObject({ region: "eu-west-1" });
        expect(provider.inputs.endpoints).toBeUndefined();
        const awsResources = resources.filter((r) => r.type.startsWith("aws:"));
        expect(awsResources.length).toBeGreaterThanOrEqual(10);
        for (const resource of awsResources) {
            expect(resource.name.startsWith("org-mirror-"), resource.name).toBe(true);
            expect(resource.provider, resource.name).toMatch(/::org-mirror-aws::org-mirror-aws-id$/);
        }
    });

    it("creates the bucket without ACLs, encrypted, public only through its policy", () => {
        expect(one(resources, "aws:s3/bucket:Bucket").inputs).toMatchObject({ bucket: "atproto-nix-cache", forceDestroy: false });
        expect(one(resources, "aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs).toMatchObject({
            rule: { objectOwnership: "BucketOwnerEnforced" },
        });
        expect(one(resources, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs).toMatchObject({
            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
        });
        expect(one(resources, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs).toMatchObject({
            blockPublicAcls: true,
            ignorePublicAcls: true,
            blockPublicPolicy: false,
            restrictPublicBuckets: false,
        });
        expect(one(resources, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules).toEqual(mirrorLifecycleRules(mirror));
    });

    it("applies exactly what render writes: bucket policy, nix-cache-info, CI policies", () => {
        const rendered = Object.fromEntries(mirrorArtifacts(stack, secretPlaceholder).map((a) => [a.path, a.content]));
        const policy = one(resources, "aws:s3/bucketPolicy:BucketPolicy").inputs.policy;
        expect(policy).toBe(rendered[MIRROR_ARTIFACT_PATHS.bucketPolicy]);
        expect(policy).toBe(renderBucketPolicy(mirror));
        const info = one(resources, "aws:s3/bucketObjectv2:BucketObjectv2").inputs;
        expect(info).toMatchObject({ key: "nix-cache-info", contentType: "text/x-nix-cache-info", content: rendered[MIRROR_ARTIFACT_PATHS.nixCacheInfo] });
        expect(info.content).toBe(renderNixCacheInfo({ priority: 50 }));
        expect(one(resources, "aws:iam/rolePolicy:RolePolicy").inputs.policy).toBe(rendered[MIRROR_ARTIFACT_PATHS.ciWritePolicy]);
        expect(rendered[MIRROR_ARTIFACT_PATHS.ciWritePolicy]).toBe(renderPolicy(ciWritePolicy(mirror)));
        // The trust policy differs from the rendered file only by the account id render cannot know.
        const trust = one(resources, "aws:iam/role:Role").inputs.assumeRolePolicy;
        expect(trust).toBe(renderPolicy(ciTrustPolicy(MOCK_OIDC_PROVIDER_ARN, githubOidcSubjects(stack.github!))));
        expect(trust).toBe(rendered[MIRROR_ARTIFACT_PATHS.ciTrustPolicy].replace("<aws-account-id>", "123456789012"));
    });

    it("creates the GitHub OIDC provider and a role trusted by it, named for render", () => {
        expect(one(resources, "aws:iam/openIdConnectProvider:OpenIdConnectProvider").inputs).toMatchObject({
            url: "https://token.actions.githubusercontent.com",
            clientIdLists: ["sts.amazonaws.com"],
        });
        const role = one(resources, "aws:iam/role:Role");
        expect(role.inputs.name).toBe("nix-mirror-push-atproto-nix-cache");
        expect(one(resources, "aws:iam/rolePolicy:RolePolicy").inputs.role).toBe("nix-mirror-push-atproto-nix-cache");
        expect(types(resources)).not.toContain("aws:iam/user:User");
        expect(types(resources)).not.toContain("aws:iam/accessKey:AccessKey");
    });

    it("generates the signing key in the stack, once, named by keyName", () => {
        const key = one(resources, "pulumi-nodejs:dynamic:NixSigningKey");
        expect(key.name).toBe("org-mirror-signing-key-atproto-mirror-1");
        expect(key.inputs.keyName).toBe("atproto-mirror-1");
        expect(typeof key.inputs.__provider).toBe("string");
    });

    it("makes hosts and the cache identity trust the mirror with its own key", async () => {
        const url = mirrorSubstituterUrl(mirror);
        expect(url).toBe("https://atproto-nix-cache.s3.eu-west-1.amazonaws.com?priority=50");
        expect(await valueOf(setup.mirror!.substituterUrl)).toBe(url);
        expect(await valueOf(setup.mirror!.pushUrl)).toBe("s3://atproto-nix-cache?region=eu-west-1&compression=zstd&multipart-upload=true");
        expect(await valueOf(setup.mirror!.publicKey)).toBe(MOCK_MIRROR_KEY.publicKey);
        expect(await valueOf(setup.identity.substituters)).toEqual(["https://cache.nixos.org", "https://atproto.cachix.org", url]);
        expect((await valueOf(setup.identity.trustedPublicKeys)).at(-1)).toBe(MOCK_MIRROR_KEY.publicKey);
        expect(await valueOf(setup.identity.nixConf)).toContain(MOCK_MIRROR_KEY.publicKey);
        expect(await valueOf(setup.mirror!.roleArn!)).toBe("arn:aws:iam::123456789012:role/nix-mirror-push-atproto-nix-cache");
    });

    it("keeps the secret key a secret that reaches only its GitHub secrets", async () => {
        expect(await pulumi.isSecret(setup.mirror!.secretKey)).toBe(true);
        expect(await valueOf(setup.mirror!.secretKey)).toBe(MOCK_MIRROR_KEY.secretKey);
        const keySecrets = resources.filter((r) => r.type === "github:index/actionsSecret:ActionsSecret" && r.inputs.secretName === "NIX_MIRROR_SIGNING_KEY");
        expect(keySecrets.map((r) => r.inputs.repository).sort()).toEqual(["nur", "tangled"]);
        for (const secret of keySecrets) {
            expect(isSecretInput(secret.inputs.value)).toBe(true);
        }
        const elsewhere = resources.filter((r) => !keySecrets.includes(r));
        expect(JSON.stringify(elsewhere.map((r) => r.inputs))).not.toContain(MOCK_MIRROR_KEY.secretKey.split(":")[1]);
        for (const output of [setup.identity.nixConf, setup.identity.nixosModule, setup.mirror!.substituterUrl, setup.mirror!.pushUrl]) {
            expect(await valueOf(output)).not.toContain(MOCK_MIRROR_KEY.secretKey.split(":")[1]);
        }
    });

    it("hands CI the role's ARN as a secret next to the signing key, in every repository", () => {
        const roleSecrets = resources.filter((r) => r.type === "github:index/actionsSecret:ActionsSecret" && r.inputs.secretName === "NIX_MIRROR_AWS_ROLE_ARN");
        expect(roleSecrets.map((r) => r.inputs.repository).sort()).toEqual(["nur", "tangled"]);
        expect(roleSecrets.every((r) => isSecretInput(r.inputs.value))).toBe(true);
        expect(resources).toContainEqual(expect.objectContaining({ type: "nix-cache:index:MirrorCiSecrets", name: "org-mirror-ci" }));
    });
});

describe("CI access variants", () => {
    it("accessKeys: an IAM user with the write policy and a secret access key, no role", async () => {
        const { setup, resources } = await deploy("keys", model({ github: GITHUB, mirror: { ...MIRROR, ciCredentials: "accessKeys" } }));
        expect(one(resources, "aws:iam/user:User").inputs.name).toBe("nix-mirror-push-atproto-nix-cache");
        expect(one(resources, "aws:iam/userPolicy:UserPolicy").inputs.policy).toBe(renderPolicy(ciWritePolicy({ ...MIRROR, endpoint: undefined })));
        expect(one(resources, "aws:iam/accessKey:AccessKey").inputs.user).toBe("nix-mirror-push-atproto-nix-cache");
        expect(types(resources)).not.toContain("aws:iam/role:Role");
        expect(types(resources)).not.toContain("aws:iam/openIdConnectProvider:OpenIdConnectProvider");
        expect(await pulumi.isSecret(setup.mirror!.accessKeyId!)).toBe(true);
        expect(await pulumi.isSecret(setup.mirror!.secretAccessKey!)).toBe(true);
        const names = resources.filter((r) => r.type === "github:index/actionsSecret:ActionsSecret").map((r) => r.inputs.secretName);
        expect(new Set(names)).toEqual(new Set(["CACHIX_AUTH_TOKEN", "NIX_MIRROR_SIGNING_KEY", "NIX_MIRROR_AWS_ACCESS_KEY_ID", "NIX_MIRROR_AWS_SECRET_ACCESS_KEY"]));
        const secretValue = await valueOf(setup.mirror!.secretAccessKey!);
        const leaks = resources.filter((r) => JSON.stringify(r.inputs).includes(secretValue) && !isSecretInput(r.inputs.value));
        expect(leaks.map((r) => r.name)).toEqual([]);
    });

    it("an existing OIDC provider is referenced, not created", async () => {
        const arn = "arn:aws:iam::210987654321:oidc-provider/token.actions.githubusercontent.com";
        const { resources } = await deploy("existing", model({ github: GITHUB, mirror: { ...MIRROR, oidcProviderArn: arn } }));
        expect(types(resources)).not.toContain("aws:iam/openIdConnectProvider:OpenIdConnectProvider");
        expect(JSON.parse(String(one(resources, "aws:iam/role:Role").inputs.assumeRolePolicy)).Statement[0].Principal).toEqual({ Federated: arn });
    });

    it("environment-scoped secrets: the role trusts the environment's subject and the secrets go to the environment", async () => {
        const github = { ...GITHUB, secret: { scope: "environment", environment: "cache" } };
        const { resources } = await deploy("env", model({ github, mirror: MIRROR }));
        const trust = JSON.parse(String(one(resources, "aws:iam/role:Role").inputs.assumeRolePolicy));
        expect(trust.Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"]).toEqual([
            "repo:atproto-nix/nur:environment:cache",
            "repo:atproto-nix/tangled:environment:cache",
        ]);
        const envSecrets = resources.filter((r) => r.type === "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret" && String(r.inputs.secretName).startsWith("NIX_MIRROR_"));
        expect(envSecrets).toHaveLength(4);
        expect(envSecrets.every((r) => r.inputs.environment === "cache")).toBe(true);
    });

    it("organisation secrets with selected repositories get their access list", async () => {
        const github = { ...GITHUB, secret: { scope: "organization", visibility: "selected" } };
        const { resources } = await deploy("orgsecret", model({ github, mirror: MIRROR }));
        const secrets = resources.filter((r) => r.type === "github:index/actionsOrganizationSecret:ActionsOrganizationSecret").map((r) => r.inputs.secretName);
        expect(secrets).toEqual(expect.arrayContaining(["NIX_MIRROR_SIGNING_KEY", "NIX_MIRROR_AWS_ROLE_ARN"]));
        const access = resources.filter((r) => r.type === "github:index/actionsOrganizationSecretRepositories:ActionsOrganizationSecretRepositories");
        expect(access.map((r) => r.inputs.secretName)).toEqual(expect.arrayContaining(["NIX_MIRROR_SIGNING_KEY", "NIX_MIRROR_AWS_ROLE_ARN"]));
    });

    it("no github section: the bucket and key only, no IAM and no GitHub secret", async () => {
        const { setup, resources } = await deploy("nogithub", model({ mirror: MIRROR }));
        expect(types(resources).filter((t) => t.startsWith("aws:iam") || t.startsWith("github:"))).toEqual([]);
        expect(types(resources)).toContain("aws:s3/bucket:Bucket");
        expect(setup.mirrorCiSecrets).toBeUndefined();
        expect(setup.mirror!.roleArn).toBeUndefined();
    });
});

describe("private mirrors and S3-compatible servers", () => {
    it("a private mirror blocks public policies, grants nothing anonymous and is read through s3://", async () => {
        const { setup, resources } = await deploy("private", model({ mirror: { ...MIRROR, public: false } }));
        expect(one(resources, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs).toMatchObject({
            blockPublicAcls: true,
            ignorePublicAcls: true,
            blockPublicPolicy: true,
            restrictPublicBuckets: true,
        });
        const policy = JSON.parse(String(one(resources, "aws:s3/bucketPolicy:BucketPolicy").inputs.policy));
        expect(policy.Statement.filter((s: { Effect: string }) => s.Effect === "Allow")).toEqual([]);
        expect(await valueOf(setup.mirror!.substituterUrl)).toBe("s3://atproto-nix-cache?region=eu-west-1&priority=50");
    });

    it("a custom endpoint: S3 calls go there path style, no IAM; CI gets the key, the server's credentials are set by hand", async () => {
        const mirror = { bucket: "nix-cache", region: "us-east-1", endpoint: "http://127.0.0.1:9000", server: "minio" };
        const { setup, resources } = await deploy("minio", model({ github: GITHUB, mirror }));
        // Provider inputs reach the engine as strings.
        expect(one(resources, "pulumi:providers:aws").inputs).toMatchObject({
            region: "us-east-1",
            s3UsePathStyle: "true",
            skipCredentialsValidation: "true",
            skipRequestingAccountId: "true",
            skipMetadataApiCheck: "true",
        });
        expect(JSON.stringify(one(resources, "pulumi:providers:aws").inputs.endpoints)).toContain("http://127.0.0.1:9000");
        expect(types(resources).filter((t) => t.startsWith("aws:iam"))).toEqual([]);
        const mirrorSecrets = resources.filter((r) => r.type === "github:index/actionsSecret:ActionsSecret" && String(r.inputs.secretName).startsWith("NIX_MIRROR_"));
        expect(new Set(mirrorSecrets.map((r) => r.inputs.secretName))).toEqual(new Set(["NIX_MIRROR_SIGNING_KEY"]));
        // Plain HTTP: no TLS-only statement, and a public mirror's policy only reads.
        const policy = JSON.parse(String(one(resources, "aws:s3/bucketPolicy:BucketPolicy").inputs.policy));
        expect(policy.Statement.map((s: { Sid: string }) => s.Sid)).toEqual(["AnonymousReadCacheObjects"]);
        expect(await valueOf(setup.mirror!.substituterUrl)).toBe("http://127.0.0.1:9000/nix-cache?priority=50");
        expect(await valueOf(setup.mirror!.pushUrl)).toMatch(/^s3:\/\/nix-cache\?region=us-east-1&endpoint=http:\/\/127\.0\.0\.1:9000&/);
    });

    const S3_TYPES = {
        bucket: "aws:s3/bucket:Bucket",
        ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
        encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        publicAccess: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        policy: "aws:s3/bucketPolicy:BucketPolicy",
        lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        object: "aws:s3/bucketObjectv2:BucketObjectv2",
    } as const;

    it.each([
        ["aws", { bucket: "kind-aws", retentionDays: 30 }, ["bucket", "ownership", "encryption", "publicAccess", "policy", "lifecycle", "object"]],
        ["minio", { bucket: "kind-minio", endpoint: "http://127.0.0.1:9000", server: "minio" }, ["bucket", "policy", "object"]],
        ["minio-retention", { bucket: "kind-minio-r", endpoint: "http://127.0.0.1:9000", server: "minio", retentionDays: 30 }, ["bucket", "policy", "lifecycle", "object"]],
        ["r2", { bucket: "kind-r2", endpoint: "https://0123abcd.r2.cloudflarestorage.com", server: "r2", region: "auto", publicUrl: "https://pub-0123.r2.dev" }, ["bucket", "lifecycle", "object"]],
        ["generic", { bucket: "kind-generic", endpoint: "https://s3.example.org" }, ["bucket", "object"]],
    ] as const)("server kind %s gets only the bucket resources it implements", async (name, mirror, expected) => {
        const { setup, resources } = await deploy(`kind-${name}`, model({ mirror }));
        const s3 = new Set(types(resources).filter((t) => t.startsWith("aws:s3/")));
        expect([...s3].sort()).toEqual(expected.map((k) => S3_TYPES[k]).sort());
        if (name === "r2") {
            const lifecycle = one(resources, S3_TYPES.lifecycle).inputs.rules as { id: string }[];
            expect(lifecycle.map((r) => r.id)).toEqual(["abort-incomplete-multipart-uploads"]);
            expect(await valueOf(setup.mirror!.substituterUrl)).toBe("https://pub-0123.r2.dev?priority=50");
            expect(await valueOf(setup.mirror!.pushUrl)).toMatch(/^s3:\/\/kind-r2\?region=auto&endpoint=https:\/\/0123abcd\.r2\.cloudflarestorage\.com&/);
        }
    });

    it("oidcSubjectClaims: each repository's subject template is set, and the role trusts exactly the subjects it yields", async () => {
        const claims = ["repo", "context", "job_workflow_ref"];
        const { resources } = await deploy("subject", model({ github: GITHUB, mirror: { ...MIRROR, bucket: "subject-bucket", oidcSubjectClaims: claims } }));
        const templates = resources.filter((r) => r.type === "github:index/actionsRepositoryOidcSubjectClaimCustomizationTemplate:ActionsRepositoryOidcSubjectClaimCustomizationTemplate");
        expect(templates.map((t) => [t.inputs.repository, t.inputs.useDefault, t.inputs.includeClaimKeys])).toEqual([
            ["nur", false, claims],
            ["tangled", false, claims],
        ]);
        const trust = JSON.parse(String(one(resources, "aws:iam/role:Role").inputs.assumeRolePolicy));
        expect(trust.Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"]).toEqual([
            "repo:atproto-nix/nur:ref:refs/heads/main:job_workflow_ref:atproto-nix/nur/.github/workflows/build.yml@refs/heads/main",
            "repo:atproto-nix/tangled:ref:refs/heads/trunk:job_workflow_ref:atproto-nix/tangled/.github/workflows/build.yml@refs/heads/trunk",
        ]);
    });

    it("a rotation: both keys held, the new one current and protected, hosts trust both; the old key keeps its old resource name as an alias", async () => {
        const { setup, resources } = await deploy("rotate", model({ mirror: { ...MIRROR, bucket: "rotate-bucket", keyName: "atproto-mirror-2", previousKeyName: "atproto-mirror-1" } }));
        const keys = resources.filter((r) => r.type === "pulumi-nodejs:dynamic:NixSigningKey");
        expect(keys.map((k) => [k.name, k.inputs.keyName])).toEqual([
            ["rotate-mirror-signing-key-atproto-mirror-2", "atproto-mirror-2"],
            ["rotate-mirror-signing-key-atproto-mirror-1", "atproto-mirror-1"],
        ]);
        expect(mirrorKeySlots({ keyName: "atproto-mirror-2", previousKeyName: "atproto-mirror-1" })).toEqual([
            { keyName: "atproto-mirror-2", role: "current", protect: true, legacyAlias: false },
            { keyName: "atproto-mirror-1", role: "previous", protect: false, legacyAlias: true },
        ]);
        // The mocks answer every key with the same pair; what matters is that both are listed.
        expect((await valueOf(setup.mirror!.trustedCache)).publicKeys).toHaveLength(2);
        expect(await valueOf(setup.mirror!.previousPublicKey!)).toBe(MOCK_MIRROR_KEY.publicKey);
    });

    it("a repository without branch: the role trusts its default branch, the one its workflow is committed to", async () => {
        const github = { owner: "atproto-nix", repositories: [{ name: "legacy" }, { name: "tangled", branch: "trunk" }] };
        const { setup, resources } = await deploy("branches", model({ github, mirror: { ...MIRROR, bucket: "branches-bucket" } }));
        expect(await valueOf(setup.github!.workflowBranches)).toEqual({ legacy: MOCK_DEFAULT_BRANCHES.legacy, tangled: "trunk" });
        const trust = JSON.parse(String(one(resources, "aws:iam/role:Role").inputs.assumeRolePolicy));
        expect(trust.Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"]).toEqual([
            `repo:atproto-nix/legacy:ref:refs/heads/${MOCK_DEFAULT_BRANCHES.legacy}`,
            "repo:atproto-nix/tangled:ref:refs/heads/trunk",
        ]);
        const file = resources.find((r) => r.type === "github:index/repositoryFile:RepositoryFile" && r.inputs.repository === "legacy")!;
        expect(file.inputs.branch).toBe(MOCK_DEFAULT_BRANCHES.legacy);
    });

    it("S3Mirror alone refuses OIDC CI for a repository without branch unless told the workflows' branches", async () => {
        const { S3Mirror } = await import("../../components/mirror/s3Mirror");
        const github = { owner: "atproto-nix", repositories: [{ name: "legacy" }, { name: "tangled", branch: "trunk" }] };
        const alone = model({ github, mirror: { ...MIRROR, bucket: "alone-bucket" } });
        const before = registered.length;
        expect(() => new S3Mirror("alone", s3MirrorArgsOf(alone))).toThrow(
            "S3Mirror alone: github.repositories legacy set no branch, and workflowBranches was not given; " +
                "expected one of them: the CI role trusts the branch each workflow pushes from (set branch, or pass GithubCi's workflowBranches)",
        );
        expect(() => new S3Mirror("alone", s3MirrorArgsOf(alone))).toThrow(pulumi.RunError);
        await new Promise((resolve) => setTimeout(resolve, 20));
        expect(registered.length).toBe(before);
        const told = new S3Mirror("told", { ...s3MirrorArgsOf(alone), workflowBranches: pulumi.output({ legacy: "develop" }) });
        await valueOf(told.roleArn!);
        const role = registered.find((r) => r.type === "aws:iam/role:Role" && r.name === "told-ci-role")!;
        expect(JSON.parse(String(role.inputs.assumeRolePolicy)).Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"]).toEqual([
            "repo:atproto-nix/legacy:ref:refs/heads/develop",
            "repo:atproto-nix/tangled:ref:refs/heads/trunk",
        ]);
    });

    it("protects the bucket and the current key, not a previous key, and aliases the oldest key to its former name", async () => {
        const { S3Mirror } = await import("../../components/mirror/s3Mirror");
        const seen: Record<string, { protect?: boolean; aliases?: unknown[] }> = {};
        const record: pulumi.ResourceTransformation = (args) => {
            seen[args.name] = { protect: args.opts.protect, aliases: args.opts.aliases as unknown[] | undefined };
            return undefined;
        };
        const rotating = model({ mirror: { ...MIRROR, bucket: "protect-bucket", keyName: "atproto-mirror-2", previousKeyName: "atproto-mirror-1" } });
        const mirror = new S3Mirror("protect", s3MirrorArgsOf(rotating), { transformations: [record] });
        await valueOf(mirror.trustedCache);
        expect(seen["protect-bucket"].protect).toBe(true);
        expect(seen["protect-signing-key-atproto-mirror-2"]).toEqual({ protect: true, aliases: undefined });
        expect(seen["protect-signing-key-atproto-mirror-1"]).toEqual({ protect: false, aliases: [{ name: "protect-signing-key" }] });
        expect(seen["protect-policy"].protect).toBeFalsy();
    });
});
