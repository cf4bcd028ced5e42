import { workflowBranch } from "../github/defaultBranch";
import { GithubSpec, MirrorSpec } from "../config/model";
import { ciPrincipalName } from "./awsNames";

/** How CI gets write access to the mirror, decided once from the config. */
export type MirrorCiAccess =
    | {
          /** No IAM resources: there is no CI to grant, or the bucket is not on AWS. */
          readonly kind: "none";
          /** Why, for docs and messages. */
          readonly reason: string;
      }
    | {
          /** GitHub OIDC: CI assumes an IAM role with a short-lived token, no stored AWS key. */
          readonly kind: "oidc";
          /** The role's name. */
          readonly principalName: string;
          /** The exact OIDC subjects allowed to assume it, one or more per repository. */
          readonly subjects: readonly string[];
          /** An existing OIDC provider to trust; one is created when undefined. */
          readonly existingProviderArn?: string;
      }
    | {
          /** Opt-in: an IAM user whose long-lived access key is stored as GitHub secrets. */
          readonly kind: "accessKeys";
          /** The user's name. */
          readonly principalName: string;
      };

/**
 * Decides CI's write access to the mirror. Nothing is granted without a `github` section, nor
 * for a custom endpoint: S3-compatible servers have their own access management, not AWS IAM.
 */
export function mirrorCiAccess(mirror: MirrorSpec, github: GithubSpec | undefined): MirrorCiAccess {
    if (github === undefined || github.repositories.length === 0) {
        return { kind: "none", reason: "the stack has no github section, so no CI pushes to the mirror" };
    }
    if (mirror.endpoint !== undefined) {
        return { kind: "none", reason: "a custom endpoint is not AWS: give CI a key of that server by hand" };
    }
    const principalName = ciPrincipalName(mirror);
    if (mirror.ciCredentials === "accessKeys") {
        return { kind: "accessKeys", principalName };
    }
    return { kind: "oidc", principalName, subjects: githubOidcSubjects(github), existingProviderArn: mirror.oidcProviderArn };
}

/**
 * The `sub` claims of the build jobs that may push, one per repository:
 * `repo:OWNER/REPO:ref:refs/heads/BRANCH`, or `repo:OWNER/REPO:environment:NAME` when the job
 * runs in a GitHub environment (GitHub then puts the environment, not the branch, in `sub`; the
 * environment's deployment-branch rule restricts the branch). Never a pattern.
 */
export function githubOidcSubjects(github: GithubSpec): string[] {
    const subjects = github.repositories.map((repo) => {
        const prefix = `repo:${github.owner}/${repo.name}`;
        return github.secret.scope === "environment"
            ? `${prefix}:environment:${github.secret.environment ?? ""}`
            : `${prefix}:ref:refs/heads/${workflowBranch(repo)}`;
    });
    return [...new Set(subjects)];
}
