import { describe, expect, it, vi } from "vitest";
import { ATPROTO_GITHUB, githubModel } from "../support/githubModels";
import { allRegistered, isSecretInput, recordGithub, RegisteredResource } from "../support/githubMocks";

/**
 * Rotation: the same stack run twice with different credentials. Compared input by input, the
 * only difference must be the `value` of the secret resources; the workflow files, the access
 * list, the environments and the provider are unchanged, so `pulumi up` touches nothing else.
 */

const OLD = "old-cachix-token-1111";
const NEW = "new-cachix-token-2222";

const SECRET_TYPES = new Set([
    "github:index/actionsSecret:ActionsSecret",
    "github:index/actionsOrganizationSecret:ActionsOrganizationSecret",
    "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret",
]);

/** Inputs with secrets shown as `{secret: value}`, so two runs compare by value. */
function comparable(inputs: Record<string, unknown>): Record<string, unknown> {
    return JSON.parse(
        JSON.stringify(inputs, (_, value: unknown) => (isSecretInput(value) ? { secret: (value as { value: unknown }).value } : value)),
    ) as Record<string, unknown>;
}

/** `type name` -> the keys whose inputs differ between two runs. */
function differences(before: readonly RegisteredResource[], after: readonly RegisteredResource[]): Record<string, string[]> {
    const key = (r: RegisteredResource) => `${r.type} ${r.name}`;
    expect(after.map(key).sort()).toEqual(before.map(key).sort());
    const changed: Record<string, string[]> = {};
    for (const old of before) {
        const next = after.find((r) => key(r) === key(old))!;
        const [a, b] = [comparable(old.inputs), comparable(next.inputs)];
        const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
        if (keys.length > 0) {
            changed[key(old)] = keys;
        }
    }
    return changed;
}

async function runComponent(github: Record<string, unknown>, credential: string, stack: string): Promise<RegisteredResource[]> {
    const recording = await recordGithub(stack);
    const pulumi = await import("@pulumi/pulumi");
    const { GithubCi } = await import("../../components/githubCi");
    const model = githubModel(github);
    const ci = new GithubCi("ci", { ...model, credential: pulumi.secret(credential) });
    await allRegistered([...ci.secretResources, ...ci.files]);
    return recording.resources;
}

const REPOS = [{ name: "nur", targets: ["microcosm-all"] }, "infra"];
const SCOPES = [
    { scope: "repository" },
    { scope: "organization", visibility: "all" },
    { scope: "organization", visibility: "selected" },
    { scope: "environment", environment: "cachix", createEnvironment: true },
    { scope: "environment", environment: "cachix", credential: "signingKey" },
];

describe("rotating the Cachix credential changes the secret resources only", () => {
    it.each(SCOPES.map((s) => [JSON.stringify(s), s] as const))("component, secret %s", async (_, secret) => {
        const github = { ...ATPROTO_GITHUB, repositories: REPOS, secret };
        const before = await runComponent(github, OLD, "rotate-before");
        const after = await runComponent(github, NEW, "rotate-after");

        const changed = differences(before, after);
        const secretResources = before.filter((r) => SECRET_TYPES.has(r.type));
        expect(secretResources.length).toBeGreaterThan(0);
        expect(changed).toEqual(Object.fromEntries(secretResources.map((r) => [`${r.type} ${r.name}`, ["value"]])));
        for (const resource of after.filter((r) => SECRET_TYPES.has(r.type))) {
            expect(resource.inputs.value).toMatchObject({ value: NEW });
            expect(isSecretInput(resource.inputs.value)).toBe(true);
        }
    });

    it("whole program: `pulumi config set --secret cachixAuthToken` then `pulumi up`", async () => {
        const pulumi = await import("@pulumi/pulumi");
        const run = async (token: string, stack: string) => {
            const recording = await recordGithub(stack);
            pulumi.runtime.setAllConfig(
                {
                    "nix-cache:cache": JSON.stringify(githubModel(ATPROTO_GITHUB).cache),
                    "nix-cache:github": JSON.stringify(ATPROTO_GITHUB),
                    "nix-cache:cachixAuthToken": token,
                },
                ["nix-cache:cachixAuthToken"],
            );
            // A fresh module graph: the program runs again, as `pulumi up` would.
            vi.resetModules();
            const program = await import("../../index");
            expect(await new Promise((resolve) => pulumi.output(program.githubWorkflowFiles).apply(resolve))).toEqual({
                "atproto-nix/nur": ".github/workflows/build.yml",
            });
            await vi.waitFor(() => {
                const types = recording.resources.map((r) => r.type);
                expect(types).toContain("github:index/actionsSecret:ActionsSecret");
                expect(types).toContain("github:index/repositoryFile:RepositoryFile");
            });
            // Let registrations already under way finish before comparing the runs.
            await new Promise((resolve) => setTimeout(resolve, 50));
            return recording.resources;
        };
        const before = await run(OLD, "program-before");
        const after = await run(NEW, "program-after");
        expect(differences(before, after)).toEqual({ "github:index/actionsSecret:ActionsSecret nix-cache-github-nur-secret": ["value"] });
    });
});
