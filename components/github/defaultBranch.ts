import { GithubRepositorySpec, WorkflowSpec } from "../config/model";

/**
 * What to tell the user about a configured branch that is not the repository's default one:
 * GitHub runs `schedule` and `workflow_dispatch` only from the default branch's copy of a
 * workflow, so the nightly rebuild (and manual runs) of a file committed elsewhere never happen.
 */
export function branchWarning(owner: string, repo: GithubRepositorySpec, defaultBranch: string, workflow: WorkflowSpec): string | undefined {
    if (repo.branch === undefined || repo.branch === defaultBranch) {
        return undefined;
    }
    const triggers = [workflow.schedule === undefined ? undefined : `the schedule "${workflow.schedule}"`, workflow.workflowDispatch ? "manual runs" : undefined].filter(
        (t) => t !== undefined,
    );
    if (triggers.length === 0) {
        return undefined;
    }
    return (
        `github.repositories ${owner}/${repo.name}: branch "${repo.branch}" is not the repository's default branch "${defaultBranch}"; ` +
        `GitHub runs ${triggers.join(" and ")} only from the default branch, so they will not run for this workflow. ` +
        `Remove branch to use the default branch, or set workflow.schedule: false.`
    );
}
