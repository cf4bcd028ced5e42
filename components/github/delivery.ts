import { createHash } from "crypto";
import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { WorkflowSpec } from "../config/model";
import { fileOwnership } from "./fileOwnership";
import { readRemoteFile } from "./remoteFile";

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
 *
 * Either way the file is only ever written by a create (see {@link OWNED_FILE_OPTIONS}); a
 * directly committed file is read first, so a run writes over an outside change of it.
 */
export function deliverWorkflow(
    prefix: string,
    owner: string,
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
        commitAuthor: workflow.commitAuthor,
        commitEmail: workflow.commitEmail,
        // The stack owns the file: a create writes over whatever is there, with its current SHA.
        overwriteOnCreate: true,
    };
    if (workflow.delivery === "commit") {
        const commitMessage = ownedCommitMessage(owner, repository, target, content, workflow, opts);
        return { file: new github.RepositoryFile(`${prefix}-workflow`, { ...fileArgs, branch: target, commitMessage }, { ...opts, ...OWNED_FILE_OPTIONS }) };
    }
    const revision = content.apply((text) => createHash("sha256").update(text).digest("hex"));
    const branch = new github.Branch(
        `${prefix}-delivery-branch`,
        { repository, branch: workflow.deliveryBranch, sourceBranch: target },
        { ...opts, deleteBeforeReplace: true, replacementTrigger: revision },
    );
    const file = new github.RepositoryFile(
        `${prefix}-workflow`,
        { ...fileArgs, branch: branch.branch, commitMessage: workflow.commitMessage },
        {
            ...opts,
            ...OWNED_FILE_OPTIONS,
            replaceWith: [branch],
            // Deleting the branch takes the file with it; deleting the file first would send a possibly stale SHA.
            deletedWith: branch,
        },
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

/**
 * Every change of the file is a create, which reads the file's current SHA (the provider's
 * update would send the SHA from state and get 409 after an outside commit), and the replaced
 * instance is forgotten rather than deleted: deleting it would send that stale SHA, or delete
 * the file just written. Forgotten first: an instance recorded before these options has no
 * `retainOnDelete` in the state, and its real delete must come before the create, not after.
 */
const OWNED_FILE_OPTIONS: pulumi.CustomResourceOptions = { replaceOnChanges: ["*"], retainOnDelete: true, deleteBeforeReplace: true };

/**
 * Reads the file on `branch` before writing and decides the commit message (see
 * {@link fileOwnership}); warns when an outside commit is written over, so the preview says why
 * the file is replaced. A missing file's message names the branch's head at that time.
 */
function ownedCommitMessage(
    owner: string,
    repository: string,
    branch: pulumi.Output<string>,
    content: pulumi.Output<string>,
    workflow: WorkflowSpec,
    opts: pulumi.CustomResourceOptions,
): pulumi.Output<string> {
    const invokeOpts = { parent: opts.parent, provider: opts.provider };
    return pulumi.all([branch, content]).apply(async ([branchName, rendered]) => {
        const file = await readRemoteFile(owner, repository, branchName, workflow.path, invokeOpts);
        const head = file === undefined ? ((await github.getBranch({ repository, branch: branchName }, invokeOpts)).sha ?? "") : "";
        const decision = fileOwnership(file, rendered, workflow.commitMessage, head);
        if (decision.state === "changedOutside" && file !== undefined) {
            void pulumi.log.warn(`${repository}:${workflow.path} on ${branchName}: commit ${file.commitSha} changed the file outside the stack; this run writes over it`, opts.parent);
        }
        return decision.commitMessage;
    });
}
