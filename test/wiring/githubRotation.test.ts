import { describe, expect, it, vi } from "vitest";
import { ATPROTO_GITHUB, githubModel } from "../support/githubModels";
import { allRegistered, isSecretInput, recordGithub, RegisteredResource, repositoryId } from "../support/githubMocks";
import { documentOf } from "../../components/config/load";
import { githubCiArgsOf } from "../support/componentArgs";

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

async function runComponent(github: Record<string, unknown>, credentials: { authToken: string; signingKey?: string }, stack: string): Promise<RegisteredResource[]> {
    const recording = await recordGithub(stack);
    const pulumi = await import("@pulumi/pulumi");
    const { GithubCi } = await import("../../components/github/githubCi");
    const model = githubModel(github);
    const signingKey = credentials.signingKey === undefined ? undefined : pulumi.secret(credentials.signingKey);
    const ci = new GithubCi("ci", githubCiArgsOf(model, { authToken: pulumi.secret(credentials.authToken), signingKey }));
    await allRegistered([...ci.secretResources, ...ci.files]);
    // Resources registered once lookups answer (environments, pull requests) come a moment later.
    await new Promise((resolve) => setTimeout(resolve, 100));
    return recording.resources;
}

/** What the engine does to each resource between two runs: inputs updated, or replaced. */
interface Plan {
    readonly updated: Record<string, string[]>;
    readonly replaced: string[];
}

const key = (r: RegisteredResource) => `${r.type} ${r.name}`;
const urnName = (urn: string) => urn.split("::").pop()!;

/**
 * The engine's decisions from two registrations: a changed input is an update; a changed
 * `replacementTrigger`, or a replaced resource named in `replaceWith`, is a replacement.
 */
function plan(before: readonly RegisteredResource[], after: readonly RegisteredResource[]): Plan {
    const updated = differences(before, after);
    const replaced = new Set<string>();
    for (const next of after) {
        const old = before.find((r) => key(r) === key(next))!;
        if (JSON.stringify(old.options.replacementTrigger) !== JSON.stringify(next.options.replacementTrigger)) {
            replaced.add(next.name);
        }
    }
    for (const next of after) {
        if (next.options.replaceWith.some((urn) => replaced.has(urnName(urn)))) {
            replaced.add(next.name);
        }
    }
    return { updated, replaced: [...replaced].sort() };
}

const ORG_SECRET = "github:index/actionsOrganizationSecret:ActionsOrganizationSecret";
/** The organisation secret resource holding the auth token. */
const ORG_SECRET_NAME = "ci-organization-cachix_auth_token-secret";
const EXACT_ACCESS = "github:index/actionsOrganizationSecretRepositories:ActionsOrganizationSecretRepositories";
const ADDITIVE_ACCESS = "github:index/actionsOrganizationSecretRepository:ActionsOrganizationSecretRepository";

/**
 * GitHub's view of one organisation secret's access list, changed as @pulumi/github 6.15.0's
 * provider calls the API: the secret's update sends `visibility=selected` without repository
 * ids (GitHub then grants none); the exact access resource sets the whole list on create and
 * an empty one on delete; the additive one adds or removes one repository.
 */
function applyToGithub(resources: readonly RegisteredResource[], step: Plan, secretName: string, granted: readonly number[]): number[] {
    const access = new Set(granted);
    const org = resources.find((r) => r.type === ORG_SECRET && r.name === secretName)!;
    if (step.updated[key(org)]?.includes("value") && org.inputs.visibility === "selected") {
        access.clear();
    }
    // The access resources depend on the secret, so they run after its update, each deleted
    // before its replacement is created.
    const replacedAccess = resources.filter((r) => step.replaced.includes(r.name) && r.options.dependencies.map(urnName).includes(org.name));
    for (const resource of replacedAccess) {
        expect(resource.options.deleteBeforeReplace, resource.name).toBe(true);
        if (resource.type === EXACT_ACCESS) {
            access.clear();
            (resource.inputs.selectedRepositoryIds as number[]).forEach((id) => access.add(id));
        } else if (resource.type === ADDITIVE_ACCESS) {
            access.delete(resource.inputs.repositoryId as number);
            access.add(resource.inputs.repositoryId as number);
        }
    }
    return [...access].sort();
}

const REPOS = [{ name: "nur", targets: ["microcosm-all"] }, "infra"];
const DECLARED = [repositoryId("atproto-nix/nur"), repositoryId("atproto-nix/infra")].sort();

/** Per scope: the secret section, and what a rotation of the auth token replaces. */
const SCOPES: { secret: Record<string, unknown>; replaced: string[]; workflow?: Record<string, unknown> }[] = [
    { secret: { scope: "repository" }, replaced: [] },
    { secret: { scope: "organization", visibility: "all" }, replaced: [] },
    { secret: { scope: "organization", visibility: "private" }, replaced: [] },
    { secret: { scope: "organization", visibility: "selected" }, replaced: ["ci-organization-cachix_auth_token-secret-repositories"] },
    {
        secret: { scope: "organization", visibility: "selected", access: "additive" },
        replaced: ["ci-organization-cachix_auth_token-secret-infra-repository", "ci-organization-cachix_auth_token-secret-nur-repository"],
    },
    { secret: { scope: "environment", environment: "cachix", createEnvironment: true }, replaced: [] },
    { secret: { scope: "environment", environment: "cachix" }, replaced: [] },
    { secret: { scope: "environment", environment: "cachix", manageEnvironment: true }, replaced: [], workflow: { delivery: "pullRequest", systems: ["x86_64-linux", "aarch64-darwin"] } },
];

describe("rotating the Cachix credential: per scope, what changes, and the access afterwards", () => {
    it.each(SCOPES.map((s) => [JSON.stringify({ ...s.secret, ...s.workflow }), s] as const))("secret %s", async (_, { secret, replaced, workflow }) => {
        const github = { ...ATPROTO_GITHUB, repositories: REPOS, secret, workflow: { ...ATPROTO_GITHUB.workflow, ...workflow } };
        const before = await runComponent(github, { authToken: OLD }, "rotate-before");
        const after = await runComponent(github, { authToken: NEW }, "rotate-after");
        const step = plan(before, after);

        // Inputs: only the secrets' values differ; the workflow files and environments do not.
        const secretResources = before.filter((r) => SECRET_TYPES.has(r.type));
        expect(secretResources.length).toBeGreaterThan(0);
        expect(step.updated).toEqual(Object.fromEntries(secretResources.map((r) => [key(r), ["value"]])));
        for (const resource of after.filter((r) => SECRET_TYPES.has(r.type))) {
            expect(resource.inputs.value).toMatchObject({ value: NEW });
            expect(isSecretInput(resource.inputs.value)).toBe(true);
        }
        // Replacements: the access resources of a selected organisation secret, nothing else.
        expect(step.replaced).toEqual(replaced);
        for (const resource of after) {
            // The trigger never carries the value itself, and is kept secret in the state.
            expect(JSON.stringify(resource.options.replacementTrigger ?? null)).not.toContain(NEW);
            if (resource.type === EXACT_ACCESS || resource.type === ADDITIVE_ACCESS) {
                expect(isSecretInput(resource.options.replacementTrigger), resource.name).toBe(true);
            }
        }
        if (secret.visibility === "selected") {
            // Granted before the rotation; afterwards GitHub's list is exactly the declared one.
            expect(applyToGithub(after, step, ORG_SECRET_NAME, DECLARED)).toEqual(DECLARED);
            // The same update without the replacements would leave no repository with access.
            expect(applyToGithub(after, { ...step, replaced: [] }, ORG_SECRET_NAME, DECLARED)).toEqual([]);
        }
    });

    it("signing-key mode: rotating one credential changes only its secret and re-applies only its access", async () => {
        const github = { ...ATPROTO_GITHUB, repositories: REPOS, secret: { scope: "organization", visibility: "selected", credential: "signingKey" } };
        const before = await runComponent(github, { authToken: OLD, signingKey: "key-1" }, "rotate-key-before");
        const after = await runComponent(github, { authToken: OLD, signingKey: "key-2" }, "rotate-key-after");
        const step = plan(before, after);
        expect(step.updated).toEqual({ [`${ORG_SECRET} ci-organization-cachix_signing_key-secret`]: ["value"] });
        expect(step.replaced).toEqual(["ci-organization-cachix_signing_key-secret-repositories"]);
        expect(applyToGithub(after, step, "ci-organization-cachix_signing_key-secret", DECLARED)).toEqual(DECLARED);
        expect(applyToGithub(after, step, ORG_SECRET_NAME, DECLARED)).toEqual(DECLARED);
    });

    it("whole program: `pulumi config set --secret cachixAuthToken` then `pulumi up`", async () => {
        const pulumi = await import("@pulumi/pulumi");
        const run = async (token: string, stack: string) => {
            const recording = await recordGithub(stack);
            pulumi.runtime.setAllConfig(
                {
                    // No Cachix under mocks: the stack's cache as declared, not asked.
                    "nix-cache:cache": JSON.stringify({ ...(documentOf(githubModel(ATPROTO_GITHUB)).cache as object), offline: true }),
                    "nix-cache:github": JSON.stringify(ATPROTO_GITHUB),
                    "nix-cache:cachixAuthToken": token,
                },
                ["nix-cache:cachixAuthToken"],
            );
            // A fresh module graph: the program runs again, as `pulumi up` would.
            vi.resetModules();
            const program = await (await import("../../program")).nixCacheProgram();
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
        expect(differences(before, after)).toEqual({ "github:index/actionsSecret:ActionsSecret nix-cache-github-nur-cachix_auth_token-secret": ["value"] });
    });
});
