import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { renderWorkflow } from "../../components/github/workflow";
import { MIRROR_PUSH_CONDITION } from "../../components/github/mirrorSteps";
import { bool, evaluate } from "../support/expressions";
import { ATPROTO_GITHUB, githubModel } from "../support/githubModels";

interface Job {
    permissions?: Record<string, string>;
    steps: { name: string; if?: string; uses?: string; with?: Record<string, string>; env?: Record<string, string>; run?: string }[];
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
        const [configure, copy] = job.steps.slice(-2);
        expect(configure).toEqual({
            name: "Configure AWS credentials for the mirror",
            if: MIRROR_PUSH_CONDITION,
            uses: "aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c",
            with: { "aws-region": "eu-west-1", "role-to-assume": "${{ secrets.NIX_MIRROR_AWS_ROLE_ARN }}" },
        });
        expect(copy.if).toBe("github.event_name == 'push' || github.event_name == 'schedule'");
        expect(copy.env).toEqual({
            MIRROR_STORE: "s3://atproto-nix-cache?region=eu-west-1&compression=zstd",
            MIRROR_SIGNING_KEY: "${{ secrets.NIX_MIRROR_SIGNING_KEY }}",
        });
        expect(copy.run).toContain('nix copy --to "$MIRROR_STORE&secret-key=$key_file"');
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

    it.each([
        ["push", true],
        ["schedule", true],
        ["pull_request", false],
        ["workflow_dispatch", false],
    ])("GitHub's expression engine: a %s run copies to the mirror: %s", (event, copies) => {
        const { job } = buildJob({ mirror: { bucket: "atproto-nix-cache" } });
        const copy = job.steps.find((s) => s.name === "Copy build outputs to the mirror");
        expect(bool(evaluate(copy!.if!, { github: { event_name: event, repository: "atproto-nix/nur" } }))).toBe(copies);
    });
});
