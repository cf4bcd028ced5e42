import type * as pulumiType from "@pulumi/pulumi";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { ATPROTO_GITHUB, githubModel, NIX_COMMUNITY } from "../support/githubModels";
import { ABSENT_NOTE, noteMessage } from "../../components/github/fileOwnership";
import { allRegistered, branchHead, isSecretInput, Recording, recordGithub, RegisteredResource, repositoryId, settled } from "../support/githubMocks";
import { cacheSetupArgsOf, githubCiArgsOf } from "../support/componentArgs";

const TOKEN = "cachix-auth-token-value-must-not-leak";
const SIGNING_KEY = "cachix-signing-key-value-must-not-leak";
const TWO_REPOS = [
    { name: "nur", targets: ["microcosm-all", "tangled-all"] },
    { name: "infra", branch: "trunk" },
];

const SECRET_TYPES = [
    "github:index/actionsSecret:ActionsSecret",
    "github:index/actionsOrganizationSecret:ActionsOrganizationSecret",
    "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret",
];

let recording: Recording;
let pulumi: typeof pulumiType;
beforeEach(async () => {
    recording = await recordGithub();
    pulumi = await import("@pulumi/pulumi");
});

/** Builds a GithubCi for a `github` section and waits until all its children are registered. */
async function githubCi(github: Record<string, unknown>, authToken: pulumiType.Input<string>, extra: Record<string, unknown> = {}, signingKey?: pulumiType.Input<string>) {
    const { GithubCi } = await import("../../components/github/githubCi");
    const model = githubModel(github, extra);
    const ci = new GithubCi("ci", githubCiArgsOf(model, { authToken, signingKey }));
    const urns = await allRegistered([...ci.secretResources, ...ci.files]);
    return { ci, model, urns };
}

const ofType = (type: string) => recording.resources.filter((r) => r.type === type);
const names = (resources: readonly RegisteredResource[]) => resources.map((r) => r.name);

describe("GithubCi under mocks: resources per secret scope", () => {
    it("repository scope: one Actions secret and one workflow file per repository, through a provider for the owner", async () => {
        const { ci, model, urns } = await githubCi({ ...ATPROTO_GITHUB, repositories: TWO_REPOS }, pulumi.secret(TOKEN));
        const { renderWorkflow } = await import("../../components/github/workflow");

        const secrets = ofType("github:index/actionsSecret:ActionsSecret");
        expect(names(secrets)).toEqual(["ci-nur-cachix_auth_token-secret", "ci-infra-cachix_auth_token-secret"]);
        expect(secrets.map((s) => [s.inputs.repository, s.inputs.secretName])).toEqual([
            ["nur", "CACHIX_AUTH_TOKEN"],
            ["infra", "CACHIX_AUTH_TOKEN"],
        ]);
        // The current field, not the deprecated plaintextValue.
        for (const secret of secrets) {
            expect(Object.keys(secret.inputs).sort()).toEqual(["repository", "secretName", "value"]);
        }

        // Registered as each repository's read answers, in no set order.
        const files = ofType("github:index/repositoryFile:RepositoryFile");
        expect(names(files).sort()).toEqual(["ci-infra-workflow", "ci-nur-workflow"]);
        expect(files.find((f) => f.inputs.repository === "infra")?.inputs).toEqual({
            repository: "infra",
            branch: "trunk",
            file: ".github/workflows/build.yml",
            content: renderWorkflow(model, model.github.repositories[1]),
            // The file is not there yet: the message names the branch's head (see githubFileOwnership.test.ts).
            commitMessage: noteMessage("ci: update Nix cache workflow (managed by nix-cache)", ABSENT_NOTE, branchHead("infra", "trunk")),
            overwriteOnCreate: true,
        });

        const providers = ofType("pulumi:providers:github");
        expect(providers).toHaveLength(1);
        expect(providers[0]).toMatchObject({ name: "ci-provider", inputs: expect.objectContaining({ owner: "atproto-nix" }) });
        for (const child of [...secrets, ...files]) {
            expect(child.provider).toMatch(/::ci-provider::ci-provider_id$/);
        }
        // Children sit under the component.
        for (const urn of urns) {
            expect(urn).toContain("nix-cache:index:GithubCi$github:index/");
        }
        expect(await settled(ci.workflowFiles)).toEqual({ "atproto-nix/nur": ".github/workflows/build.yml", "atproto-nix/infra": ".github/workflows/build.yml" });
        expect(ofType("nix-cache:index:GithubCi").map((r) => r.name)).toEqual(["ci"]);
    });

    it.each(["all", "private"])("organization scope, visibility %s: one organisation secret, no access list", async (visibility) => {
        await githubCi({ ...ATPROTO_GITHUB, repositories: TWO_REPOS, secret: { scope: "organization", visibility } }, pulumi.secret(TOKEN));
        const secrets = ofType("github:index/actionsOrganizationSecret:ActionsOrganizationSecret");
        expect(names(secrets)).toEqual(["ci-organization-cachix_auth_token-secret"]);
        expect(secrets[0].inputs).toMatchObject({ secretName: "CACHIX_AUTH_TOKEN", visibility });
        expect(secrets[0].inputs).not.toHaveProperty("selectedRepositoryIds");
        expect(ofType("github:index/actionsOrganizationSecretRepositories:ActionsOrganizationSecretRepositories")).toEqual([]);
        expect(ofType("github:index/actionsSecret:ActionsSecret")).toEqual([]);
        expect(ofType("github:index/repositoryFile:RepositoryFile")).toHaveLength(2);
    });

    it("organization scope, selected: the access list names the repositories by their looked-up ids", async () => {
        await githubCi({ ...ATPROTO_GITHUB, repositories: TWO_REPOS, secret: { scope: "organization", visibility: "selected" } }, pulumi.secret(TOKEN));
        expect(ofType("github:index/actionsOrganizationSecret:ActionsOrganizationSecret")[0].inputs).toMatchObject({ visibility: "selected" });
        const access = ofType("github:index/actionsOrganizationSecretRepositories:ActionsOrganizationSecretRepositories");
        expect(names(access)).toEqual(["ci-organization-cachix_auth_token-secret-repositories"]);
        expect(access[0].inputs).toEqual({
            secretName: "CACHIX_AUTH_TOKEN",
            selectedRepositoryIds: [repositoryId("atproto-nix/nur"), repositoryId("atproto-nix/infra")],
        });
        // Looked up once per repository: the access list's id and the default branch come from the same answer.
        expect(recording.calls.filter((c) => c.token === "github:index/getRepository:getRepository").map((c) => c.inputs.fullName).sort()).toEqual([
            "atproto-nix/infra",
            "atproto-nix/nur",
        ]);
    });

    it("environment scope: one environment secret per repository, the environment created only on request", async () => {
        await githubCi({ ...ATPROTO_GITHUB, repositories: TWO_REPOS, secret: { scope: "environment", environment: "cachix" } }, pulumi.secret(TOKEN));
        const secrets = ofType("github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret");
        expect(names(secrets)).toEqual(["ci-nur-cachix_auth_token-environment-secret", "ci-infra-cachix_auth_token-environment-secret"]);
        expect(secrets.map((s) => [s.inputs.repository, s.inputs.environment, s.inputs.secretName])).toEqual([
            ["nur", "cachix", "CACHIX_AUTH_TOKEN"],
            ["infra", "cachix", "CACHIX_AUTH_TOKEN"],
        ]);
        expect(ofType("github:index/repositoryEnvironment:RepositoryEnvironment")).toEqual([]);
    });

    it("createEnvironment: a missing environment is created, kept on destroy, its settings never updated; an existing one is left alone", async () => {
        recording = await recordGithub("env", { environments: { infra: ["CACHIX", "production"] } });
        await githubCi(
            { ...ATPROTO_GITHUB, repositories: TWO_REPOS, secret: { scope: "environment", environment: "cachix", createEnvironment: true } },
            pulumi.secret(TOKEN),
        );
        await new Promise((resolve) => setTimeout(resolve, 50));
        const environments = ofType("github:index/repositoryEnvironment:RepositoryEnvironment");
        // infra already has it (GitHub compares environment names without case): not declared, so not reset.
        expect(environments.map((e) => [e.name, e.inputs.repository, e.inputs.environment])).toEqual([["ci-nur-environment", "nur", "cachix"]]);
        expect(environments[0].options).toMatchObject({ retainOnDelete: true });
        expect(environments[0].options.ignoreChanges.sort()).toEqual(["canAdminsBypass", "deploymentBranchPolicy", "preventSelfReview", "reviewers", "waitTimer"]);
        expect(Object.keys(environments[0].inputs).sort()).toEqual(["environment", "repository"]);
        const [nurSecret] = ofType("github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret");
        expect(nurSecret.options.dependencies.some((urn) => urn.endsWith("::ci-nur-environment"))).toBe(true);
    });

    it("manageEnvironment: the stack owns the environment, declared on every run", async () => {
        recording = await recordGithub("env-manage", { environments: { nur: ["cachix"] } });
        await githubCi({ ...ATPROTO_GITHUB, secret: { scope: "environment", environment: "cachix", manageEnvironment: true } }, pulumi.secret(TOKEN));
        const environments = ofType("github:index/repositoryEnvironment:RepositoryEnvironment");
        expect(environments.map((e) => e.name)).toEqual(["ci-nur-environment"]);
        expect(environments[0].options).toMatchObject({ retainOnDelete: false, ignoreChanges: [] });
    });

    it("signing-key mode stores the signing key under CACHIX_SIGNING_KEY and the auth token beside it", async () => {
        await githubCi({ ...ATPROTO_GITHUB, secret: { credential: "signingKey" } }, pulumi.secret(TOKEN), {}, pulumi.secret(SIGNING_KEY));
        const secrets = ofType("github:index/actionsSecret:ActionsSecret");
        expect(secrets.map((s) => [s.name, s.inputs.secretName, (s.inputs.value as { value: string }).value])).toEqual([
            ["ci-nur-cachix_auth_token-secret", "CACHIX_AUTH_TOKEN", TOKEN],
            ["ci-nur-cachix_signing_key-secret", "CACHIX_SIGNING_KEY", SIGNING_KEY],
        ]);
    });

    it("signing-key mode without a signing key is refused before anything is registered", async () => {
        const { GithubCi } = await import("../../components/github/githubCi");
        const model = githubModel({ ...ATPROTO_GITHUB, secret: { credential: "signingKey" } });
        expect(() => new GithubCi("nokey", githubCiArgsOf(model, { authToken: pulumi.secret(TOKEN) }))).toThrow(
            'GithubCi nokey: github.secret.credential is "signingKey" but no signing key was given',
        );
        await new Promise((resolve) => setTimeout(resolve, 20));
        expect(recording.resources.filter((r) => r.name.startsWith("nokey"))).toEqual([]);
    });
});

describe("GithubCi under mocks: the credential stays secret", () => {
    const scopes = [
        { scope: "repository" },
        { scope: "organization", visibility: "selected" },
        { scope: "environment", environment: "cachix", createEnvironment: true },
    ];

    it.each(scopes.map((s) => [s.scope, s] as const))("%s: every secret value is a Pulumi secret, even from a plain string", async (_, secret) => {
        // A plain string, as a careless caller might pass: the component still makes it secret.
        const { ci } = await githubCi({ ...ATPROTO_GITHUB, repositories: TWO_REPOS, secret }, TOKEN);
        const secretResources = recording.resources.filter((r) => SECRET_TYPES.includes(r.type));
        expect(secretResources.length).toBeGreaterThan(0);
        for (const resource of secretResources) {
            expect(isSecretInput(resource.inputs.value), resource.name).toBe(true);
        }
        for (const resource of ci.secretResources) {
            const value = (resource as unknown as { value?: pulumiType.Output<string | undefined> }).value;
            if (value !== undefined) {
                expect(await pulumi.isSecret(value)).toBe(true);
            }
        }
    });

    it.each(scopes.map((s) => [s.scope, s] as const))("%s: no other input, and no workflow, contains the value", async (_, secret) => {
        await githubCi({ ...ATPROTO_GITHUB, repositories: TWO_REPOS, secret }, pulumi.secret(TOKEN), { extraCaches: [NIX_COMMUNITY] });
        for (const file of ofType("github:index/repositoryFile:RepositoryFile")) {
            expect(String(file.inputs.content)).not.toContain(TOKEN);
            expect(String(file.inputs.content)).toContain("${{ secrets.CACHIX_AUTH_TOKEN }}");
        }
        for (const resource of recording.resources.filter((r) => !SECRET_TYPES.includes(r.type))) {
            expect(JSON.stringify(resource.inputs), resource.name).not.toContain(TOKEN);
        }
    });

    it("the secrets output lists placements without values", async () => {
        const { ci } = await githubCi({ ...ATPROTO_GITHUB, repositories: TWO_REPOS }, pulumi.secret(TOKEN));
        const listed = await settled(ci.secrets);
        expect(listed).toEqual([
            { scope: "repository", name: "CACHIX_AUTH_TOKEN", repository: "nur", holds: "authToken" },
            { scope: "repository", name: "CACHIX_AUTH_TOKEN", repository: "infra", holds: "authToken" },
        ]);
        expect(await pulumi.isSecret(ci.secrets)).toBe(false);
    });
});

describe("GithubCi under mocks: the branch", () => {
    it("commits to the repository's default branch, looked up, when branch is not set", async () => {
        recording = await recordGithub("branch", { defaultBranches: { nur: "master" } });
        const { parse } = await import("yaml");
        await githubCi({ ...ATPROTO_GITHUB, repositories: [{ name: "nur" }, { name: "infra", branch: "trunk" }], workflow: { schedule: false, workflowDispatch: false } }, pulumi.secret(TOKEN));
        const files = ofType("github:index/repositoryFile:RepositoryFile").sort((a, b) => String(b.inputs.repository).localeCompare(String(a.inputs.repository)));
        expect(files.map((f) => [f.inputs.repository, f.inputs.branch])).toEqual([
            ["nur", "master"],
            ["infra", "trunk"],
        ]);
        expect((parse(String(files[0].inputs.content)) as { on: { push: unknown } }).on.push).toEqual({ branches: ["master"] });
    });

    it("warns when a configured branch is not the default one and the workflow has a schedule", async () => {
        const warn = (await import("@pulumi/pulumi")).log.warn;
        const spy = vi.spyOn(pulumi.log, "warn");
        try {
            await githubCi({ ...ATPROTO_GITHUB, repositories: [{ name: "nur", branch: "trunk" }] }, pulumi.secret(TOKEN));
            await vi.waitFor(() => expect(spy).toHaveBeenCalled());
            expect(String(spy.mock.calls[0][0])).toContain('branch "trunk" is not the repository\'s default branch "main"');
            expect(String(spy.mock.calls[0][0])).toContain('the schedule "51 2 * * *" and manual runs only from the default branch');
        } finally {
            spy.mockRestore();
        }
        expect(pulumi.log.warn).toBe(warn);
    });
});

describe("GithubCi under mocks: delivery through a pull request", () => {
    it("while the target lacks the workflow: commits to the stack's branch (made from the target if missing) and opens a pull request", async () => {
        recording = await recordGithub("delivery", { defaultBranches: { nur: "main" } });
        await githubCi({ ...ATPROTO_GITHUB, repositories: [{ name: "nur" }], workflow: { delivery: "pullRequest" } }, pulumi.secret(TOKEN));
        await vi.waitFor(() => expect(ofType("github:index/repositoryPullRequest:RepositoryPullRequest")).toHaveLength(1));
        const [file] = ofType("github:index/repositoryFile:RepositoryFile");
        const [pr] = ofType("github:index/repositoryPullRequest:RepositoryPullRequest");
        // No branch resource: nothing ever deletes the head branch GitHub may have deleted after a merge.
        expect(ofType("github:index/branch:Branch")).toEqual([]);
        expect(file.inputs).toMatchObject({
            repository: "nur",
            branch: "nix-cache/workflow",
            file: ".github/workflows/build.yml",
            overwriteOnCreate: true,
            autocreateBranch: true,
            autocreateBranchSourceBranch: "main",
        });
        expect(pr.inputs).toMatchObject({ baseRepository: "nur", baseRef: "main", headRef: "nix-cache/workflow", title: "ci: update Nix cache workflow (managed by nix-cache)" });
        // Both are forgotten, not deleted, once they leave the program (after a merge): no close of a merged pull request.
        expect(file.options).toMatchObject({ retainOnDelete: true, replaceOnChanges: ["*"] });
        expect(pr.options).toMatchObject({ retainOnDelete: true, replaceWith: [] });
        expect(pr.options.replacementTrigger).toBeUndefined();
    });

    it("once the target holds the rendered workflow: no file on the stack's branch and no pull request", async () => {
        const { renderWorkflow } = await import("../../components/github/workflow");
        const section = { ...ATPROTO_GITHUB, repositories: [{ name: "nur", branch: "main" }], workflow: { delivery: "pullRequest" } };
        const model = githubModel(section);
        const content = renderWorkflow(model, model.github.repositories[0]);
        recording = await recordGithub("delivered", { files: { "nur:main:.github/workflows/build.yml": { content, commitSha: "a".repeat(40), commitMessage: "Merge pull request #1" } } });
        await githubCi(section, pulumi.secret(TOKEN));
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(ofType("github:index/repositoryFile:RepositoryFile")).toEqual([]);
        expect(ofType("github:index/repositoryPullRequest:RepositoryPullRequest")).toEqual([]);
    });

    it("commits directly by default, with no branch or pull request", async () => {
        await githubCi(ATPROTO_GITHUB, pulumi.secret(TOKEN));
        expect(ofType("github:index/branch:Branch")).toEqual([]);
        expect(ofType("github:index/repositoryPullRequest:RepositoryPullRequest")).toEqual([]);
    });
});

describe("GithubCi under mocks: options", () => {
    it("uses a given provider instead of creating one", async () => {
        const github = await import("@pulumi/github");
        const { GithubCi } = await import("../../components/github/githubCi");
        const model = githubModel(ATPROTO_GITHUB);
        const provider = new github.Provider("mine", { owner: "atproto-nix" });
        const ci = new GithubCi("given", githubCiArgsOf(model, { authToken: pulumi.secret(TOKEN) }), { providers: { github: provider } });
        await allRegistered([...ci.secretResources, ...ci.files]);
        expect(ofType("pulumi:providers:github").map((p) => p.name)).toEqual(["mine"]);
        for (const child of recording.resources.filter((r) => r.type.startsWith("github:"))) {
            expect(child.provider).toMatch(/::mine::mine_id$/);
        }
    });

    it("passes GitHub App credentials from github:appAuth to its provider, as a secret", async () => {
        const pem = "-----BEGIN RSA PRIVATE KEY-----\nnot-a-real-key\n-----END RSA PRIVATE KEY-----";
        pulumi.runtime.setAllConfig({ "github:appAuth": JSON.stringify({ id: "123", installationId: "456", pemFile: pem }) }, ["github:appAuth"]);
        try {
            await githubCi(ATPROTO_GITHUB, pulumi.secret(TOKEN));
            const [provider] = ofType("pulumi:providers:github");
            expect(isSecretInput(provider.inputs.appAuth)).toBe(true);
            expect(JSON.parse(String((provider.inputs.appAuth as { value: unknown }).value))).toEqual({ id: "123", installationId: "456", pemFile: pem });
            for (const resource of recording.resources.filter((r) => r.type !== "pulumi:providers:github")) {
                expect(JSON.stringify(resource.inputs)).not.toContain("not-a-real-key");
            }
        } finally {
            pulumi.runtime.setAllConfig({}, []);
        }
    });

    it("passes the pacing keys (github:writeDelayMs, parallelRequests, ...) to its provider, over defaults for this workload", async () => {
        await githubCi(ATPROTO_GITHUB, pulumi.secret(TOKEN));
        expect(ofType("pulumi:providers:github")[0].inputs).toMatchObject({ writeDelayMs: "0", readDelayMs: "0", parallelRequests: "true" });
        pulumi.runtime.setAllConfig({ "github:writeDelayMs": "1000", "github:parallelRequests": "false", "github:maxRetries": "5", "github:retryableErrors": "[502,503]" });
        try {
            recording = await recordGithub("tuning");
            await githubCi(ATPROTO_GITHUB, pulumi.secret(TOKEN));
            expect(ofType("pulumi:providers:github")[0].inputs).toMatchObject({ writeDelayMs: "1000", parallelRequests: "false", maxRetries: "5", retryableErrors: "[502,503]" });
        } finally {
            pulumi.runtime.setAllConfig({}, []);
        }
    });

    it("commits with the configured author, email and message", async () => {
        await githubCi(
            { ...ATPROTO_GITHUB, workflow: { commitMessage: "chore: cache workflow", commitAuthor: "Cache Bot", commitEmail: "bot@example.org", path: ".github/workflows/nix.yml" } },
            pulumi.secret(TOKEN),
        );
        expect(ofType("github:index/repositoryFile:RepositoryFile")[0].inputs).toMatchObject({
            file: ".github/workflows/nix.yml",
            commitMessage: expect.stringMatching(/^chore: cache workflow\n\n/),
            commitAuthor: "Cache Bot",
            commitEmail: "bot@example.org",
        });
    });
});

describe("CacheSetup wires GithubCi", () => {
    it("creates it as a child when the stack has a github section, with the credential the section names", async () => {
        const { CacheSetup } = await import("../../components/setup/cacheSetup");
        const model = githubModel({ ...ATPROTO_GITHUB, secret: { credential: "signingKey" } });
        const setup = new CacheSetup("org", cacheSetupArgsOf(model, { cachixAuthToken: pulumi.secret(TOKEN), cachixSigningKey: pulumi.secret(SIGNING_KEY) }));
        expect(setup.github).toBeDefined();
        await allRegistered([...setup.github!.secretResources, ...setup.github!.files]);
        expect(ofType("nix-cache:index:GithubCi").map((r) => r.name)).toEqual(["org-github"]);
        const secrets = ofType("github:index/actionsSecret:ActionsSecret");
        expect(secrets.map((s) => [s.name, (s.inputs.value as { value: string }).value])).toEqual([
            ["org-github-nur-cachix_auth_token-secret", TOKEN],
            ["org-github-nur-cachix_signing_key-secret", SIGNING_KEY],
        ]);
    });

    it("creates none without a github section, and refuses a missing credential", async () => {
        const { CacheSetup } = await import("../../components/setup/cacheSetup");
        const { loadStackModel } = await import("../../components/config/load");
        const { rawConfig, MINIMAL } = await import("../support/config");
        expect(new CacheSetup("plain", cacheSetupArgsOf(loadStackModel(rawConfig(MINIMAL), { mode: "render" }), {})).github).toBeUndefined();
        expect(() => new CacheSetup("no-token", cacheSetupArgsOf(githubModel(ATPROTO_GITHUB), {}))).toThrow(/need secrets that were not given: cachixAuthToken$/);
        const signing = githubModel({ ...ATPROTO_GITHUB, secret: { credential: "signingKey" } });
        expect(() => new CacheSetup("key-only", cacheSetupArgsOf(signing, { cachixSigningKey: SIGNING_KEY }))).toThrow(/not given: cachixAuthToken$/);
        expect(() => new CacheSetup("token-only", cacheSetupArgsOf(signing, { cachixAuthToken: TOKEN }))).toThrow(/not given: cachixSigningKey$/);
    });
});
