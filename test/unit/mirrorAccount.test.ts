import { describe, expect, it } from "vitest";
import { accountProblem } from "../../components/mirror/awsAccount";
import { FoundOidcProvider, GITHUB_OIDC_URL, OIDC_OWNER_TAG, oidcLookupFoundNone, oidcProviderChoice, oidcProviderDeclaration } from "../../components/mirror/githubOidcProvider";
import { DELETE_MIRROR_ENV, mirrorDeletionRefusal } from "../../components/mirror/deletionGuard";
import { awsSettingsProblems, mirrorProviderArgs } from "../../components/mirror/providerArgs";
import { accountBlockFoundNone, accountBlockProblem, POLICY_RETRY_DELAYS, policyRetryDelay, policyRetryGiveUp } from "../../components/mirror/publicReads";

const ARN = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
const STACK = "org/nix-cache/prod";

describe("the mirror's account", () => {
    it("must be listed by aws:allowedAccountIds when set, and not by aws:forbiddenAccountIds", () => {
        expect(accountProblem("123456789012", {})).toBeUndefined();
        expect(accountProblem("123456789012", { allowedAccountIds: ["123456789012"] })).toBeUndefined();
        expect(accountProblem("222222222222", { allowedAccountIds: ["111111111111", "123456789012"] })).toBe(
            "the AWS credentials are of account 222222222222, which aws:allowedAccountIds (111111111111, 123456789012) does not list; expected credentials of an allowed account",
        );
        expect(accountProblem("222222222222", { forbiddenAccountIds: ["222222222222"] })).toMatch(/which aws:forbiddenAccountIds lists/);
    });
});

describe("the mirror's provider settings", () => {
    const MIRROR = { region: "eu-west-1" };
    it("passes the stack's aws:* settings on, in the mirror's region", () => {
        expect(mirrorProviderArgs(MIRROR, { profile: "org", allowedAccountIds: ["1"] })).toEqual({ profile: "org", allowedAccountIds: ["1"], region: "eu-west-1" });
        expect(mirrorProviderArgs({ ...MIRROR, endpoint: "http://127.0.0.1:9000" }, { profile: "minio" })).toMatchObject({ profile: "minio", s3UsePathStyle: true, skipRequestingAccountId: true });
    });
    it("refuses a different aws:region, and STS or endpoint settings for an S3-compatible server, naming each key", () => {
        expect(awsSettingsProblems(MIRROR, { region: "eu-west-1" })).toEqual([]);
        expect(awsSettingsProblems(MIRROR, { region: "us-east-1" })).toEqual(["aws:region is us-east-1 but mirror.region is eu-west-1; expected aws:region unset or the mirror's region"]);
        const endpoint = { ...MIRROR, endpoint: "http://127.0.0.1:9000" };
        expect(awsSettingsProblems(endpoint, { assumeRoles: [{}], s3UsePathStyle: false, profile: "p" })).toEqual([
            "aws:assumeRoles is set, but mirror.endpoint is an S3-compatible server; expected aws:assumeRoles unset (it applies to AWS only)",
            "aws:s3UsePathStyle is set, but mirror.endpoint is an S3-compatible server; expected aws:s3UsePathStyle unset (it applies to AWS only)",
        ]);
    });
});

describe("the GitHub OIDC provider's choice", () => {
    const found = (clientIdLists: string[], tags: Record<string, string>): FoundOidcProvider => ({ arn: ARN, clientIdLists, thumbprintLists: ["990f4193972f2becf12ddeda5237f9c952f20d9e"], tags });
    it("none found, or the one this stack tagged: the stack's own resource", () => {
        expect(oidcProviderChoice(undefined, STACK)).toEqual({ kind: "managed" });
        // Adopted by ID: the engine imports it only when the stack's state does not hold it.
        expect(oidcProviderChoice(found(["sts.amazonaws.com"], { [OIDC_OWNER_TAG]: STACK }), STACK)).toEqual({ kind: "managed", arn: ARN });
    });
    it("one this stack did not tag (an organisation's, another stack's, or this stack's from before it tagged): shared", () => {
        const untagged = found(["sts.amazonaws.com"], {});
        expect(oidcProviderChoice(untagged, STACK)).toEqual({ kind: "shared", found: untagged });
        const others = found(["sts.amazonaws.com"], { [OIDC_OWNER_TAG]: "org/nix-cache/other" });
        expect(oidcProviderChoice(others, STACK)).toEqual({ kind: "shared", found: others });
    });
    it("a shared one without GitHub's audience: refused with the command that adds it", () => {
        expect(() => oidcProviderChoice(found(["other"], {}), STACK)).toThrow(
            `the account's GitHub OIDC provider ${ARN} does not accept the audience sts.amazonaws.com; expected it among its audiences (aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn ${ARN} --client-id sts.amazonaws.com)`,
        );
    });
    it("declared, retained, under one name: the stack's own as it creates it, a shared one adopted as found and never changed", () => {
        expect(oidcProviderDeclaration({ kind: "managed" }, STACK)).toEqual({
            inputs: { url: GITHUB_OIDC_URL, clientIdLists: ["sts.amazonaws.com"], tags: { [OIDC_OWNER_TAG]: STACK } },
            retainOnDelete: true,
        });
        expect(oidcProviderDeclaration({ kind: "managed", arn: ARN }, STACK)).toMatchObject({ retainOnDelete: true, import: ARN });
        const theirs = found(["sigstore", "sts.amazonaws.com"], { team: "platform" });
        expect(oidcProviderDeclaration({ kind: "shared", found: theirs }, STACK)).toEqual({
            inputs: { url: GITHUB_OIDC_URL, clientIdLists: ["sigstore", "sts.amazonaws.com"], thumbprintLists: ["990f4193972f2becf12ddeda5237f9c952f20d9e"], tags: { team: "platform" } },
            retainOnDelete: true,
            import: ARN,
            ignoreChanges: ["clientIdLists", "thumbprintLists", "tags"],
        });
    });
    it("a lookup that failed means 'none' only in the data source's not-found words", () => {
        expect(oidcLookupFoundNone(`invocation of aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider returned an error: reading IAM OIDC Provider (${GITHUB_OIDC_URL}): couldn't find resource`)).toBe(true);
        expect(oidcLookupFoundNone("reading IAM OIDC Provider: operation error IAM: GetOpenIDConnectProvider, AccessDenied")).toBe(false);
        expect(oidcLookupFoundNone(`reading IAM OIDC Provider (${GITHUB_OIDC_URL}): operation error IAM: ListOpenIDConnectProviders, https response error StatusCode: 403, AccessDenied`)).toBe(false);
    });
});

describe("the deletion guard's decision", () => {
    it("refuses unless the environment names the mirror's bucket, and says how to allow it", () => {
        expect(mirrorDeletionRefusal("cache", "cache")).toBeUndefined();
        for (const allowed of [undefined, "", "other", "1"]) {
            expect(mirrorDeletionRefusal("cache", allowed)).toContain(`To delete it deliberately, run again with ${DELETE_MIRROR_ENV}=cache`);
        }
    });
});

describe("public reads", () => {
    it("an account-wide Block Public Access that blocks or restricts public policies is refused by name, with the fix", () => {
        expect(accountBlockProblem("123456789012", undefined)).toBeUndefined();
        expect(accountBlockProblem("123456789012", { blockPublicPolicy: false, restrictPublicBuckets: false })).toBeUndefined();
        const problem = accountBlockProblem("123456789012", { blockPublicPolicy: true, restrictPublicBuckets: true });
        expect(problem).toContain("AWS account 123456789012 has S3 Block Public Access on for the whole account (BlockPublicPolicy, RestrictPublicBuckets)");
        expect(problem).toContain("aws s3control put-public-access-block --account-id 123456789012");
        expect(problem).toContain("or mirror.public: false");
        expect(accountBlockProblem("123456789012", { blockPublicPolicy: false, restrictPublicBuckets: true })).toContain("(RestrictPublicBuckets)");
    });
    it("a failed lookup means 'no account-wide block' only in the data source's not-found words", () => {
        expect(accountBlockFoundNone("invocation of aws:s3/getAccountPublicAccessBlock:getAccountPublicAccessBlock returned an error: reading S3 Account Public Access Block (123456789012): couldn't find resource", "123456789012")).toBe(true);
        expect(accountBlockFoundNone("reading S3 Account Public Access Block (123456789012): operation error S3 Control: GetPublicAccessBlock, AccessDenied", "123456789012")).toBe(false);
    });
    it("the bucket policy is retried only for S3's AccessDenied on PutBucketPolicy, within its waits", () => {
        const refusal = "putting S3 Bucket (b) Policy: operation error S3: PutBucketPolicy, https response error StatusCode: 403, RequestID: X, api error AccessDenied: Access Denied";
        expect(POLICY_RETRY_DELAYS.map((_, i) => policyRetryDelay(Array(i + 1).fill(refusal)))).toEqual([...POLICY_RETRY_DELAYS]);
        expect(policyRetryDelay(Array(POLICY_RETRY_DELAYS.length + 1).fill(refusal))).toBeUndefined();
        expect(policyRetryDelay(["putting S3 Bucket (b) Policy: operation error S3: PutBucketPolicy, api error MalformedPolicy: bad"])).toBeUndefined();
        expect(policyRetryDelay([])).toBeUndefined();
        expect(policyRetryGiveUp("b")).toContain("S3 still refuses the public bucket policy of b after 5 retries over 60s");
    });
});
