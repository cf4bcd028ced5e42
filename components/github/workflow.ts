import { Document, isScalar, visit } from "yaml";
import { GithubRepositorySpec, GithubSpec } from "../config/model";
import { resolveAction } from "./actionRefs";
import { workflowBranch } from "../config/workflowBranch";
import { workflowExpression } from "./pushGate";
import { BUILD_JOB_ID, workflowJobs } from "./workflowJobs";
import type { WorkflowModel } from "./workflowTypes";

export type { WorkflowModel };
export { BUILD_JOB_ID };

/** The first lines of every rendered workflow: who owns the file and where to change it. */
export const WORKFLOW_HEADER = [
    " Managed by nix-cache: `pulumi up` writes over any change made to this file.",
    " To change it, edit the stack's `github` configuration and run `pulumi up` (or `render` to preview).",
].join("\n");

/**
 * Renders the workflow file of one repository: it builds the configured flake attributes,
 * pulls from and pushes to the cache through cachix-action, and checks that the outputs
 * reached the cache. A pure function of the model: `render` and `pulumi up` write the same text,
 * and it never contains a secret's value, only `secrets.NAME` references.
 */
export function renderWorkflow(model: WorkflowModel, repo: GithubRepositorySpec): string {
    const doc = new Document(workflowObject(model, repo));
    doc.commentBefore = WORKFLOW_HEADER;
    annotate(doc, model.github);
    // `pull_request:` with no filters renders as an empty value, as GitHub's examples write it.
    return doc.toString({ nullStr: "", lineWidth: 0 });
}

function workflowObject(model: WorkflowModel, repo: GithubRepositorySpec): Record<string, unknown> {
    const workflow = model.github.workflow;
    return {
        name: workflow.name,
        on: triggers(model.github, repo),
        // Least privilege: the job only reads the repository; the cache credential is a secret.
        permissions: { contents: "read" },
        ...(workflow.concurrency
            ? {
                  concurrency: {
                      group: `${workflowExpression("github.workflow")}-${workflowExpression("github.ref")}`,
                      // Superseded pull-request runs are cancelled; runs that fill the cache finish.
                      "cancel-in-progress": workflowExpression("github.event_name == 'pull_request'"),
                  },
              }
            : {}),
        // An explicit shell runs scripts with `-eo pipefail`.
        defaults: { run: { shell: "bash" } },
        jobs: workflowJobs(model, repo),
    };
}

function triggers(github: GithubSpec, repo: GithubRepositorySpec): Record<string, unknown> {
    const workflow = github.workflow;
    return {
        push: { branches: [workflowBranch(repo)] },
        ...(workflow.pullRequests ? { pull_request: null } : {}),
        ...(workflow.schedule === undefined ? {} : { schedule: [{ cron: workflow.schedule }] }),
        ...(workflow.workflowDispatch ? { workflow_dispatch: null } : {}),
    };
}

/**
 * Writes the version a pinned commit is as a comment after its `uses:` value (for readers and
 * update tools), and quotes cron strings as GitHub's documentation does.
 */
function annotate(doc: Document, github: GithubSpec): void {
    const actions = github.workflow.actions;
    const comments = new Map<string, string>();
    for (const reference of [actions.checkout, actions.installNix, actions.cachix, actions.awsCredentials]) {
        const resolved = resolveAction(reference, actions);
        if (resolved.comment !== undefined) {
            comments.set(resolved.uses, ` ${resolved.comment}`);
        }
    }
    visit(doc, {
        Pair(_, pair) {
            if (!isScalar(pair.key) || !isScalar(pair.value)) {
                return;
            }
            if (pair.key.value === "uses") {
                const comment = comments.get(String(pair.value.value));
                if (comment !== undefined) {
                    pair.value.comment = comment;
                }
            } else if (pair.key.value === "cron") {
                pair.value.type = "QUOTE_DOUBLE";
            }
        },
    });
}
