import type * as Github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { WorkflowSpec } from "../config/model";
import { fileOwnership } from "./fileOwnership";
import { WorkflowTarget } from "./remoteFile";
import { github } from "./githubPackage";

/** The resources that put one repository's workflow in place. */
export interface WorkflowDelivery {
    /** `commit` delivery: the file on the target branch. */
    readonly file?: Github.RepositoryFile;
    /**
     * `pullRequest` delivery: the file on the stack's branch and the pull request, while the
     * target branch does not hold the rendered workflow (none once it does).
     */
    readonly proposal?: pulumi.Output<WorkflowProposal | undefined>;
}

/** A proposed change of the workflow: the file on the stack's branch and the pull request. */
export interface WorkflowProposal {
    readonly file: Github.RepositoryFile;
    readonly pullRequest: Github.RepositoryPullRequest;
}

/** The body of the pull request the stack opens. */
export const PULL_REQUEST_BODY = [
    "This pull request is opened by nix-cache: it updates the workflow that builds this repository's",
    "flake and pushes to the cache. The file is generated from the stack's `github` configuration;",
    "change that configuration rather than this branch. Merging is up to the repository's rules.",
].join(" ");

/**
 * Whether `pullRequest` delivery has something to propose: the target branch does not hold the
 * rendered workflow (`undefined`: no file there).
 */
export function proposalNeeded(onTarget: string | undefined, rendered: string): boolean {
    return onTarget !== rendered;
}

/**
 * Commits the workflow: directly to `target` (`delivery: commit`), or, for branches that only
 * take changes through pull requests (`delivery: pullRequest`), to the stack's own branch
 * (`deliveryBranch`) with a pull request into `target`.
 *
 * `target` is the file as read on the target branch this run (see `readWorkflowTarget`;
 * a directly committed file with its last commit). A pull request is declared only while the
 * target does not hold the rendered workflow. After it is merged the file and the pull request leave the
 * program; both are `retainOnDelete`, so they are forgotten without a call: GitHub may have
 * deleted the merged head branch (a delete would get 422 "Reference does not exist"), and the
 * provider's close trusts the `open` state it stored at creation. A later change declares them
 * anew: the file's create makes the branch from the target if it is gone (`autocreateBranch`),
 * or commits on it, and a new pull request is opened. A change while the pull request is open
 * commits on its branch; the pull request stays.
 *
 * Either way the file is only ever written by a create (see {@link OWNED_FILE_OPTIONS}); a
 * directly committed file is read first, so a run writes over an outside change of it.
 */
export function deliverWorkflow(
    prefix: string,
    repository: string,
    target: pulumi.Output<WorkflowTarget>,
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
        const commitMessage = ownedCommitMessage(repository, target, content, workflow, opts);
        return { file: new github.RepositoryFile(`${prefix}-workflow`, { ...fileArgs, branch: target.branch, commitMessage }, { ...opts, ...OWNED_FILE_OPTIONS }) };
    }
    const proposal = pulumi.all([target, content]).apply(([onTarget, rendered]) => {
        if (!proposalNeeded(onTarget.file?.content, rendered)) {
            return undefined;
        }
        const targetBranch = onTarget.branch;
        const file = new github.RepositoryFile(
            `${prefix}-workflow`,
            {
                ...fileArgs,
                branch: workflow.deliveryBranch,
                commitMessage: workflow.commitMessage,
                autocreateBranch: true,
                autocreateBranchSourceBranch: targetBranch,
            },
            { ...opts, ...OWNED_FILE_OPTIONS },
        );
        const pullRequest = new github.RepositoryPullRequest(
            `${prefix}-pull-request`,
            {
                baseRepository: repository,
                baseRef: targetBranch,
                headRef: workflow.deliveryBranch,
                title: workflow.commitMessage.split("\n")[0],
                body: PULL_REQUEST_BODY,
                maintainerCanModify: false,
            },
            { ...opts, retainOnDelete: true, dependsOn: [file] },
        );
        return { file, pullRequest };
    });
    return { proposal };
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
 * Decides the commit message from the file as read before writing (see {@link fileOwnership});
 * warns when an outside commit is written over, so the preview says why the file is replaced.
 * A missing file's message names the branch's head at that time (one more request).
 */
function ownedCommitMessage(
    repository: string,
    target: pulumi.Output<WorkflowTarget>,
    content: pulumi.Output<string>,
    workflow: WorkflowSpec,
    opts: pulumi.CustomResourceOptions,
): pulumi.Output<string> {
    const invokeOpts = { parent: opts.parent, provider: opts.provider };
    return pulumi.all([target, content]).apply(async ([{ branch: branchName, file }, rendered]) => {
        const head = file === undefined ? ((await github.getBranch({ repository, branch: branchName }, invokeOpts)).sha ?? "") : "";
        const decision = fileOwnership(file, rendered, workflow.commitMessage, head);
        if (decision.state === "changedOutside" && file !== undefined) {
            void pulumi.log.warn(`${repository}:${workflow.path} on ${branchName}: commit ${file.commitSha} changed the file outside the stack; this run writes over it`, opts.parent);
        }
        return decision.commitMessage;
    });
}
