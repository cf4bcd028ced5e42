import { describe, expect, it } from "vitest";
import { GithubSpec, MirrorSpec } from "../../components/config/model";
import { bucketArn, ciPrincipalName, githubOidcProviderArnPlaceholder } from "../../components/mirror/awsNames";
import { awsPartition } from "../../components/formats/s3Urls";
import { ANONYMOUS_READ_ACTIONS, bucketPolicy, renderBucketPolicy } from "../../components/mirror/bucketPolicy";
import { githubOidcSubjects, mirrorCiAccess, mirrorSubjectTemplates, repositoriesNeedingBranch } from "../../components/mirror/ciAccess";
import { ciTrustPolicy, ciWritePolicy } from "../../components/mirror/ciPolicies";
import { PolicyDocument, PolicyStatement, renderPolicy } from "../../components/mirror/policyDocument";
import { publicAccessBlockSettings } from "../../components/mirror/publicAccess";

const MIRROR: MirrorSpec = {
    bucket: "atproto-nix-cache",
    region: "eu-west-1",
    public: true,
    priority: 50,
    keyName: "atproto-mirror-1",
    ciCredentials: "oidc",
    anonymousList: false,
    skipUpstreamPaths: true,
};

const GITHUB: GithubSpec = {
    owner: "atproto-nix",
    repositories: [
        { name: "nur", branch: "main", targets: [] },
        { name: "tangled", branch: "release/2", targets: [] },
    ],
    secret: { scope: "repository", visibility: "selected", createEnvironment: false, credential: "authToken", name: "CACHIX_AUTH_TOKEN", authTokenName: "CACHIX_AUTH_TOKEN", access: "exact" },
    workflow: {
        path: ".github/workflows/build.yml",
        name: "Build",
        pullRequests: true,
        workflowDispatch: true,
        runsOn: "ubuntu-latest",
        verify: true,
        concurrency: true,
        actions: { checkout: "actions/checkout@v4", installNix: "cachix/install-nix-action@v31", cachix: "cachix/cachix-action@v16", awsCredentials: "aws-actions/configure-aws-credentials@v4", pin: "tag", pins: {} },
        commitMessage: "ci",
        flakeCheck: false,
        cachixOptions: {},
        delivery: "commit",
        deliveryBranch: "nix-cache/workflow",
    },
};

const actionsOf = (statement: PolicyStatement): string[] => [statement.Action].flat();
const resourcesOf = (statement: PolicyStatement): string[] => [statement.Resource ?? []].flat();

/** Every bucket-policy variant the config can produce. */
const VARIANTS: MirrorSpec[] = [true, false].flatMap((isPublic) =>
    [undefined, "http://127.0.0.1:9000", "https://s3.example.org"].flatMap((endpoint) =>
        ["eu-west-1", "cn-north-1", "us-gov-west-1"].map((region) => ({ ...MIRROR, public: isPublic, endpoint, region })),
    ),
);

describe("bucketPolicy", () => {
    it("a public mirror on AWS: anonymous GetObject on objects, no listing by default, nothing over plain HTTP", () => {
        expect(bucketPolicy({ ...MIRROR, anonymousList: true })!.Statement.map((s) => [s.Sid, s.Action, s.Resource])).toContainEqual([
            "AnonymousListBucket",
            "s3:ListBucket",
            "arn:aws:s3:::atproto-nix-cache",
        ]);
        expect(bucketPolicy(MIRROR)).toEqual({
            Version: "2012-10-17",
            Statement: [
                { Sid: "AnonymousReadCacheObjects", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::atproto-nix-cache/*" },
                {
                    Sid: "DenyInsecureTransport",
                    Effect: "Deny",
                    Principal: "*",
                    Action: "s3:*",
                    Resource: ["arn:aws:s3:::atproto-nix-cache", "arn:aws:s3:::atproto-nix-cache/*"],
                    Condition: { Bool: { "aws:SecureTransport": "false" } },
                },
            ],
        });
    });

    it("a private mirror grants nothing to anyone; over plain HTTP it has no policy at all", () => {
        const aws = bucketPolicy({ ...MIRROR, public: false })!;
        expect(aws.Statement.map((s) => s.Effect)).toEqual(["Deny"]);
        expect(bucketPolicy({ ...MIRROR, public: false, endpoint: "http://127.0.0.1:9000" })).toBeUndefined();
        expect(renderBucketPolicy({ ...MIRROR, public: false, endpoint: "http://127.0.0.1:9000" })).toBeUndefined();
    });

    it.each(VARIANTS.map((v) => [`${v.public ? "public" : "private"} ${v.endpoint ?? "aws"} ${v.region}`, v] as const))(
        "%s: never an anonymous write, delete or wildcard grant; only this bucket",
        (_, mirror) => {
            const document = bucketPolicy(mirror);
            for (const statement of document?.Statement ?? []) {
                const allowed = statement.Effect === "Allow" ? actionsOf(statement) : [];
                expect(allowed.every((action) => (ANONYMOUS_READ_ACTIONS as readonly string[]).includes(action)), statement.Sid).toBe(true);
                expect(resourcesOf(statement).every((arn) => arn.startsWith(`${bucketArn(mirror)}`)), statement.Sid).toBe(true);
                if (!mirror.public) {
                    expect(statement.Effect).toBe("Deny");
                }
            }
            if (document !== undefined) {
                expect(JSON.parse(renderBucketPolicy(mirror)!)).toEqual(document);
                expect(new Set(document.Statement.map((s) => s.Sid)).size).toBe(document.Statement.length);
                expect(document.Statement.every((s) => /^[A-Za-z0-9]+$/.test(s.Sid))).toBe(true);
            }
        },
    );

    it("uses the region's partition on AWS, and arn:aws for S3-compatible servers", () => {
        expect(bucketArn({ ...MIRROR, region: "cn-north-1" })).toBe("arn:aws-cn:s3:::atproto-nix-cache");
        expect(bucketArn({ ...MIRROR, region: "us-gov-west-1" })).toBe("arn:aws-us-gov:s3:::atproto-nix-cache");
        expect(awsPartition({ region: "cn-north-1", endpoint: "http://127.0.0.1:9000" })).toBe("aws");
    });
});

describe("publicAccessBlockSettings", () => {
    it("ACLs never grant; public policies are blocked unless the mirror is public", () => {
        expect(publicAccessBlockSettings({ public: true })).toEqual({ blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: false, restrictPublicBuckets: false });
        expect(publicAccessBlockSettings({ public: false })).toEqual({ blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true });
    });
});

describe("CI trust policy", () => {
    it("trusts GitHub's tokens for AWS, for exactly the configured repositories and branches", () => {
        const arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
        expect(ciTrustPolicy(arn, githubOidcSubjects(GITHUB))).toEqual({
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "GithubActionsOidc",
                    Effect: "Allow",
                    Principal: { Federated: arn },
                    Action: "sts:AssumeRoleWithWebIdentity",
                    Condition: {
                        StringEquals: {
                            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                            "token.actions.githubusercontent.com:sub": [
                                "repo:atproto-nix/nur:ref:refs/heads/main",
                                "repo:atproto-nix/tangled:ref:refs/heads/release/2",
                            ],
                        },
                    },
                },
            ],
        });
    });

    it("uses the environment subject when the job runs in a GitHub environment", () => {
        const github = { ...GITHUB, secret: { ...GITHUB.secret, scope: "environment" as const, environment: "cache" } };
        expect(githubOidcSubjects(github)).toEqual(["repo:atproto-nix/nur:environment:cache", "repo:atproto-nix/tangled:environment:cache"]);
    });

    it("with a subject template: the claims GitHub writes, in order; job_workflow_ref binds the stack's workflow file on the branch", () => {
        expect(githubOidcSubjects(GITHUB, ["repo", "context", "job_workflow_ref"])).toEqual([
            "repo:atproto-nix/nur:ref:refs/heads/main:job_workflow_ref:atproto-nix/nur/.github/workflows/build.yml@refs/heads/main",
            "repo:atproto-nix/tangled:ref:refs/heads/release/2:job_workflow_ref:atproto-nix/tangled/.github/workflows/build.yml@refs/heads/release/2",
        ]);
        expect(githubOidcSubjects(GITHUB, ["repository_owner", "job_workflow_ref"])[0]).toBe(
            "repository_owner:atproto-nix:job_workflow_ref:atproto-nix/nur/.github/workflows/build.yml@refs/heads/main",
        );
        expect(githubOidcSubjects(GITHUB, ["repo", "workflow", "ref"])[0]).toBe("repo:atproto-nix/nur:workflow:Build:ref:refs/heads/main");
        expect(mirrorSubjectTemplates({ ...MIRROR, oidcSubjectClaims: ["repo", "context", "job_workflow_ref"] }, GITHUB)).toEqual([
            { repository: "nur", includeClaimKeys: ["repo", "context", "job_workflow_ref"] },
            { repository: "tangled", includeClaimKeys: ["repo", "context", "job_workflow_ref"] },
        ]);
        expect(mirrorSubjectTemplates(MIRROR, GITHUB)).toEqual([]);
        expect(mirrorCiAccess({ ...MIRROR, oidcSubjectClaims: ["repo", "job_workflow_ref"] }, GITHUB)).toMatchObject({
            subjects: ["repo:atproto-nix/nur:job_workflow_ref:atproto-nix/nur/.github/workflows/build.yml@refs/heads/main", expect.any(String)],
        });
    });

    it("a repository without branch: its default branch as GitHub reports it, else main (render); a configured branch wins", () => {
        const unset: GithubSpec = { ...GITHUB, repositories: [{ name: "nur", targets: [] }, GITHUB.repositories[1]] };
        expect(githubOidcSubjects(unset, undefined, { nur: "master", tangled: "trunk" })).toEqual([
            "repo:atproto-nix/nur:ref:refs/heads/master",
            "repo:atproto-nix/tangled:ref:refs/heads/release/2",
        ]);
        expect(githubOidcSubjects(unset, ["repo", "job_workflow_ref"], { nur: "master" })[0]).toBe(
            "repo:atproto-nix/nur:job_workflow_ref:atproto-nix/nur/.github/workflows/build.yml@refs/heads/master",
        );
        expect(githubOidcSubjects(unset)[0]).toBe("repo:atproto-nix/nur:ref:refs/heads/main");
    });

    it("names the repositories whose subjects need a branch the stack file leaves unset", () => {
        const unset: GithubSpec = { ...GITHUB, repositories: [{ name: "nur", targets: [] }, GITHUB.repositories[1]] };
        expect(repositoriesNeedingBranch(GITHUB)).toEqual([]);
        expect(repositoriesNeedingBranch(unset)).toEqual(["nur"]);
        expect(repositoriesNeedingBranch(unset, ["repo", "workflow"])).toEqual([]);
        expect(repositoriesNeedingBranch(unset, ["repo", "ref"])).toEqual(["nur"]);
        const environment: GithubSpec = { ...unset, secret: { ...unset.secret, scope: "environment", environment: "cache" } };
        expect(repositoriesNeedingBranch(environment)).toEqual([]);
        expect(repositoriesNeedingBranch(environment, ["repo", "context", "job_workflow_ref"])).toEqual(["nur"]);
    });

    it("never compares with a pattern, and refuses an empty subject list", () => {
        const text = renderPolicy(ciTrustPolicy("arn:aws:iam::1:oidc-provider/x", githubOidcSubjects(GITHUB)));
        expect(text).not.toContain("StringLike");
        expect(text).not.toMatch(/[*?]/);
        expect(() => ciTrustPolicy("arn", [])).toThrow(/at least one/);
    });

    it("render's provider ARN names the placeholder, in the region's partition", () => {
        expect(githubOidcProviderArnPlaceholder(MIRROR)).toBe("arn:aws:iam::<aws-account-id>:oidc-provider/token.actions.githubusercontent.com");
        expect(githubOidcProviderArnPlaceholder({ ...MIRROR, region: "cn-north-1" })).toMatch(/^arn:aws-cn:iam::/);
    });
});

describe("CI write policy", () => {
    const policy: PolicyDocument = ciWritePolicy(MIRROR);

    it("uploads only the keys Nix writes, reads and lists on this bucket only, multipart included", () => {
        expect(policy.Statement).toEqual([
            {
                Sid: "WriteNixCacheObjects",
                Effect: "Allow",
                Action: ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
                Resource: [
                    "arn:aws:s3:::atproto-nix-cache/*.narinfo",
                    "arn:aws:s3:::atproto-nix-cache/nar/*",
                    "arn:aws:s3:::atproto-nix-cache/realisations/*",
                    "arn:aws:s3:::atproto-nix-cache/log/*",
                ],
            },
            { Sid: "ReadCacheObjects", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::atproto-nix-cache/*" },
            {
                Sid: "ListCacheBucket",
                Effect: "Allow",
                Action: ["s3:ListBucket", "s3:ListBucketMultipartUploads", "s3:GetBucketLocation"],
                Resource: "arn:aws:s3:::atproto-nix-cache",
            },
        ]);
    });

    it("matches the keys Nix writes and never nix-cache-info or another key (IAM's wildcard matching)", () => {
        const put = policy.Statement.find((s) => actionsOf(s).includes("s3:PutObject"))!;
        const resources = [put.Resource].flat() as string[];
        const matches = (key: string) => resources.some((r) => iamWildcard(r).test(`arn:aws:s3:::atproto-nix-cache/${key}`));
        for (const key of ["0123456789abcdfghijklmnpqrsvwxyz.narinfo", "nar/1b9ah1q6dd7ck3gxjxzdaav8x6kxdsw3q1cnx1a0qacy7z8h7an2.nar.zst", "realisations/sha256:abc!out.doi", "log/0123-hello.drv"]) {
            expect(matches(key), key).toBe(true);
        }
        for (const key of ["nix-cache-info", "index.html", "narx/evil", "debuginfo/abc"]) {
            expect(matches(key), key).toBe(false);
        }
    });

    it("grants no delete, no wildcard action and no configuration change", () => {
        const actions = policy.Statement.flatMap(actionsOf);
        expect(actions.filter((a) => /Delete|\*|Policy|Acl|Put(?!Object$)/.test(a))).toEqual([]);
        expect(policy.Statement.every((s) => s.Principal === undefined && s.Effect === "Allow")).toBe(true);
    });
});

describe("mirrorCiAccess", () => {
    it("oidc by default, scoped to the repositories; an existing provider is referenced", () => {
        expect(mirrorCiAccess(MIRROR, GITHUB)).toEqual({
            kind: "oidc",
            principalName: "nix-mirror-push-atproto-nix-cache",
            subjects: githubOidcSubjects(GITHUB),
            existingProviderArn: undefined,
        });
        const arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
        expect(mirrorCiAccess({ ...MIRROR, oidcProviderArn: arn }, GITHUB)).toMatchObject({ kind: "oidc", existingProviderArn: arn });
    });

    it("accessKeys only when asked; nothing without github or on a non-AWS endpoint", () => {
        expect(mirrorCiAccess({ ...MIRROR, ciCredentials: "accessKeys" }, GITHUB)).toEqual({ kind: "accessKeys", principalName: "nix-mirror-push-atproto-nix-cache" });
        expect(mirrorCiAccess(MIRROR, undefined).kind).toBe("none");
        expect(mirrorCiAccess({ ...MIRROR, endpoint: "http://127.0.0.1:9000" }, GITHUB).kind).toBe("none");
    });

    it("names CI's principal within IAM's 64 characters, distinctly for long bucket names", () => {
        const long = "a".repeat(50) + "-nix-cache-one";
        const other = "a".repeat(50) + "-nix-cache-two";
        for (const bucket of [long, other, "a.b.c"]) {
            expect(ciPrincipalName({ bucket }).length).toBeLessThanOrEqual(64);
            expect(ciPrincipalName({ bucket })).toMatch(/^[\w+=,.@-]+$/);
        }
        expect(ciPrincipalName({ bucket: long })).not.toBe(ciPrincipalName({ bucket: other }));
        expect(ciPrincipalName({ bucket: "a.b.c" })).toBe("nix-mirror-push-a.b.c");
    });
});

/** IAM's ARN wildcards: `*` any run of characters (slashes included), `?` one character. */
function iamWildcard(pattern: string): RegExp {
    return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
}
