import { workflowBranch } from "../config/workflowBranch";
import { OidcSubjectClaim } from "../args/enums";
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
          /**
           * The exact OIDC subjects allowed to assume it, one or more per repository, as `render`
           * writes them: a repository without `branch` taken to be on `main`. Apply trusts the
           * branches its workflows are committed to ({@link githubOidcSubjects} with them).
           */
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
    return { kind: "oidc", principalName, subjects: githubOidcSubjects(github, mirror.oidcSubjectClaims), existingProviderArn: mirror.oidcProviderArn };
}

/**
 * The repositories whose role subjects name a branch that the stack file leaves unset, so it
 * must come from GitHub (each one's default branch): none when every repository sets `branch`,
 * or when no claim carries the branch (an environment's `context`, `repo` or `workflow` alone).
 */
export function repositoriesNeedingBranch(github: GithubSpec, claims: readonly OidcSubjectClaim[] = ["repo", "context"]): string[] {
    const namesBranch = claims.includes("ref") || claims.includes("job_workflow_ref") || (claims.includes("context") && github.secret.scope !== "environment");
    return namesBranch ? github.repositories.filter((repo) => repo.branch === undefined).map((repo) => repo.name) : [];
}

/**
 * The `sub` claims of the build jobs that may push, one per repository, on the branch each
 * workflow is committed to: the configured one, else `branches[name]` (its default branch, from
 * GitHub), else `main` (`render`, which cannot ask GitHub). GitHub's default
 * template (`claims` undefined) is `repo:OWNER/REPO:ref:refs/heads/BRANCH`, or
 * `repo:OWNER/REPO:environment:NAME` when the job runs in a GitHub environment (GitHub then puts
 * the environment, not the branch, in `sub`; the environment's deployment-branch rule restricts
 * the branch). With `claims`, the subject GitHub writes for that template: each claim as
 * `KEY:VALUE`, `context` as its value alone, in the given order; `job_workflow_ref` binds it to
 * the stack's workflow file on the branch. Never a pattern.
 */
export function githubOidcSubjects(
    github: GithubSpec,
    claims: readonly OidcSubjectClaim[] = ["repo", "context"],
    branches: Readonly<Record<string, string>> = {},
): string[] {
    const subjects = github.repositories.map((repo) => {
        const branch = workflowBranch(repo, branches[repo.name]);
        const context = github.secret.scope === "environment" ? `environment:${github.secret.environment ?? ""}` : `ref:refs/heads/${branch}`;
        const values: Record<OidcSubjectClaim, string> = {
            repo: `${github.owner}/${repo.name}`,
            context,
            job_workflow_ref: `${github.owner}/${repo.name}/${github.workflow.path}@refs/heads/${branch}`,
            ref: `refs/heads/${branch}`,
            repository_owner: github.owner,
            workflow: github.workflow.name,
        };
        return claims.map((claim) => (claim === "context" ? context : `${claim}:${values[claim]}`)).join(":");
    });
    return [...new Set(subjects)];
}

/** A repository's OIDC subject template, as `github.ActionsRepositoryOidcSubjectClaimCustomizationTemplate` takes it. */
export interface OidcSubjectTemplate {
    /** The repository's name. */
    readonly repository: string;
    /** The claims of `sub`, in order. */
    readonly includeClaimKeys: readonly OidcSubjectClaim[];
}

/**
 * The subject templates the stack sets so GitHub mints the subjects the role trusts: one per
 * repository when `oidcSubjectClaims` is set and CI uses OIDC; none otherwise (GitHub's
 * default, or the organisation's own template, stays).
 */
export function mirrorSubjectTemplates(mirror: MirrorSpec, github: GithubSpec | undefined): OidcSubjectTemplate[] {
    const claims = mirror.oidcSubjectClaims;
    if (github === undefined || claims === undefined || mirrorCiAccess(mirror, github).kind !== "oidc") {
        return [];
    }
    return [...new Set(github.repositories.map((r) => r.name))].map((repository) => ({ repository, includeClaimKeys: claims }));
}
