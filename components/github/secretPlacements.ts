import { GithubSpec } from "../config/model";

/** One Actions secret the stack sets, described without its value. */
export type SecretPlacement =
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
      };

/**
 * Where the Cachix credential is stored: one entry per secret resource the stack creates.
 * The component and `render` both read this list, so the listing `render` writes is exactly
 * what `pulumi up` sets.
 */
export function secretPlacements(github: GithubSpec): SecretPlacement[] {
    const { secret, repositories } = github;
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
