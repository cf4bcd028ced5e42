import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { CacheSetup } from "../../components/setup/cacheSetup";
import { loadStackModel } from "../../components/config/load";
import { StackModel } from "../../components/config/model";
import { OIDC_OWNER_TAG } from "../../components/mirror/githubOidcProvider";
import type { S3Mirror } from "../../components/mirror/s3Mirror";
import { cacheSetupArgsOf, s3MirrorArgsOf } from "../support/componentArgs";
import { MINIMAL, rawConfig } from "../support/config";
import { invoked, isSecretInput, mockAws, MOCK_ACCOUNT_ID, MirrorRegistered, recordMirror, valueOf } from "../support/mirrorMocks";

// Which AWS account and credentials the mirror uses, which GitHub OIDC provider its role
// trusts, and the guard that makes its removal stop, as the program registers them.

const GITHUB = { owner: "atproto-nix", repositories: [{ name: "nur", branch: "main" }] };
const MIRROR = { bucket: "atproto-nix-cache", region: "eu-west-1" };
const STACK = "organization/nix-cache/test";
const OIDC = "aws:iam/openIdConnectProvider:OpenIdConnectProvider";

let registered: MirrorRegistered[];
let CacheSetupClass: typeof CacheSetup;
let S3MirrorClass: typeof S3Mirror;
beforeAll(async () => {
    registered = await recordMirror();
    CacheSetupClass = (await import("../../components/setup/cacheSetup")).CacheSetup;
    S3MirrorClass = (await import("../../components/mirror/s3Mirror")).S3Mirror;
});
afterEach(() => {
    pulumi.runtime.setAllConfig({});
    mockAws.oidcProvider = "none";
    mockAws.accountBlock = "none";
    mockAws.accountId = MOCK_ACCOUNT_ID;
});

function model(values: Record<string, unknown>): StackModel {
    return loadStackModel(rawConfig({ ...MINIMAL, ...values }), { mode: "render" });
}

async function settled(): Promise<void> {
    for (let stable = 0, seen = -1; stable < 5; ) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        stable = registered.length === seen ? stable + 1 : 0;
        seen = registered.length;
    }
}

/** Builds an S3Mirror alone and returns it with what it registered. */
async function mirrorOf(name: string, values: Record<string, unknown>, opts?: pulumi.ComponentResourceOptions) {
    const before = registered.length;
    const mirror = new S3MirrorClass(name, s3MirrorArgsOf(model(values)), opts);
    await valueOf(mirror.trustedCache);
    await settled();
    return { mirror, resources: registered.slice(before).filter((r) => r.name.startsWith(`${name}-`)) };
}

const awsResources = (resources: MirrorRegistered[]) => resources.filter((r) => r.type.startsWith("aws:"));
const named = (resources: MirrorRegistered[], type: string) => resources.filter((r) => r.type === type);

describe("the mirror's AWS provider and account", () => {
    it("takes the stack's aws:* settings, credentials as secrets, in the mirror's region, for every AWS resource", async () => {
        pulumi.runtime.setAllConfig(
            {
                "aws:profile": "org-admin",
                "aws:allowedAccountIds": JSON.stringify([MOCK_ACCOUNT_ID]),
                "aws:assumeRoles": JSON.stringify([{ roleArn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/deploy` }]),
                "aws:secretKey": "stack-secret-key-do-not-leak",
            },
            ["aws:secretKey"],
        );
        const { mirror, resources } = await mirrorOf("settings", { github: GITHUB, mirror: MIRROR });
        const [provider] = named(resources, "pulumi:providers:aws");
        expect(provider.inputs).toMatchObject({
            region: "eu-west-1",
            profile: "org-admin",
            allowedAccountIds: JSON.stringify([MOCK_ACCOUNT_ID]),
            assumeRoles: JSON.stringify([{ roleArn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/deploy` }]),
        });
        expect(isSecretInput(provider.inputs.secretKey)).toBe(true);
        const providerUrn = `urn:pulumi:test::nix-cache::nix-cache:index:S3Mirror$pulumi:providers:aws::settings-aws::settings-aws-id`;
        expect(awsResources(resources).length).toBeGreaterThanOrEqual(10);
        expect(awsResources(resources).filter((r) => r.provider !== providerUrn).map((r) => r.name)).toEqual([]);
        // The account is shown, and every lookup went through the same provider.
        expect(await valueOf(mirror.awsAccountId!)).toBe(MOCK_ACCOUNT_ID);
        expect(invoked.filter((i) => i.token.startsWith("aws:") && i.provider !== providerUrn)).toEqual([]);
    });

    it("refuses, before registering anything, a different aws:region, an unknown aws: key, and AWS-only keys for an S3-compatible server", async () => {
        const before = registered.length;
        pulumi.runtime.setAllConfig({ "aws:region": "us-west-2", "aws:assumeRole": "{}" });
        expect(() => new S3MirrorClass("refused", s3MirrorArgsOf(model({ mirror: MIRROR })))).toThrow(
            /S3Mirror refused: aws:assumeRole is not a setting of the AWS provider.*; aws:region is us-west-2 but mirror.region is eu-west-1/,
        );
        pulumi.runtime.setAllConfig({ "aws:allowedAccountIds": JSON.stringify([MOCK_ACCOUNT_ID]) });
        expect(() => new S3MirrorClass("minio", s3MirrorArgsOf(model({ mirror: { ...MIRROR, endpoint: "http://127.0.0.1:9000", server: "minio" } })))).toThrow(
            /aws:allowedAccountIds is set, but mirror.endpoint is an S3-compatible server/,
        );
        await settled();
        expect(registered.length).toBe(before);
    });

    it("a provider given to CacheSetup is used for every AWS resource and lookup of the mirror; none is made", async () => {
        const given = new aws.Provider("org-account", { region: "eu-west-1" });
        const before = registered.length;
        const setup: CacheSetup = new CacheSetupClass("given", cacheSetupArgsOf(model({ github: GITHUB, mirror: MIRROR }), { cachixAuthToken: pulumi.secret("t") }), { providers: { aws: given } });
        await valueOf(setup.mirror!.trustedCache);
        await settled();
        const resources = registered.slice(before);
        const givenUrn = "urn:pulumi:test::nix-cache::pulumi:providers:aws::org-account::org-account-id";
        expect(named(resources, "pulumi:providers:aws").map((r) => r.name)).toEqual(["org-account"]);
        expect(awsResources(resources).length).toBeGreaterThanOrEqual(10);
        expect(awsResources(resources).filter((r) => r.provider !== givenUrn).map((r) => r.name)).toEqual([]);
    });
});

describe("public reads", () => {
    it("a public mirror's policy waits for the public access block and is retried through S3's refusal; a private one's is not", async () => {
        const { resources } = await mirrorOf("open", { mirror: MIRROR });
        const [policy] = named(resources, "aws:s3/bucketPolicy:BucketPolicy");
        expect(policy.dependencies).toContain("open-public-access");
        expect(policy.onError).toEqual(["open-policy-retry"]);
        expect(invoked.filter((i) => i.token === "aws:s3/getAccountPublicAccessBlock:getAccountPublicAccessBlock")).not.toEqual([]);
        const closed = await mirrorOf("closed", { mirror: { ...MIRROR, public: false } });
        expect(named(closed.resources, "aws:s3/bucketPolicy:BucketPolicy")[0].onError).toEqual([]);
    });
});

describe("GitHub's OIDC provider", () => {
    it("none in the account: the stack creates one, tagged with the stack's name and retained when no longer needed", async () => {
        const { resources } = await mirrorOf("fresh", { github: GITHUB, mirror: MIRROR });
        const [created] = named(resources, OIDC);
        expect(created.inputs).toMatchObject({ url: "https://token.actions.githubusercontent.com", clientIdLists: ["sts.amazonaws.com"], tags: { [OIDC_OWNER_TAG]: STACK } });
        expect(created.retainOnDelete).toBe(true);
        expect(created.importId).toBe("");
    });

    it("one the stack created (its tag names this stack): still the stack's resource, so the next run changes nothing", async () => {
        mockAws.oidcProvider = { arn: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com", clientIdLists: ["sts.amazonaws.com"], tags: { [OIDC_OWNER_TAG]: STACK } };
        const { resources } = await mirrorOf("again", { github: GITHUB, mirror: MIRROR });
        const [kept] = named(resources, OIDC);
        // Adopted by its ID: the engine imports only when the state lacks it (after accessKeys and back).
        expect(kept.importId).toBe("arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com");
        expect(kept.retainOnDelete).toBe(true);
    });

    it("one the stack did not tag: declared under the same name, adopted as found, never changed, retained", async () => {
        const arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
        const found = { arn, clientIdLists: ["sts.amazonaws.com", "other"], thumbprintLists: ["990f4193972f2becf12ddeda5237f9c952f20d9e"], tags: { team: "platform" } };
        mockAws.oidcProvider = found;
        const { resources } = await mirrorOf("shared", { github: GITHUB, mirror: MIRROR });
        const [shared] = named(resources, OIDC);
        // The name an earlier version created it under: a stack whose state holds it (without the
        // retain flag) keeps it and records the flag; one whose state lacks it imports it.
        expect(shared.name).toBe("shared-github-oidc");
        expect(shared.importId).toBe(arn);
        expect(shared.retainOnDelete).toBe(true);
        expect(shared.inputs).toEqual({ url: "https://token.actions.githubusercontent.com", clientIdLists: found.clientIdLists, thumbprintLists: found.thumbprintLists, tags: found.tags });
        expect([...shared.ignoreChanges].sort()).toEqual(["clientIdLists", "tags", "thumbprintLists"]);
        const [role] = named(resources, "aws:iam/role:Role");
        expect(JSON.parse(String(role.inputs.assumeRolePolicy)).Statement[0].Principal).toEqual({ Federated: arn });
    });

    it("the same for a provider an earlier version created (untagged, GitHub's audience only)", async () => {
        const arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
        mockAws.oidcProvider = { arn, clientIdLists: ["sts.amazonaws.com"], tags: {} };
        const { resources } = await mirrorOf("upgraded", { github: GITHUB, mirror: MIRROR });
        const [kept] = named(resources, OIDC);
        expect(kept).toMatchObject({ name: "upgraded-github-oidc", importId: arn, retainOnDelete: true });
        expect(kept.inputs).toEqual({ url: "https://token.actions.githubusercontent.com", clientIdLists: ["sts.amazonaws.com"], thumbprintLists: [], tags: {} });
        expect(kept.ignoreChanges).toHaveLength(3);
    });
});

describe("the deletion guard", () => {
    it("depends on every other resource of the mirror, so the engine deletes it first", async () => {
        const { resources } = await mirrorOf("guarded", { github: GITHUB, mirror: { ...MIRROR, retentionDays: 30 } });
        const [guard] = named(resources, "pulumi-nodejs:dynamic:MirrorDeletionGuard");
        const members = resources.filter((r) => r !== guard && !r.type.startsWith("pulumi:providers:")).map((r) => r.name);
        expect(members).toContain("guarded-github-oidc");
        expect(members).toContain("guarded-signing-key-atproto-mirror-1");
        expect([...guard.dependencies].sort()).toEqual([...members].sort());
        expect(guard.inputs.bucket).toBe(MIRROR.bucket);
    });

    it("covers the access-key user too", async () => {
        const { resources } = await mirrorOf("keyed", { github: GITHUB, mirror: { ...MIRROR, ciCredentials: "accessKeys" } });
        const [guard] = named(resources, "pulumi-nodejs:dynamic:MirrorDeletionGuard");
        expect(guard.dependencies).toEqual(expect.arrayContaining(["keyed-ci-user", "keyed-ci-write", "keyed-ci-key", "keyed-bucket"]));
    });
});
