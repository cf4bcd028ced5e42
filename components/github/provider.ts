import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";

/** The GitHub App credentials of `github:appAuth`, as the provider takes them. */
export interface GithubAppAuth {
    /** The App's id. */
    readonly id: string;
    /** The installation's id in the owner's account. */
    readonly installationId: string;
    /** The App's private key (PEM). */
    readonly pemFile: string;
}

/**
 * A provider bound to the configured owner, with the GitHub provider's own config keys: a
 * token (`github:token`, else `GITHUB_TOKEN`), or GitHub App credentials (`github:appAuth`:
 * `{id, installationId, pemFile}`, set as a secret), and `github:baseUrl`. An explicit provider
 * does not read the `github:` namespace by itself, so each key is passed on here.
 */
export function githubProvider(name: string, owner: string, parent: pulumi.Resource): github.Provider {
    const config = new pulumi.Config("github");
    const appAuth = config.getSecretObject<GithubAppAuth>("appAuth");
    return new github.Provider(
        `${name}-provider`,
        { owner, token: config.getSecret("token"), baseUrl: config.get("baseUrl"), ...(appAuth === undefined ? {} : { appAuth }) },
        { parent },
    );
}
