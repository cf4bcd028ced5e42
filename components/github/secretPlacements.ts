import { GithubSpec } from "../config/model";

/** One Actions secret the stack sets, described without its value. */
export type SecretPlacement = (
    | {
          /** A repository secret. */
          readonly scope: "repository";
          /** The secret's name. */
          readonly name: string;
          /** The repository (without owner). */
          readonly repository: string;
      }
    | {
          /** An organisation secret, set once. */
          readonly scope: "organization";
          readonly name: string;
          /** Which repositories may read it. */
          readonly visibility: "all" | "private" | "selected";
          /** With `selected`: the repositories granted access; empty otherwise. */
          readonly repositories: readonly string[];
      }
    | {
          /** A secret of one GitHub environment of a repository. */
          readonly scope: "environment";
          readonly name: string;
          readonly repository: string;
          /** The environment's name. */
          readonly environment: string;
      }
) & {
    /** For the Cachix secrets: which credential the secret holds. */
    readonly holds?: CachixCredential;
};

/** A Cachix credential the workflow reads. */
export type CachixCredential = "authToken" | "signingKey";

/** One Cachix secret the workflow reads: what it holds and its name. */
export interface CachixSecret {
    readonly holds: CachixCredential;
    readonly name: string;
}

/**
 * The Cachix secrets CI reads. A self-signed cache still needs the auth token: cachix-action
 * pushes to any cache with it and signs with the key in addition.
 */
export function cachixSecrets(github: GithubSpec): CachixSecret[] {
    const { secret } = github;
    return secret.credential === "authToken"
        ? [{ holds: "authToken", name: secret.name }]
        : [
              { holds: "authToken", name: secret.authTokenName },
              { holds: "signingKey", name: secret.name },
          ];
}

/**
 * Where the Cachix secrets are stored: one entry per secret resource the stack creates.
 * The component and `render` both read this list, so the listing `render` writes is exactly
 * what `pulumi up` sets.
 */
export function secretPlacements(github: GithubSpec): SecretPlacement[] {
    return cachixSecrets(github).flatMap((s) => placementsOf(github, s.name).map((p) => ({ ...p, holds: s.holds })));
}

/** Where a secret called `name` goes: the places the `github.secret` section says. */
export function placementsOf(github: GithubSpec, name: string): SecretPlacement[] {
    const { repositories } = github;
    const secret = { ...github.secret, name };
    switch (secret.scope) {
        case "repository":
            return repositories.map((r) => ({ scope: "repository", name: secret.name, repository: r.name }));
        case "organization":
            return [
                {
                    scope: "organization",
                    name: secret.name,
                    visibility: secret.visibility,
                    repositories: secret.visibility === "selected" ? repositories.map((r) => r.name) : [],
                },
            ];
        case "environment":
            return repositories.map((r) => ({
                scope: "environment",
                name: secret.name,
                repository: r.name,
                // The config reader requires an environment name for this scope.
                environment: secret.environment ?? "",
            }));
    }
}
