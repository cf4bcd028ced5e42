import { Document, isScalar, visit } from "yaml";
import { GithubRepositorySpec, GithubSpec } from "../config/model";
import { needsIdToken } from "./mirrorSteps";
import { resolveAction } from "./actionRefs";
import { PUSH_GATE_ENV, PUSH_GATE_EXPRESSION, workflowExpression } from "./pushGate";
import { WorkflowModel } from "./workflowModel";
import { buildSteps } from "./workflowSteps";

export type { WorkflowModel };

/** The id of the build job. */
export const BUILD_JOB_ID = "build";

/** The first lines of every rendered workflow: who owns the file and where to change it. */
export const WORKFLOW_HEADER = [
    " Managed by nix-cache: `pulumi up` overwrites any change made to this file.",
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
        jobs: { [BUILD_JOB_ID]: buildJob(model, repo) },
    };
}

function triggers(github: GithubSpec, repo: GithubRepositorySpec): Record<string, unknown> {
    const workflow = github.workflow;
    return {
        push: { branches: [repo.branch] },
        ...(workflow.pullRequests ? { pull_request: null } : {}),
        ...(workflow.schedule === undefined ? {} : { schedule: [{ cron: workflow.schedule }] }),
        ...(workflow.workflowDispatch ? { workflow_dispatch: null } : {}),
    };
}

function buildJob(model: WorkflowModel, repo: GithubRepositorySpec): Record<string, unknown> {
    const { github } = model;
    const matrix = repo.targets.length > 0;
    return {
        name: matrix ? `Build ${workflowExpression("matrix.target")}` : "Build",
        "runs-on": github.workflow.runsOn,
        // Only this job may ask GitHub for an OIDC token, to assume the mirror's write role.
        ...(needsIdToken(model) ? { permissions: { contents: "read", "id-token": "write" } } : {}),
        // Environment secrets are only visible to a job that runs in the environment.
        ...(github.secret.scope === "environment" ? { environment: github.secret.environment } : {}),
        ...(matrix ? { strategy: { "fail-fast": false, matrix: { target: [...repo.targets] } } } : {}),
        env: { [PUSH_GATE_ENV]: workflowExpression(PUSH_GATE_EXPRESSION) },
        steps: buildSteps(model, matrix ? workflowExpression("matrix.target") : undefined),
    };
}

/**
 * Writes the tag a pinned SHA replaces as a comment after its `uses:` value (for readers and
 * update tools), and quotes cron strings as GitHub's documentation does.
 */
function annotate(doc: Document, github: GithubSpec): void {
    const actions = github.workflow.actions;
    const comments = new Map<string, string>();
    for (const reference of [actions.checkout, actions.installNix, actions.cachix, actions.awsCredentials]) {
        const resolved = resolveAction(reference, actions);
        if (resolved.pinnedFrom !== undefined) {
            comments.set(resolved.uses, ` ${resolved.pinnedFrom}`);
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
