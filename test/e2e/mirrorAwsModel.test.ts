import {
    CreateOpenIDConnectProviderCommand,
    DeleteOpenIDConnectProviderCommand,
    GetOpenIDConnectProviderCommand,
    ListOpenIDConnectProvidersCommand,
} from "@aws-sdk/client-iam";
import { GetPublicAccessBlockCommand, PutPublicAccessBlockCommand } from "@aws-sdk/client-s3-control";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST } from "../../components/mirror/awsNames";
import { FoundOidcProvider, GITHUB_OIDC_URL, OIDC_OWNER_TAG, oidcProviderChoice, oidcProviderDeclaration } from "../../components/mirror/githubOidcProvider";
import { accountBlockProblem } from "../../components/mirror/publicReads";
import { MOTO_ACCOUNT_ID, MotoServer, startMoto } from "../support/moto";
import { requireTools } from "../support/tools";

// The AWS API behaviour the mirror's decisions rest on, against moto's model of IAM and S3
// Control, through the AWS SDK: what the account answers is fed to the project's own choices.
// The AWS provider's data sources read the same calls (ListOpenIDConnectProviders and
// GetOpenIDConnectProvider; S3 Control's GetPublicAccessBlock), which cannot run here.
// Not modelled by moto, so not tested here: a new bucket's all-on public access block, and S3
// refusing a public bucket policy under BlockPublicPolicy (moto accepts it); the policy's retry
// is tested through the engine (test/engine/mirrorPolicyRetry.test.ts).

const tools = requireTools(["moto_server"], "run `bash scripts/toolchain.sh moto`");
const STACK = "organization/nix-cache/prod";

let moto: MotoServer;
beforeAll(async () => {
    if (!tools.skip) {
        moto = await startMoto(tools.paths.moto_server);
    }
}, 120_000);
afterAll(async () => {
    await moto?.stop();
});

/** What the AWS provider's lookup by URL does: the provider whose ARN ends in the issuer's host, read with its tags. */
async function lookUpGithubProvider(): Promise<FoundOidcProvider | undefined> {
    const listed = await moto.iam.send(new ListOpenIDConnectProvidersCommand({}));
    const arn = listed.OpenIDConnectProviderList?.map((entry) => entry.Arn ?? "").find((candidate) => candidate.split("/").slice(1).join("/") === GITHUB_OIDC_HOST);
    if (arn === undefined) {
        return undefined;
    }
    const provider = await moto.iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
    return { arn, clientIdLists: provider.ClientIDList ?? [], thumbprintLists: provider.ThumbprintList ?? [], tags: Object.fromEntries((provider.Tags ?? []).map((tag) => [tag.Key, tag.Value])) };
}

describe.skipIf(tools.skip)("GitHub's OIDC provider in a model of IAM", () => {
    it("an account without one: the lookup finds none, and the stack's own is created once; a second create is refused", async () => {
        expect(await lookUpGithubProvider()).toBeUndefined();
        expect(oidcProviderChoice(undefined, STACK)).toEqual({ kind: "managed" });
        const created = await moto.iam.send(
            new CreateOpenIDConnectProviderCommand({ Url: GITHUB_OIDC_URL, ClientIDList: [GITHUB_OIDC_AUDIENCE], Tags: [{ Key: OIDC_OWNER_TAG, Value: STACK }] }),
        );
        expect(created.OpenIDConnectProviderArn).toBe(`arn:aws:iam::${MOTO_ACCOUNT_ID}:oidc-provider/${GITHUB_OIDC_HOST}`);
        // One per issuer URL per account: why a stack must not create it where it exists.
        await expect(moto.iam.send(new CreateOpenIDConnectProviderCommand({ Url: GITHUB_OIDC_URL, ClientIDList: [GITHUB_OIDC_AUDIENCE] }))).rejects.toMatchObject({ name: "EntityAlreadyExistsException" });
    });

    it("the next run finds the stack's own by its tag and keeps it; another stack takes it as shared", async () => {
        const found = await lookUpGithubProvider();
        expect(found?.tags).toEqual({ [OIDC_OWNER_TAG]: STACK });
        expect(oidcProviderChoice(found, STACK)).toEqual({ kind: "managed", arn: found!.arn });
        expect(oidcProviderChoice(found, "organization/nix-cache/other")).toEqual({ kind: "shared", found });
    });

    it("an organisation's own provider (untagged, other audiences too) is shared; one without GitHub's audience is refused", async () => {
        await moto.iam.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: `arn:aws:iam::${MOTO_ACCOUNT_ID}:oidc-provider/${GITHUB_OIDC_HOST}` }));
        await moto.iam.send(new CreateOpenIDConnectProviderCommand({ Url: GITHUB_OIDC_URL, ClientIDList: ["sigstore", GITHUB_OIDC_AUDIENCE] }));
        const theirs = await lookUpGithubProvider();
        expect(oidcProviderChoice(theirs, STACK)).toEqual({ kind: "shared", found: theirs });
        // IAM keeps the issuer without its scheme, the form an import would read and the
        // resource's check refuses: the declaration gives the URL it was found by instead.
        expect((await moto.iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: theirs!.arn }))).Url).toBe(GITHUB_OIDC_HOST);
        const declared = oidcProviderDeclaration({ kind: "shared", found: theirs! }, STACK);
        expect(declared.inputs.url).toBe(GITHUB_OIDC_URL);
        expect(declared.ignoreChanges).not.toContain("url");

        await moto.iam.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: theirs!.arn }));
        await moto.iam.send(new CreateOpenIDConnectProviderCommand({ Url: GITHUB_OIDC_URL, ClientIDList: ["sigstore"] }));
        expect(() => oidcProviderChoice({ ...theirs!, clientIdLists: ["sigstore"] }, STACK)).toThrow(/does not accept the audience sts.amazonaws.com/);
        expect((await lookUpGithubProvider())?.clientIdLists).toEqual(["sigstore"]);
    });
});

describe.skipIf(tools.skip)("an account's S3 Block Public Access in a model of S3 Control", () => {
    it("none set: S3 answers NoSuchPublicAccessBlockConfiguration (the provider's 'couldn't find resource'), and a public mirror may go ahead", async () => {
        await expect(moto.s3control.send(new GetPublicAccessBlockCommand({ AccountId: MOTO_ACCOUNT_ID }))).rejects.toMatchObject({ name: "NoSuchPublicAccessBlockConfiguration" });
        expect(accountBlockProblem(MOTO_ACCOUNT_ID, undefined)).toBeUndefined();
    });

    it("on for the account: read back as set, and a public mirror is refused by name; the fix it names lets it through", async () => {
        const all = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
        await moto.s3control.send(new PutPublicAccessBlockCommand({ AccountId: MOTO_ACCOUNT_ID, PublicAccessBlockConfiguration: all }));
        const read = (await moto.s3control.send(new GetPublicAccessBlockCommand({ AccountId: MOTO_ACCOUNT_ID }))).PublicAccessBlockConfiguration!;
        const block = { blockPublicPolicy: read.BlockPublicPolicy ?? false, restrictPublicBuckets: read.RestrictPublicBuckets ?? false };
        expect(accountBlockProblem(MOTO_ACCOUNT_ID, block)).toContain("(BlockPublicPolicy, RestrictPublicBuckets)");

        // The configuration the message gives.
        await moto.s3control.send(
            new PutPublicAccessBlockCommand({
                AccountId: MOTO_ACCOUNT_ID,
                PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: false },
            }),
        );
        const fixed = (await moto.s3control.send(new GetPublicAccessBlockCommand({ AccountId: MOTO_ACCOUNT_ID }))).PublicAccessBlockConfiguration!;
        expect(accountBlockProblem(MOTO_ACCOUNT_ID, { blockPublicPolicy: fixed.BlockPublicPolicy ?? false, restrictPublicBuckets: fixed.RestrictPublicBuckets ?? false })).toBeUndefined();
    });
});
