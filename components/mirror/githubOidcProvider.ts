import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST } from "./awsNames";

/** The issuer URL an account's GitHub OIDC provider is found by. */
export const GITHUB_OIDC_URL = `https://${GITHUB_OIDC_HOST}`;

/** The tag the stack puts on a GitHub OIDC provider it creates; its value names the stack. */
export const OIDC_OWNER_TAG = "nix-cache:stack";

/** The GitHub OIDC provider an account already has, as the lookup reads it. */
export interface FoundOidcProvider {
    readonly arn: string;
    readonly clientIdLists: readonly string[];
    readonly tags: Readonly<Record<string, string>>;
}

/** Which GitHub OIDC provider the CI role trusts. */
export type OidcProviderChoice =
    /**
     * The stack's own: created when the account has none, or the one it created (its tag names
     * this stack), `arn` then, adopted by ID: a no-op while the stack's state holds it, an import
     * when the state lost it (the stack went to access keys and back, or was destroyed and made again).
     */
    | { readonly kind: "managed"; readonly arn?: string }
    /** Another's, referenced by ARN: never changed nor deleted by this stack. */
    | { readonly kind: "existing"; readonly arn: string };

/**
 * The choice for what the account holds, stable across runs: once the stack has created the
 * provider, the lookup finds it with the stack's tag, and it stays the stack's resource
 * (rather than flipping to "someone else's", which would drop it from the stack). An
 * existing provider must accept GitHub's audience for the CI role to be assumable.
 */
export function oidcProviderChoice(found: FoundOidcProvider | undefined, stack: string): OidcProviderChoice {
    if (found === undefined) {
        return { kind: "managed" };
    }
    if (found.tags[OIDC_OWNER_TAG] === stack) {
        return { kind: "managed", arn: found.arn };
    }
    if (!found.clientIdLists.includes(GITHUB_OIDC_AUDIENCE)) {
        throw new Error(
            `the account's GitHub OIDC provider ${found.arn} does not accept the audience ${GITHUB_OIDC_AUDIENCE}; ` +
                `expected it among its audiences (aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn ${found.arn} --client-id ${GITHUB_OIDC_AUDIENCE})`,
        );
    }
    return { kind: "existing", arn: found.arn };
}

/**
 * Whether a failed lookup by URL means "the account has no such provider". The AWS provider's
 * `aws_iam_openid_connect_provider` data source lists the account's providers and, when none
 * has the URL, fails with `reading IAM OIDC Provider (URL): couldn't find resource`; every
 * other failure (no permission, throttling) is an error to report, not an absence.
 */
export function oidcLookupFoundNone(message: string): boolean {
    return message.includes(`reading IAM OIDC Provider (${GITHUB_OIDC_URL}): couldn't find resource`);
}
