import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { renderWorkflow } from "../../components/github/workflow";
import { mirrorPushCondition } from "../../components/github/mirrorSteps";
import { evaluateStepIf, JobStatus } from "../support/expressions";
import { ATPROTO_GITHUB, githubModel } from "../support/githubModels";

interface Job {
    permissions?: Record<string, string>;
    steps: { name: string; id?: string; if?: string; uses?: string; with?: Record<string, string>; env?: Record<string, string>; run?: string }[];
}
const buildJob = (extra: Record<string, unknown>): { workflow: { permissions: unknown }; job: Job } => {
    const model = githubModel(ATPROTO_GITHUB, extra);
    const workflow = parse(renderWorkflow(model, model.github.repositories[0]));
    return { workflow, job: workflow.jobs.build };
};

describe("the workflow's S3 mirror push", () => {
    it("is absent without a mirror, and the job asks for no OIDC token", () => {
        const { workflow, job } = buildJob({});
        expect(workflow.permissions).toEqual({ contents: "read" });
        expect(job.permissions).toBeUndefined();
        expect(job.steps.map((s) => s.name).join(" ")).not.toMatch(/mirror/i);
    });

    it("with OIDC: id-token write on the build job only, the role assumed, outputs signed and copied on push and schedule", () => {
        const { workflow, job } = buildJob({ mirror: { bucket: "atproto-nix-cache", region: "eu-west-1" } });
        expect(workflow.permissions).toEqual({ contents: "read" });
        expect(job.permissions).toEqual({ contents: "read", "id-token": "write" });
        // The mirror's steps come last but for the job summary.
        const [configure, copy] = job.steps.slice(-3, -1);
        expect(configure).toEqual({
            name: "Configure AWS credentials for the mirror",
            if: mirrorPushCondition("build"),
            uses: "aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c",
            with: { "aws-region": "eu-west-1", "role-to-assume": "${{ secrets.NIX_MIRROR_AWS_ROLE_ARN }}" },
        });
        expect(copy.if).toBe("!cancelled() && steps.build.outcome == 'success' && (github.event_name == 'push' || github.event_name == 'schedule')");
        expect(job.steps.find((s) => s.name === "Build")?.id).toBe("build");
        expect(copy.env).toEqual({
            MIRROR_STORE: "s3://atproto-nix-cache?region=eu-west-1&compression=zstd&multipart-upload=true",
            MIRROR_SIGNING_KEY: "${{ secrets.NIX_MIRROR_SIGNING_KEY }}",
        });
        expect(copy.run).toContain('xargs nix copy --no-recursive --to "$MIRROR_STORE&secret-key=$key_file" < "$paths"');
        expect(copy.run).toContain("xargs nix path-info --recursive --json");
        expect(copy.run).toContain("umask 077");
        expect(copy.run).not.toContain("${{");
    });

    it("with opt-in access keys: no OIDC token, the key pair from secrets", () => {
        const { job } = buildJob({ mirror: { bucket: "atproto-nix-cache", ciCredentials: "accessKeys" } });
        expect(job.permissions).toBeUndefined();
        const configure = job.steps.find((s) => s.name === "Configure AWS credentials for the mirror");
        expect(configure?.with).toEqual({
            "aws-region": "us-east-1",
            "aws-access-key-id": "${{ secrets.NIX_MIRROR_AWS_ACCESS_KEY_ID }}",
            "aws-secret-access-key": "${{ secrets.NIX_MIRROR_AWS_SECRET_ACCESS_KEY }}",
        });
    });

    it("comes after the Cachix push and verification", () => {
        const { job } = buildJob({ mirror: { bucket: "atproto-nix-cache" } });
        const names = job.steps.map((s) => s.name);
        expect(names.indexOf("Verify build outputs are in the cache")).toBeLessThan(names.indexOf("Copy build outputs to the mirror"));
    });

    const copyIf = () => buildJob({ mirror: { bucket: "atproto-nix-cache" } }).job.steps.find((s) => s.name === "Copy build outputs to the mirror")!.if!;
    const configureIf = () => buildJob({ mirror: { bucket: "atproto-nix-cache" } }).job.steps.find((s) => s.name === "Configure AWS credentials for the mirror")!.if!;
    const runs = (condition: string, event: string, status: JobStatus, build: string) =>
        evaluateStepIf(condition, { github: { event_name: event, repository: "atproto-nix/nur" }, steps: { build: { outcome: build, conclusion: build } } }, status);

    it.each([
        ["push", true],
        ["schedule", true],
        ["pull_request", false],
        ["workflow_dispatch", false],
    ])("GitHub's expression engine: a %s run copies to the mirror: %s", (event, copies) => {
        expect(runs(copyIf(), event, "success", "success")).toBe(copies);
        expect(runs(configureIf(), event, "success", "success")).toBe(copies);
    });

    it("still copies when the Cachix push or verification failed (the job is failing), not when the build failed or the run was cancelled", () => {
        for (const condition of [copyIf(), configureIf()]) {
            expect(runs(condition, "push", "failure", "success")).toBe(true);
            expect(runs(condition, "schedule", "failure", "success")).toBe(true);
            expect(runs(condition, "push", "failure", "failure")).toBe(false);
            expect(runs(condition, "push", "cancelled", "success")).toBe(false);
        }
        // Without a status function GitHub would have applied success(): the old behaviour skipped it.
        expect(runs("github.event_name == 'push'", "push", "failure", "success")).toBe(false);
    });

    it("fails the job with an error annotation when the copy fails or the signing key is missing", () => {
        const copy = buildJob({ mirror: { bucket: "atproto-nix-cache" } }).job.steps.find((s) => s.name === "Copy build outputs to the mirror")!;
        expect(copy.run).toMatch(/! xargs nix copy [^\n]*; then\n\s+echo "::error title=S3 mirror push failed::[^"]*"\n\s+exit 1\n/);
        expect(copy.run).toMatch(/if \[ -z "\$\{MIRROR_SIGNING_KEY:-\}" \]; then\n\s+echo "::error::[^"]*NIX_MIRROR_SIGNING_KEY[^"]*"\n\s+exit 1\n/);
        expect(copy).not.toHaveProperty("continue-on-error");
    });

    it("an S3-compatible server: no configure-aws-credentials (it checks keys against AWS STS); the static key as plain AWS_* variables of the copy", () => {
        const { job } = buildJob({ mirror: { bucket: "nix-cache", endpoint: "https://0123abcd.r2.cloudflarestorage.com", server: "r2", region: "auto", publicUrl: "https://pub-0123.r2.dev" } });
        expect(job.permissions).toBeUndefined();
        expect(job.steps.some((s) => s.uses?.startsWith("aws-actions/"))).toBe(false);
        const copy = job.steps.find((s) => s.name === "Copy build outputs to the mirror")!;
        expect(copy.env).toEqual({
            MIRROR_STORE: expect.stringMatching(/^s3:\/\/nix-cache\?region=auto&endpoint=https:\/\/0123abcd\.r2\.cloudflarestorage\.com&/),
            MIRROR_SIGNING_KEY: "${{ secrets.NIX_MIRROR_SIGNING_KEY }}",
            AWS_ACCESS_KEY_ID: "${{ secrets.NIX_MIRROR_AWS_ACCESS_KEY_ID }}",
            AWS_SECRET_ACCESS_KEY: "${{ secrets.NIX_MIRROR_AWS_SECRET_ACCESS_KEY }}",
        });
        expect(copy.if).toBe(mirrorPushCondition("build"));
        for (const name of ["NIX_MIRROR_AWS_ACCESS_KEY_ID", "NIX_MIRROR_AWS_SECRET_ACCESS_KEY", "NIX_MIRROR_SIGNING_KEY"]) {
            expect(copy.run).toContain(`::error::The ${name} secret is empty`);
        }
        expect(copy.run).not.toContain("${{");
    });

    it("re-signs the bucket after the copy only during a key rotation, with the same condition", () => {
        const names = (mirror: Record<string, unknown>) => buildJob({ mirror: { bucket: "atproto-nix-cache", ...mirror } }).job.steps.map((s) => s.name);
        expect(names({})).not.toContain("Re-sign the mirror with the current key");
        const rotating = buildJob({ mirror: { bucket: "atproto-nix-cache", keyName: "atproto-mirror-2", previousKeyName: "atproto-mirror-1" } }).job.steps;
        expect(rotating.slice(-3).map((s) => s.name)).toEqual(["Copy build outputs to the mirror", "Re-sign the mirror with the current key", "Summarize cache coverage"]);
        const resign = rotating.at(-2)!;
        expect(resign.if).toBe(mirrorPushCondition("build"));
        expect(resign.env).toMatchObject({ MIRROR_BUCKET: "atproto-nix-cache", MIRROR_SIGNING_KEY: "${{ secrets.NIX_MIRROR_SIGNING_KEY }}" });
        expect(resign.run).not.toContain("${{");
    });

    it("copies the whole closure when hosts do not trust cache.nixos.org", () => {
        const model = githubModel(ATPROTO_GITHUB, { useCacheNixosOrg: false, mirror: { bucket: "atproto-nix-cache" } });
        const copy = parse(renderWorkflow(model, model.github.repositories[0])).jobs.build.steps.find((s: { name: string }) => s.name === "Copy build outputs to the mirror");
        expect(copy.run).toContain('if ! xargs nix copy --to "$MIRROR_STORE&secret-key=$key_file" < "$RUNNER_TEMP/nix-cache-outputs"; then');
        expect(copy.run).not.toContain("path-info");
    });
});
