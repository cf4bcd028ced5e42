import { describe, expect, it } from "vitest";
import { loadStackModel } from "../../components/config/load";
import { ConfigValidationError } from "../../components/config/problems";
import { githubArtifacts, SECRETS_LISTING_PATH } from "../../components/github/githubArtifacts";
import { secretPlacements } from "../../components/github/secretPlacements";
import { renderWorkflow } from "../../components/github/workflow";
import { allArtifacts } from "../../components/setup/allArtifacts";
import { secretPlaceholder } from "../../components/render/artifact";
import { MINIMAL, rawConfig } from "../support/config";
import { ATPROTO_GITHUB, githubModel } from "../support/githubModels";

const TWO_REPOS = [{ name: "nur", targets: ["microcosm-all"] }, "infra"];

describe("githubArtifacts", () => {
    it("writes one workflow per repository, byte-for-byte what the component commits", () => {
        const model = githubModel({ ...ATPROTO_GITHUB, repositories: TWO_REPOS });
        const artifacts = githubArtifacts(model, secretPlaceholder);
        const workflows = artifacts.filter((a) => a.kind === "workflow");
        expect(workflows.map(({ target, path }) => ({ target, path }))).toEqual([
            { target: "github:atproto-nix/nur:.github/workflows/build.yml", path: "github/atproto-nix/nur/.github/workflows/build.yml" },
            { target: "github:atproto-nix/infra:.github/workflows/build.yml", path: "github/atproto-nix/infra/.github/workflows/build.yml" },
        ]);
        expect(workflows[1].content).toBe(renderWorkflow(model, model.github.repositories[1]));
    });

    it("follows a configured workflow path", () => {
        const model = githubModel({ ...ATPROTO_GITHUB, workflow: { path: ".github/workflows/nix.yaml" } });
        expect(githubArtifacts(model, secretPlaceholder)[0]).toMatchObject({
            target: "github:atproto-nix/nur:.github/workflows/nix.yaml",
            path: "github/atproto-nix/nur/.github/workflows/nix.yaml",
        });
    });

    it("lists the secrets it would set, with names and places but no values", () => {
        const model = githubModel({ ...ATPROTO_GITHUB, repositories: TWO_REPOS, secret: { scope: "organization", visibility: "selected" } });
        const listing = githubArtifacts(model, (key) => `VALUE-OF-${key}`).find((a) => a.kind === "github-secret")!;
        expect(listing.path).toBe(SECRETS_LISTING_PATH);
        expect(listing.target).toBe("github:atproto-nix:actions-secrets");
        expect(JSON.parse(listing.content)).toEqual({
            owner: "atproto-nix",
            credential: "authToken",
            valueFrom: { CACHIX_AUTH_TOKEN: "cachixAuthToken" },
            secrets: [{ scope: "organization", name: "CACHIX_AUTH_TOKEN", visibility: "selected", repositories: ["nur", "infra"], holds: "authToken" }],
        });
        expect(listing.content).not.toContain("VALUE-OF-");
    });

    it("is part of allArtifacts, and absent without a github section", () => {
        const model = githubModel(ATPROTO_GITHUB);
        expect(allArtifacts(model, secretPlaceholder).map((a) => a.kind)).toEqual(expect.arrayContaining(["workflow", "github-secret"]));
        const plain = loadStackModel(rawConfig(MINIMAL), { mode: "render" });
        expect(githubArtifacts(plain, secretPlaceholder)).toEqual([]);
    });
});

describe("secretPlacements", () => {
    it.each([
        [
            { scope: "repository" },
            [
                { scope: "repository", name: "CACHIX_AUTH_TOKEN", repository: "nur", holds: "authToken" },
                { scope: "repository", name: "CACHIX_AUTH_TOKEN", repository: "infra", holds: "authToken" },
            ],
        ],
        [{ scope: "organization", visibility: "all" }, [{ scope: "organization", name: "CACHIX_AUTH_TOKEN", visibility: "all", repositories: [], holds: "authToken" }]],
        [
            { scope: "organization", visibility: "private", name: "ORG_CACHIX" },
            [{ scope: "organization", name: "ORG_CACHIX", visibility: "private", repositories: [], holds: "authToken" }],
        ],
        [
            { scope: "environment", environment: "cachix", credential: "signingKey" },
            [
                { scope: "environment", name: "CACHIX_AUTH_TOKEN", repository: "nur", environment: "cachix", holds: "authToken" },
                { scope: "environment", name: "CACHIX_AUTH_TOKEN", repository: "infra", environment: "cachix", holds: "authToken" },
                { scope: "environment", name: "CACHIX_SIGNING_KEY", repository: "nur", environment: "cachix", holds: "signingKey" },
                { scope: "environment", name: "CACHIX_SIGNING_KEY", repository: "infra", environment: "cachix", holds: "signingKey" },
            ],
        ],
        [
            { credential: "signingKey", name: "NUR_KEY", authTokenName: "NUR_TOKEN" },
            [
                { scope: "repository", name: "NUR_TOKEN", repository: "nur", holds: "authToken" },
                { scope: "repository", name: "NUR_TOKEN", repository: "infra", holds: "authToken" },
                { scope: "repository", name: "NUR_KEY", repository: "nur", holds: "signingKey" },
                { scope: "repository", name: "NUR_KEY", repository: "infra", holds: "signingKey" },
            ],
        ],
    ])("%j", (secret, expected) => {
        expect(secretPlacements(githubModel({ ...ATPROTO_GITHUB, repositories: TWO_REPOS, secret }).github)).toEqual(expected);
    });
});

describe("github config: workflow and environment options", () => {
    const problemsOf = (github: Record<string, unknown>) => {
        try {
            githubModel(github);
            return [];
        } catch (error) {
            return (error as ConfigValidationError).problems.map((p) => `${p.path}: ${p.message}`);
        }
    };

    it("defaults concurrency on, no extra nix.conf lines, no environment creation", () => {
        const { github } = githubModel(ATPROTO_GITHUB);
        expect(github.workflow.concurrency).toBe(true);
        expect(github.workflow.extraNixConfig).toBeUndefined();
        expect(github.secret.createEnvironment).toBeUndefined();
    });

    it("rejects values that would open an expression in the workflow, and misplaced options", () => {
        expect(
            problemsOf({
                ...ATPROTO_GITHUB,
                secret: { scope: "repository", createEnvironment: true },
                workflow: { name: "Build ${{ github.actor }}", extraNixConfig: "substituters = ${{ secrets.X }}", concurrency: "sometimes" },
            }),
        ).toEqual([
            'nix-cache:github.secret.createEnvironment: only applies when scope is environment; scope is "repository"',
            'nix-cache:github.workflow.name: "Build ${{ github.actor }}" is not valid; expected a short display name without ${{',
            'nix-cache:github.workflow.concurrency: expected true or false; got "sometimes"',
            'nix-cache:github.workflow.extraNixConfig: "substituters = ${{ secrets.X }}" is not valid; expected nix.conf lines "name = value" (without ${{)',
        ]);
        expect(problemsOf({ ...ATPROTO_GITHUB, workflow: { extraNixConfig: "not a setting" } })).toEqual([
            'nix-cache:github.workflow.extraNixConfig: "not a setting" is not valid; expected nix.conf lines "name = value" (without ${{)',
        ]);
    });

    it("accepts several nix.conf lines with comments", () => {
        const { github } = githubModel({ ...ATPROTO_GITHUB, workflow: { extraNixConfig: "# speed\nmax-jobs = auto\n\naccept-flake-config = true\n" } });
        expect(github.workflow.extraNixConfig).toBe("# speed\nmax-jobs = auto\n\naccept-flake-config = true\n");
    });
});
