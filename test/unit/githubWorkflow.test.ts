import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { PUSH_GATE_ENV, PUSH_GATE_EXPRESSION } from "../../components/github/pushGate";
import { renderWorkflow, WORKFLOW_HEADER } from "../../components/github/workflow";
import { ATPROTO_GITHUB, CONFIG_SPACE, githubModel, NIX_COMMUNITY, PINS, PLAIN_CACHE, variantModel } from "../support/githubModels";

interface Step {
    name: string;
    id?: string;
    if?: string;
    uses?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
    run?: string;
}
interface Job {
    name: string;
    "runs-on": string;
    environment?: string;
    needs?: string;
    if?: string;
    permissions?: Record<string, string>;
    "timeout-minutes"?: number;
    strategy?: { "fail-fast": boolean; matrix: { target?: string[]; include?: Record<string, string>[] } };
    env: Record<string, string>;
    steps: Step[];
}
interface Workflow {
    name: string;
    on: Record<string, unknown>;
    permissions: Record<string, string>;
    concurrency?: Record<string, string>;
    defaults: { run: { shell: string } };
    jobs: Record<string, Job>;
}

const render = (github: Record<string, unknown>, extra: Record<string, unknown> = {}, repoIndex = 0) => {
    const model = githubModel(github, extra);
    return renderWorkflow(model, model.github.repositories[repoIndex]);
};
const parsed = (text: string) => parse(text) as Workflow;
const stepNamed = (workflow: Workflow, name: string) => workflow.jobs.build.steps.find((s) => s.name === name);
const cachixStep = (workflow: Workflow) => workflow.jobs.build.steps.find((s) => s.uses?.startsWith("cachix/cachix-action"))!;

describe("renderWorkflow: the guide's defaults", () => {
    const text = render(ATPROTO_GITHUB);
    const workflow = parsed(text);

    it("starts with a header saying the file is managed and where to change it", () => {
        expect(text.startsWith(`#${WORKFLOW_HEADER.split("\n")[0]}\n`)).toBe(true);
        expect(text).toMatch(/^# Managed by nix-cache/);
    });

    it("triggers on pushes to the branch, pull requests, nightly at 02:51 UTC and by hand", () => {
        expect(workflow.on).toEqual({ push: { branches: ["main"] }, pull_request: null, schedule: [{ cron: "51 2 * * *" }], workflow_dispatch: null });
        expect(text).toContain('- cron: "51 2 * * *"');
    });

    it("asks for read access only, and runs one build at a time per ref", () => {
        expect(workflow.permissions).toEqual({ contents: "read" });
        expect(workflow.concurrency).toEqual({
            group: "${{ github.workflow }}-${{ github.ref }}",
            "cancel-in-progress": "${{ github.event_name == 'pull_request' }}",
        });
        expect(workflow.defaults.run.shell).toBe("bash");
    });

    it("builds each target in its own matrix job, which does not cancel the others", () => {
        const job = workflow.jobs.build;
        expect(Object.keys(workflow.jobs)).toEqual(["build"]);
        expect(job.strategy).toEqual({ "fail-fast": false, matrix: { target: ["microcosm-all", "tangled-all"] } });
        expect(job["runs-on"]).toBe("ubuntu-latest");
        expect(stepNamed(workflow, "Build")).toEqual({
            name: "Build",
            id: "build",
            env: { TARGET: "${{ matrix.target }}" },
            run: expect.stringContaining('nix build -L --print-out-paths ".#$TARGET"'),
        });
    });

    it("checks out, installs Nix and sets up cachix-action with the cache name and the auth-token secret", () => {
        const steps = workflow.jobs.build.steps;
        // Current majors, pinned by default to the commits the project's table has for them.
        expect(steps.map((s) => s.uses).filter(Boolean)).toEqual([
            "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1",
            "cachix/install-nix-action@630ae543ea3a38a9a4166f03376c02c50f408342",
            "cachix/cachix-action@1eb2ef646ac0255473d23a5907ad7b04ce94065c",
        ]);
        expect(steps[0].with).toEqual({ "persist-credentials": false });
        expect(cachixStep(workflow).with).toEqual({
            name: "atproto",
            authToken: "${{ secrets.CACHIX_AUTH_TOKEN }}",
            skipPush: `\${{ env.${PUSH_GATE_ENV} != 'true' }}`,
        });
    });

    it("computes the push gate once, at job level", () => {
        expect(workflow.jobs.build.env).toEqual({ [PUSH_GATE_ENV]: `\${{ ${PUSH_GATE_EXPRESSION} }}` });
    });

    it("pushes the outputs, then verifies them at the cache URL, only when the job pushes", () => {
        const names = workflow.jobs.build.steps.map((s) => s.name);
        expect(names.slice(-4)).toEqual(["Build", "Push build outputs to Cachix", "Verify build outputs are in the cache", "Summarize cache coverage"]);
        const push = stepNamed(workflow, "Push build outputs to Cachix")!;
        const verify = stepNamed(workflow, "Verify build outputs are in the cache")!;
        expect(push.if).toBe(`env.${PUSH_GATE_ENV} == 'true'`);
        expect(verify.if).toBe(`env.${PUSH_GATE_ENV} == 'true'`);
        expect(push.env).toEqual({ CACHE_NAME: "atproto", CACHIX_AUTH_TOKEN: "${{ secrets.CACHIX_AUTH_TOKEN }}" });
        expect(push.run).toContain('cachix push "$CACHE_NAME" <');
        expect(push.run).toContain("::error::The CACHIX_AUTH_TOKEN secret is empty");
        expect(verify.env).toEqual({ CACHE_URL: "https://atproto.cachix.org" });
        expect(verify.run).toContain('nix path-info --store "$CACHE_URL" "$out"');
        expect(verify.run).toContain('exit "$missing"');
    });

    it("is deterministic", () => {
        expect(render(ATPROTO_GITHUB)).toBe(text);
    });
});

describe("renderWorkflow over the configuration space", () => {
    it.each(CONFIG_SPACE.map((v) => [v.name, v] as const))("%s: every script reads configured values from env, never from ${{ }}", (_, variant) => {
        const model = variantModel(variant);
        for (const repo of model.github.repositories) {
            const workflow = parsed(renderWorkflow(model, repo));
            for (const step of workflow.jobs.build.steps) {
                expect(step.run ?? "", step.name).not.toContain("${{");
            }
        }
    });

    it("org secrets need nothing in the workflow beyond the secret's name", () => {
        for (const visibility of ["all", "private", "selected"]) {
            const workflow = parsed(render({ ...ATPROTO_GITHUB, secret: { scope: "organization", visibility } }));
            expect(workflow.jobs.build.environment).toBeUndefined();
            expect(cachixStep(workflow).with?.authToken).toBe("${{ secrets.CACHIX_AUTH_TOKEN }}");
        }
    });

    it("environment secrets: pull requests build without the environment; pushing and signing run in it, after the build", () => {
        const workflow = parsed(render({ ...ATPROTO_GITHUB, secret: { scope: "environment", environment: "cachix" } }, { mirror: { bucket: "atproto-nix-cache", region: "eu-west-1" } }));
        const { build, push } = workflow.jobs;
        expect(build.environment).toBeUndefined();
        expect(build.needs).toBeUndefined();
        expect(build.permissions).toBeUndefined();
        expect(build.steps.map((s) => s.name)).toEqual(["Check out", "Install Nix", "Set up Cachix", "Build"]);
        // The build job cannot see the secrets: it pulls and never pushes.
        expect(build.steps[2].with).toEqual({ name: "atproto", skipPush: true });
        expect(JSON.stringify(build)).not.toContain("secrets.");

        expect(push).toMatchObject({ environment: "cachix", needs: "build", if: "github.event_name != 'pull_request'" });
        expect(push.permissions).toEqual({ contents: "read", "id-token": "write" });
        expect(push.strategy).toEqual(build.strategy);
        expect(push.steps.map((s) => s.name)).toEqual([
            "Check out",
            "Install Nix",
            "Set up Cachix",
            "Build",
            "Push build outputs to Cachix",
            "Verify build outputs are in the cache",
            "Configure AWS credentials for the mirror",
            "Copy build outputs to the mirror",
            "Summarize cache coverage",
        ]);
        expect(push.steps[2].with).toMatchObject({ authToken: "${{ secrets.CACHIX_AUTH_TOKEN }}" });
    });

    it("signing-key mode passes both the auth token (to push) and the signing key (to sign)", () => {
        const workflow = parsed(render({ ...ATPROTO_GITHUB, secret: { credential: "signingKey" } }));
        expect(cachixStep(workflow).with).toMatchObject({
            authToken: "${{ secrets.CACHIX_AUTH_TOKEN }}",
            signingKey: "${{ secrets.CACHIX_SIGNING_KEY }}",
        });
        const push = stepNamed(workflow, "Push build outputs to Cachix")!;
        expect(push.env).toEqual({
            CACHE_NAME: "atproto",
            CACHIX_AUTH_TOKEN: "${{ secrets.CACHIX_AUTH_TOKEN }}",
            CACHIX_SIGNING_KEY: "${{ secrets.CACHIX_SIGNING_KEY }}",
        });
        expect(push.run).toContain("The CACHIX_AUTH_TOKEN secret is empty");
        expect(push.run).toContain("The CACHIX_SIGNING_KEY secret is empty");
    });

    it("an overridden secret name is what the workflow reads, whatever variable the CLI wants", () => {
        const workflow = parsed(render({ ...ATPROTO_GITHUB, secret: { name: "NUR_CACHIX" } }));
        expect(cachixStep(workflow).with?.authToken).toBe("${{ secrets.NUR_CACHIX }}");
        expect(stepNamed(workflow, "Push build outputs to Cachix")!.env?.CACHIX_AUTH_TOKEN).toBe("${{ secrets.NUR_CACHIX }}");
    });

    it("pulls from the extra Cachix caches by name, and leaves out caches that are not Cachix", () => {
        const workflow = parsed(render(ATPROTO_GITHUB, { extraCaches: [NIX_COMMUNITY, PLAIN_CACHE] }));
        expect(cachixStep(workflow).with?.extraPullNames).toBe("nix-community");
        expect(cachixStep(parsed(render(ATPROTO_GITHUB))).with).not.toHaveProperty("extraPullNames");
    });

    it("without targets, builds the flake's default package in a single job", () => {
        const workflow = parsed(render({ ...ATPROTO_GITHUB, repositories: ["nur"] }));
        expect(workflow.jobs.build.strategy).toBeUndefined();
        expect(workflow.jobs.build.name).toBe("Build");
        expect(stepNamed(workflow, "Build")).toEqual({ name: "Build", id: "build", run: expect.stringContaining("nix build -L --print-out-paths . >") });
    });

    it("each repository gets its own branch and targets", () => {
        const github = { ...ATPROTO_GITHUB, repositories: [{ name: "nur", targets: ["a"] }, { name: "infra", branch: "trunk" }] };
        expect(parsed(render(github, {}, 0)).jobs.build.strategy?.matrix.target).toEqual(["a"]);
        const infra = parsed(render(github, {}, 1));
        expect(infra.on.push).toEqual({ branches: ["trunk"] });
        expect(infra.jobs.build.strategy).toBeUndefined();
    });

    it("writes each pinned commit with the exact version it is", () => {
        const text = render(ATPROTO_GITHUB);
        expect(text).toContain("uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1\n");
        expect(text).toContain("uses: cachix/install-nix-action@630ae543ea3a38a9a4166f03376c02c50f408342 # v31.11.0\n");
        expect(text).toContain("uses: cachix/cachix-action@1eb2ef646ac0255473d23a5907ad7b04ce94065c # v17\n");
        expect(text).not.toMatch(/@v\d+\s*$/m);
    });

    it("gives commits the table does not know no comment, rather than the configured tag", () => {
        const text = render({ ...ATPROTO_GITHUB, workflow: { actions: { pins: PINS } } });
        expect(text).toContain(`uses: actions/checkout@${PINS["actions/checkout"]}\n`);
        expect(text).toContain(`uses: cachix/install-nix-action@${PINS["cachix/install-nix-action"]}\n`);
        expect(text).toContain(`uses: cachix/cachix-action@${PINS["cachix/cachix-action"]}\n`);
    });

    it("keeps tag references with pin: tag, and uses configured versions", () => {
        const text = render({ ...ATPROTO_GITHUB, workflow: { actions: { pin: "tag", checkout: "actions/checkout@v6.1.0" } } });
        expect(text).toContain("uses: actions/checkout@v6.1.0\n");
        expect(text).toContain("uses: cachix/cachix-action@v17\n");
        expect(render({ ...ATPROTO_GITHUB, workflow: { actions: { checkout: "actions/checkout@v6.1.0" } } })).toContain(
            "uses: actions/checkout@d23441a48e516b6c34aea4fa41551a30e30af803 # v6.1.0\n",
        );
    });

    it("turns triggers, concurrency and verification off when configured", () => {
        const workflow = parsed(
            render({ ...ATPROTO_GITHUB, workflow: { schedule: false, pullRequests: false, workflowDispatch: false, concurrency: false, verify: false } }),
        );
        expect(workflow.on).toEqual({ push: { branches: ["main"] } });
        expect(workflow.concurrency).toBeUndefined();
        expect(workflow.jobs.build.steps.map((s) => s.name).slice(-2)).toEqual(["Build", "Summarize cache coverage"]);
        // Without its own push, the summary says cachix-action pushes after the job.
        expect(stepNamed(workflow, "Summarize cache coverage")!.env).toMatchObject({
            PUSHED: "${{ env.PUSH_TO_CACHE == 'true' && 'after the job (cachix-action)' || 'skipped' }}",
        });
    });

    it("summarizes coverage in the pushing job, after the build succeeded, even when the push or verification failed", () => {
        const workflow = parsed(render(ATPROTO_GITHUB));
        const summary = stepNamed(workflow, "Summarize cache coverage")!;
        expect(summary.if).toBe("!cancelled() && steps.build.outcome == 'success'");
        expect(summary.env).toEqual({ CACHE_URL: "https://atproto.cachix.org", JOB_LABEL: workflow.jobs.build.name, PUSHED: "${{ steps.push.outcome }}" });
        expect(summary.run).toContain('>> "$GITHUB_STEP_SUMMARY"');
        expect(stepNamed(workflow, "Push build outputs to Cachix")!.id).toBe("push");
    });

    it("applies the workflow name, cron, runner and extra nix.conf lines", () => {
        const workflow = parsed(
            render({
                ...ATPROTO_GITHUB,
                workflow: { name: "Nix cache", schedule: "0 4 * * 1", runsOn: "ubuntu-24.04", extraNixConfig: "accept-flake-config = true" },
            }),
        );
        expect(workflow.name).toBe("Nix cache");
        expect(workflow.on.schedule).toEqual([{ cron: "0 4 * * 1" }]);
        expect(workflow.jobs.build["runs-on"]).toBe("ubuntu-24.04");
        expect(stepNamed(workflow, "Install Nix")!.with).toEqual({ extra_nix_config: "accept-flake-config = true" });
    });

    it("verifies at the cache's configured URL", () => {
        const workflow = parsed(render(ATPROTO_GITHUB, { cache: { name: "atproto", url: "https://cache.atproto.example", publicKeys: [githubModel(ATPROTO_GITHUB).cache.publicKeys[0]] } }));
        expect(stepNamed(workflow, "Verify build outputs are in the cache")!.env).toEqual({ CACHE_URL: "https://cache.atproto.example" });
        expect(cachixStep(workflow).with?.name).toBe("atproto");
    });
});

describe("branchWarning", () => {
    it("warns only for a non-default branch with a schedule or manual runs", async () => {
        const { branchWarning } = await import("../../components/github/defaultBranch");
        const { github } = githubModel(ATPROTO_GITHUB);
        const repo = { name: "nur", branch: "trunk", targets: [] };
        expect(branchWarning("atproto-nix", repo, "main", github.workflow)).toMatch(/^github\.repositories atproto-nix\/nur: branch "trunk" is not the repository's default branch "main"/);
        expect(branchWarning("atproto-nix", repo, "trunk", github.workflow)).toBeUndefined();
        expect(branchWarning("atproto-nix", { name: "nur", targets: [] }, "main", github.workflow)).toBeUndefined();
        const quiet = githubModel({ ...ATPROTO_GITHUB, workflow: { schedule: false, workflowDispatch: false } }).github.workflow;
        expect(branchWarning("atproto-nix", repo, "main", quiet)).toBeUndefined();
    });
});
