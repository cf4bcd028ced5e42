/**
 * Which secrets a setup needs, decided once: for the stack file (its secret config keys), for
 * `CacheSetup` (its secret arguments) and for `GithubCi` (its credentials).
 */

/** What decides the secrets: read off the model, or off a stack document not yet valid. */
export interface SecretNeeds {
    /** The Cachix credential CI pushes with; undefined without GitHub CI. */
    readonly githubCredential?: "authToken" | "signingKey";
    /** The cache is private: its netrc (the hosts', the identity's) needs a token. */
    readonly privateCache: boolean;
    /** Per host, in order, the secret config key its SSH private key is in; undefined for an agent. */
    readonly hostKeys: readonly (string | undefined)[];
    /** Whether the secret `key` is given (set in the stack, or passed as an argument). */
    readonly given: (key: string) => boolean;
}

/** A secret that is needed and not given. */
export interface MissingSecret {
    /** The secret config key (`cachixAuthToken`, an SSH key's name). */
    readonly key: string;
    /** What needs it: CI's credential, a private cache's netrc, or the host at `hostIndex`. */
    readonly neededBy: "github" | "privateCache" | "host";
    /** The host that logs in with it, for an SSH key. */
    readonly hostIndex?: number;
}

/** Whether a private cache's netrc lacks its token, when the one token there is is `token`. */
export function netrcTokenMissing(privateCache: boolean, token: unknown): boolean {
    // Either of the two Cachix tokens serves a netrc: the one given stands for both.
    return missingSecrets({ privateCache, hostKeys: [], given: () => token !== undefined }).length > 0;
}

/** The secrets `needs` asks for that are not given: each once per reason, CI's first, then the netrc's, then the hosts'. */
export function missingSecrets(needs: SecretNeeds): MissingSecret[] {
    const missing: MissingSecret[] = [];
    const need = (key: string, neededBy: MissingSecret["neededBy"]) => {
        if (!needs.given(key) && !missing.some((m) => m.key === key)) {
            missing.push({ key, neededBy });
        }
    };
    // cachix-action pushes to any cache with the auth token; a signing key is used in addition.
    if (needs.githubCredential !== undefined) {
        need("cachixAuthToken", "github");
        if (needs.githubCredential === "signingKey") {
            need("cachixSigningKey", "github");
        }
    }
    // A read-only token is enough for a netrc, and keeps push rights off the hosts.
    if (needs.privateCache && !needs.given("cachixReadToken")) {
        need("cachixAuthToken", "privateCache");
    }
    // Each host asks for its own key, so a key two hosts share is reported at both.
    needs.hostKeys.forEach((key, hostIndex) => {
        if (key !== undefined && !needs.given(key)) {
            missing.push({ key, neededBy: "host", hostIndex });
        }
    });
    return missing;
}
