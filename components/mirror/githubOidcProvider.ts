import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST } from "./awsNames";

/** The issuer URL an account's GitHub OIDC provider is found by. */
export const GITHUB_OIDC_URL = `https://${GITHUB_OIDC_HOST}`;

/** The tag the stack puts on a GitHub OIDC provider it creates; its value names the stack. */
export const OIDC_OWNER_TAG = "nix-cache:stack";

/** The GitHub OIDC provider an account already has, as the lookup reads it. */
export interface FoundOidcProvider {
    readonly arn: string;
    readonly clientIdLists: readonly string[];
    readonly thumbprintLists: readonly string[];
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
    /**
     * One the stack did not tag: an organisation's, another stack's, or one this stack created
     * before it tagged what it creates. Declared read-only and retained (see {@link oidcProviderDeclaration}).
     */
    | { readonly kind: "shared"; readonly found: FoundOidcProvider };

/**
 * The choice for what the account holds, stable across runs: once the stack has created the
 * provider, the lookup finds it with the stack's tag, and it stays the stack's resource
 * (rather than flipping to "shared", which would stop the stack from changing it). A
 * shared provider must accept GitHub's audience for the CI role to be assumable.
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
    return { kind: "shared", found };
}

/** The inputs of the stack's `aws.iam.OpenIdConnectProvider` resource. */
export interface OidcProviderInputs {
    readonly url: string;
    readonly clientIdLists: string[];
    readonly thumbprintLists?: string[];
    readonly tags: Record<string, string>;
}

/**
 * The inputs of that resource the stack never changes on a shared provider. Not the URL: it is
 * the issuer the provider was found by, and the one input an import would otherwise take from
 * IAM, which stores it without `https://`, a form the resource's check refuses.
 */
export const SHARED_OIDC_IGNORED_INPUTS = ["clientIdLists", "thumbprintLists", "tags"] as const;

/** How the stack declares the GitHub OIDC provider it chose: inputs and the options that keep it safe. */
export interface OidcProviderDeclaration {
    readonly inputs: OidcProviderInputs;
    /** Never deleted by the stack: when the stack stops declaring it, it only leaves the state. */
    readonly retainOnDelete: true;
    /** Adopted by this ID when the state lacks it (the engine imports only then; otherwise it is the ID in state). */
    readonly import?: string;
    /** Inputs the stack never changes on the real provider: the state's (or, on import, the provider's) are kept. */
    readonly ignoreChanges?: string[];
}

/**
 * The declaration of the chosen provider, always under the same resource name (the one the
 * stack's provider has had since it first created one). The stack's own is declared as it
 * creates it. A shared one is declared too, so that a stack which created it untagged (and whose
 * state lacks the retain flag) records the flag instead of deleting it when it drops it: adopted
 * by its ARN, with the values the lookup reports, ignored, and the URL it was found by (the
 * provider's diff ignores the scheme), so the stack neither changes nor deletes it.
 */
export function oidcProviderDeclaration(choice: OidcProviderChoice, stack: string): OidcProviderDeclaration {
    if (choice.kind === "managed") {
        return {
            inputs: { url: GITHUB_OIDC_URL, clientIdLists: [GITHUB_OIDC_AUDIENCE], tags: { [OIDC_OWNER_TAG]: stack } },
            retainOnDelete: true,
            ...(choice.arn === undefined ? {} : { import: choice.arn }),
        };
    }
    const { found } = choice;
    return {
        inputs: { url: GITHUB_OIDC_URL, clientIdLists: [...found.clientIdLists], thumbprintLists: [...found.thumbprintLists], tags: { ...found.tags } },
        retainOnDelete: true,
        import: found.arn,
        ignoreChanges: [...SHARED_OIDC_IGNORED_INPUTS],
    };
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
