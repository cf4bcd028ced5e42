import * as pulumi from "@pulumi/pulumi";
import { FoundOidcProvider, GITHUB_OIDC_URL, oidcLookupFoundNone } from "./githubOidcProvider";
import { accountBlockFoundNone, AccountPublicAccessBlock } from "./publicReads";
import { aws } from "./awsPackage";

// What the mirror reads from the AWS account before it creates anything, through its provider.
// A data source that finds nothing fails; only its own not-found words mean "none".

/** The account's S3 Block Public Access, or undefined when it has none (any other failure is reported). */
export async function findAccountBlock(name: string, accountId: string, opts: pulumi.InvokeOptions): Promise<AccountPublicAccessBlock | undefined> {
    try {
        return await aws.s3.getAccountPublicAccessBlock({ accountId }, { provider: opts.provider, parent: opts.parent });
    } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (accountBlockFoundNone(message, accountId)) {
            return undefined;
        }
        throw new pulumi.RunError(`S3Mirror ${name}: could not read AWS account ${accountId}'s S3 Block Public Access (a public mirror needs it off): ${message}`);
    }
}

/** The account's GitHub OIDC provider, or undefined when it has none (any other failure is reported). */
export async function findGithubOidcProvider(name: string, opts: pulumi.InvokeOptions): Promise<FoundOidcProvider | undefined> {
    try {
        const found = await aws.iam.getOpenIdConnectProvider({ url: GITHUB_OIDC_URL }, { provider: opts.provider, parent: opts.parent });
        return { arn: found.arn, clientIdLists: found.clientIdLists, thumbprintLists: found.thumbprintLists, tags: found.tags };
    } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (oidcLookupFoundNone(message)) {
            return undefined;
        }
        throw new pulumi.RunError(`S3Mirror ${name}: could not look up the account's GitHub OIDC provider (${GITHUB_OIDC_URL}): ${message}`);
    }
}
