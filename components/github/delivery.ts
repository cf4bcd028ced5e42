import { createHash } from "crypto";
import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { WorkflowSpec } from "../config/model";

/** The resources that put one repository's workflow in place. */
export interface WorkflowDelivery {
    /** The file resource (on the target branch, or on the delivery branch). */
    readonly file: github.RepositoryFile;
    /** `pullRequest` delivery: the stack's branch the file is committed to. */
    readonly branch?: github.Branch;
    /** `pullRequest` delivery: the pull request into the target branch. */
    readonly pullRequest?: github.RepositoryPullRequest;
}

/** The body of the pull request the stack opens. */
export const PULL_REQUEST_BODY = [
    "This pull request is opened by nix-cache: it updates the workflow that builds this repository's",
    "flake and pushes to the cache. The file is generated from the stack's `github` configuration;",
    "change that configuration rather than this branch. Merging is up to the repository's rules.",
].join(" ");

/**
 * Commits the workflow: directly to `target` (`delivery: commit`), or, for branches that only
 * take changes through pull requests (`delivery: pullRequest`), to the stack's own branch
 * (`deliveryBranch`, made from `target`) with a pull request into `target`.
 *
 * Each content change replaces the branch, the file on it and the pull request (deleted
 * first): the branch starts again from the target's tip, so the new pull request shows only
 * the workflow change, and the previous one, merged or not, is closed rather than reused.
 */
export function deliverWorkflow(
    prefix: string,
    repository: string,
    target: pulumi.Output<string>,
    content: pulumi.Output<string>,
    workflow: WorkflowSpec,
    opts: pulumi.CustomResourceOptions,
): WorkflowDelivery {
    const fileArgs = {
        repository,
        file: workflow.path,
        content,
        commitMessage: workflow.commitMessage,
        commitAuthor: workflow.commitAuthor,
        commitEmail: workflow.commitEmail,
        // The stack owns the file: an existing hand-written workflow is replaced.
        overwriteOnCreate: true,
    };
    if (workflow.delivery === "commit") {
        return { file: new github.RepositoryFile(`${prefix}-workflow`, { ...fileArgs, branch: target }, opts) };
    }
    const revision = content.apply((text) => createHash("sha256").update(text).digest("hex"));
    const branch = new github.Branch(
        `${prefix}-delivery-branch`,
        { repository, branch: workflow.deliveryBranch, sourceBranch: target },
        { ...opts, deleteBeforeReplace: true, replacementTrigger: revision },
    );
    const file = new github.RepositoryFile(
        `${prefix}-workflow`,
        { ...fileArgs, branch: branch.branch },
        { ...opts, deleteBeforeReplace: true, replaceWith: [branch] },
    );
    const pullRequest = new github.RepositoryPullRequest(
        `${prefix}-pull-request`,
        {
            baseRepository: repository,
            baseRef: target,
            headRef: branch.branch,
            title: workflow.commitMessage.split("\n")[0],
            body: PULL_REQUEST_BODY,
            maintainerCanModify: false,
        },
        { ...opts, deleteBeforeReplace: true, replaceWith: [file], dependsOn: [file] },
    );
    return { file, branch, pullRequest };
}
