import { GithubRepositorySpec } from "./model";

/** The branch assumed for a repository whose `branch` is unset when GitHub cannot be asked (`render`). */
export const ASSUMED_DEFAULT_BRANCH = "main";

/** The branch a repository's workflow is committed to and pushed from: the configured one, else `defaultBranch`. */
export function workflowBranch(repo: GithubRepositorySpec, defaultBranch: string = ASSUMED_DEFAULT_BRANCH): string {
    return repo.branch ?? defaultBranch;
}
