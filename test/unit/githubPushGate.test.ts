import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { PUSH_GATE_ENV } from "../../components/github/pushGate";
import { renderWorkflow } from "../../components/github/workflow";
import { data } from "@actions/expressions";
import { bool, evaluate } from "../support/expressions";
import { ATPROTO_GITHUB, githubModel } from "../support/githubModels";

/**
 * The push gate, evaluated by GitHub's own expression engine (`@actions/expressions`) against
 * the contexts each kind of run gets, taken from the rendered workflow rather than from the
 * constant, so what is tested is what GitHub would read.
 */

interface Step {
    name: string;
    if?: string;
    with?: Record<string, string>;
}
interface RenderedWorkflow {
    jobs: { build: { env: Record<string, string>; steps: Step[] } };
}

const REPOSITORY = "atproto-nix/nur";
const model = githubModel(ATPROTO_GITHUB);
const workflow = parse(renderWorkflow(model, model.github.repositories[0])) as RenderedWorkflow;
const job = workflow.jobs.build;


/** What GitHub stores in `env` for a boolean expression result: its string form. */
function asEnvString(value: data.ExpressionData): string {
    bool(value);
    return value.coerceString();
}

function pullRequest(headRepository: string | null, actor = "alice") {
    return {
        event_name: "pull_request",
        repository: REPOSITORY,
        actor,
        event: { pull_request: { number: 7, head: { ref: "feature", repo: headRepository === null ? null : { full_name: headRepository } } } },
    };
}

const CASES = [
    { name: "push to the branch", github: { event_name: "push", repository: REPOSITORY, actor: "alice", event: { ref: "refs/heads/main" } }, pushes: true },
    { name: "nightly schedule", github: { event_name: "schedule", repository: REPOSITORY, actor: "alice", event: { schedule: "51 2 * * *" } }, pushes: true },
    { name: "manual run", github: { event_name: "workflow_dispatch", repository: REPOSITORY, actor: "alice", event: { inputs: {} } }, pushes: true },
    { name: "same-repository pull request", github: pullRequest(REPOSITORY), pushes: true },
    { name: "same-repository pull request, other letter case", github: pullRequest("Atproto-Nix/NUR"), pushes: true },
    { name: "fork pull request", github: pullRequest("mallory/nur"), pushes: false },
    { name: "fork pull request whose fork was deleted", github: pullRequest(null), pushes: false },
    { name: "Dependabot pull request (no Actions secrets)", github: pullRequest(REPOSITORY, "dependabot[bot]"), pushes: false },
] as const;

describe("the push gate, evaluated with @actions/expressions", () => {
    const gate = job.env[PUSH_GATE_ENV];
    const push = job.steps.find((s) => s.name === "Push build outputs to Cachix")!;
    const verify = job.steps.find((s) => s.name === "Verify build outputs are in the cache")!;
    const cachix = job.steps.find((s) => s.name === "Set up Cachix")!;

    it.each(CASES.map((c) => [c.name, c] as const))("%s", (_, run) => {
        const result = evaluate(gate, { github: run.github });
        expect(bool(result)).toBe(run.pushes);
        // The steps read the gate back from env, as a string.
        const env = { [PUSH_GATE_ENV]: asEnvString(result) };
        expect(bool(evaluate(push.if!, { github: run.github, env }))).toBe(run.pushes);
        expect(bool(evaluate(verify.if!, { github: run.github, env }))).toBe(run.pushes);
        // cachix-action reads `skipPush` as the string "true"/"false".
        expect(evaluate(cachix.with!.skipPush, { github: run.github, env }).coerceString()).toBe(String(!run.pushes));
    });

    it("the three cases of the issue: push pushes, same-repository pull request pushes, fork pull request does not", () => {
        const results = [CASES[0], CASES[3], CASES[5]].map((c) => bool(evaluate(gate, { github: c.github })));
        expect(results).toEqual([true, true, false]);
    });

    it("avoids the known trap: a head-repository comparison alone is true on push events too", () => {
        const naive = "github.event.pull_request.head.repo.full_name != github.repository";
        expect(bool(evaluate(naive, { github: CASES[0].github }))).toBe(true);
        expect(bool(evaluate(gate, { github: CASES[0].github }))).toBe(true);
        // The naive "is a fork" test would have skipped pushing on every push event.
    });
});
