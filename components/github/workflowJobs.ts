import { DEFAULT_RUNNERS } from "../config/githubWorkflowFields";
import { GithubRepositorySpec, GithubSpec } from "../config/model";
import { mirrorSteps, needsIdToken } from "./mirrorSteps";
import { PUSH_GATE_ENV, PUSH_GATE_EXPRESSION, workflowExpression } from "./pushGate";
import { BUILD_STEP_ID, buildStep, flakeCheckStep, OUTPUTS_FILE, pushSteps, setupSteps, summaryStep } from "./workflowSteps";
import type { WorkflowModel } from "./workflowTypes";

/** The id of the job that builds (and, without an environment, pushes). */
export const BUILD_JOB_ID = "build";
/** The id of the job that pushes and signs in the environment (environment-scoped secrets). */
export const PUSH_JOB_ID = "push";
/** The id of the `nix flake check` job. */
export const CHECK_JOB_ID = "check";

/** When the environment's push job runs: never for pull requests, which build without it. */
export const PUSH_JOB_CONDITION = "github.event_name != 'pull_request'";

/** One build of the matrix: the system, its runner and the flake attribute. */
export interface BuildEntry {
    readonly system: string;
    readonly runner: string;
    readonly target: string;
}

/** Where and what a job builds: its runner, its matrix, and the expression of the attribute. */
interface JobShape {
    readonly name: string;
    readonly runsOn: string;
    readonly strategy?: Record<string, unknown>;
    readonly target?: string;
}

/**
 * The builds of a repository with `workflow.systems`: per system its runner (the configured
 * one, or GitHub's for x86_64-linux, aarch64-linux and aarch64-darwin) and its targets
 * (`targetsBySystem`, else `targets`, else the flake's `default` package).
 */
export function buildEntries(github: GithubSpec, repo: GithubRepositorySpec): BuildEntry[] {
    return (github.workflow.systems ?? []).flatMap(({ system, runsOn }) => {
        const runner = runsOn ?? DEFAULT_RUNNERS[system];
        const targets = repo.targetsBySystem?.[system] ?? repo.targets;
        return (targets.length === 0 ? ["default"] : targets).map((target) => ({ system, runner, target }));
    });
}

function buildShape(github: GithubSpec, repo: GithubRepositorySpec, verb: string): JobShape {
    const target = workflowExpression("matrix.target");
    if (github.workflow.systems !== undefined) {
        return {
            name: `${verb} ${target} (${workflowExpression("matrix.system")})`,
            runsOn: workflowExpression("matrix.runner"),
            strategy: { "fail-fast": false, matrix: { include: buildEntries(github, repo) } },
            target,
        };
    }
    return repo.targets.length > 0
        ? { name: `${verb} ${target}`, runsOn: github.workflow.runsOn, strategy: { "fail-fast": false, matrix: { target: [...repo.targets] } }, target }
        : { name: verb, runsOn: github.workflow.runsOn };
}

/**
 * The jobs of a repository's workflow. Without environment-scoped secrets one job builds and
 * pushes. With them, the build job runs without the environment (so pull requests are never
 * held by its protection rules), and a push job runs in the environment after it, on the runs
 * that fill the cache, building again (from the cache and substituters where it can) and
 * pushing, verifying and signing there.
 */
export function workflowJobs(model: WorkflowModel, repo: GithubRepositorySpec): Record<string, unknown> {
    const { github } = model;
    const timeout: Record<string, number> = github.workflow.timeoutMinutes === undefined ? {} : { "timeout-minutes": github.workflow.timeoutMinutes };
    const gate = { env: { [PUSH_GATE_ENV]: workflowExpression(PUSH_GATE_EXPRESSION) } };
    // Only the pushing job may ask GitHub for an OIDC token, to assume the mirror's write role.
    const idToken = needsIdToken(model) ? { permissions: { contents: "read", "id-token": "write" } } : {};
    const pushing = (shape: JobShape) => [
        ...setupSteps(model, true),
        buildStep(shape.target),
        ...pushSteps(model),
        ...mirrorSteps(model, OUTPUTS_FILE, BUILD_STEP_ID),
        summaryStep(model, shape.name),
    ];
    const jobs: Record<string, unknown> = {};
    const build = buildShape(github, repo, "Build");
    const strategy = build.strategy === undefined ? {} : { strategy: build.strategy };
    if (github.secret.scope === "environment") {
        jobs[BUILD_JOB_ID] = { name: build.name, "runs-on": build.runsOn, ...timeout, ...strategy, steps: [...setupSteps(model, false), buildStep(build.target)] };
        const push = buildShape(github, repo, "Push");
        jobs[PUSH_JOB_ID] = {
            name: push.name,
            needs: BUILD_JOB_ID,
            if: PUSH_JOB_CONDITION,
            "runs-on": push.runsOn,
            // Environment secrets are only visible to a job that runs in the environment.
            environment: github.secret.environment,
            ...idToken,
            ...timeout,
            ...strategy,
            ...gate,
            steps: pushing(push),
        };
    } else {
        jobs[BUILD_JOB_ID] = { name: build.name, "runs-on": build.runsOn, ...idToken, ...timeout, ...strategy, ...gate, steps: pushing(build) };
    }
    if (github.workflow.flakeCheck) {
        jobs[CHECK_JOB_ID] = checkJob(model, timeout);
    }
    return jobs;
}

/** `nix flake check` once per system, pulling from the cache as the build does. */
function checkJob(model: WorkflowModel, timeout: Record<string, number>): Record<string, unknown> {
    const { github } = model;
    const credentials = github.secret.scope !== "environment";
    const systems = github.workflow.systems;
    const shape = systems === undefined
        ? { name: "Check", "runs-on": github.workflow.runsOn }
        : {
              name: `Check (${workflowExpression("matrix.system")})`,
              "runs-on": workflowExpression("matrix.runner"),
              strategy: { "fail-fast": false, matrix: { include: systems.map(({ system, runsOn }) => ({ system, runner: runsOn ?? DEFAULT_RUNNERS[system] })) } },
          };
    return {
        ...shape,
        ...timeout,
        ...(credentials ? { env: { [PUSH_GATE_ENV]: workflowExpression(PUSH_GATE_EXPRESSION) } } : {}),
        steps: [...setupSteps(model, credentials), flakeCheckStep()],
    };
}
