import { describe, expect, it } from "vitest";
import { githubCiArgsOf } from "../support/componentArgs";
import { deploy, Deployment } from "../support/githubEngineModel";
import { allRegistered, recordGithub, RegisteredResource, repositoryId } from "../support/githubMocks";
import { ATPROTO_GITHUB, githubModel } from "../support/githubModels";
import { GithubModel } from "../support/githubModel";

/**
 * Changes between two valid configurations. Each `A -> B` runs the component under mocks for A
 * on an empty GitHub, deploys it through the model of the engine's steps and the provider's
 * effects (see githubEngineModel.ts), then runs it for B on what GitHub then holds and deploys
 * that: GitHub must end holding exactly what a stack made for B from the start holds, and a
 * second run of B must take no step.
 */

const TOKEN = "cachix-token-1111";
const SIGNING_KEY = "atproto-1:c2lnbmluZy1rZXk=";
const REPOSITORIES = [{ name: "nur", targets: ["microcosm-all"] }, "infra"];

/** GitHub before the stack: three repositories, `nur` with a second branch, environment `cachix` in each. */
function startingGithub(): GithubModel {
    const github = new GithubModel();
    for (const [name, branches] of [["nur", ["main", "develop"]], ["infra", ["main"]], ["tools", ["trunk"]]] as const) {
        github.addRepository(name, repositoryId(`atproto-nix/${name}`), branches);
        github.repository(name).environments.set("cachix", new Map());
    }
    return github;
}

let runs = 0;

/** The registrations of one run of the component for `section`, reading `github`. */
async function registrations(section: Record<string, unknown>, github: GithubModel): Promise<RegisteredResource[]> {
    const recording = await recordGithub(`transition-${++runs}`, github.view());
    const pulumi = await import("@pulumi/pulumi");
    const { GithubCi } = await import("../../components/github/githubCi");
    const model = githubModel(section);
    const ci = new GithubCi("ci", githubCiArgsOf(model, { authToken: pulumi.secret(TOKEN), signingKey: pulumi.secret(SIGNING_KEY) }));
    await allRegistered([...ci.secretResources, ...ci.files]);
    // Resources registered once lookups answer (environments, pull requests) come a moment later.
    await new Promise((resolve) => setTimeout(resolve, 50));
    return recording.resources;
}

/** `pulumi up` of `section` from `state` on `github`. */
async function up(section: Record<string, unknown>, github: GithubModel, state: Deployment["state"]): Promise<Deployment> {
    return deploy(github, state, await registrations(section, github));
}

/** The configurations: every setting that changes which GitHub resources exist or what they are called. */
const CONFIGS: Record<string, Record<string, unknown>> = {
    repository: {},
    "repository signingKey": { secret: { scope: "repository", credential: "signingKey" } },
    "repository renamed secret": { secret: { scope: "repository", name: "CACHE_TOKEN" } },
    "organization all": { secret: { scope: "organization", visibility: "all" } },
    "organization private": { secret: { scope: "organization", visibility: "private" } },
    "organization selected exact": { secret: { scope: "organization", visibility: "selected" } },
    "organization selected additive": { secret: { scope: "organization", visibility: "selected", access: "additive" } },
    "organization selected exact signingKey": { secret: { scope: "organization", visibility: "selected", credential: "signingKey" } },
    "organization selected additive signingKey": { secret: { scope: "organization", visibility: "selected", access: "additive", credential: "signingKey" } },
    "environment existing": { secret: { scope: "environment", environment: "cachix" } },
    "environment signingKey": { secret: { scope: "environment", environment: "cachix", credential: "signingKey" } },
    "environment createEnvironment": { secret: { scope: "environment", environment: "ci", createEnvironment: true } },
    "environment manageEnvironment": { secret: { scope: "environment", environment: "deploy", manageEnvironment: true } },
    "delivery pullRequest": { workflow: { delivery: "pullRequest" } },
    "delivery pullRequest, another branch name": { workflow: { delivery: "pullRequest", deliveryBranch: "ci/cache-workflow" } },
    "repository added": { repositories: [...REPOSITORIES, "tools"] },
    "repository removed": { repositories: ["infra"] },
    "organization selected exact, repository added": { repositories: [...REPOSITORIES, "tools"], secret: { scope: "organization", visibility: "selected" } },
    "organization selected additive, repository removed": { repositories: ["infra"], secret: { scope: "organization", visibility: "selected", access: "additive" } },
    branch: { repositories: [{ name: "nur", branch: "develop", targets: ["microcosm-all"] }, "infra"] },
    systems: { workflow: { systems: ["x86_64-linux", "aarch64-darwin"] } },
};

/** The `github` section of a configuration: the guide's, with two repositories and the change. */
function section(name: string): Record<string, unknown> {
    const change = CONFIGS[name];
    return {
        ...ATPROTO_GITHUB,
        repositories: REPOSITORIES,
        ...change,
        workflow: { ...ATPROTO_GITHUB.workflow, ...(change.workflow as Record<string, unknown> | undefined) },
    };
}

/** The pairs checked: each configuration to and from the first, and every pair within a group of related ones. */
function pairs(): [string, string][] {
    const names = Object.keys(CONFIGS);
    const groups = [
        names.filter((n) => n.startsWith("organization")),
        names.filter((n) => n.startsWith("environment") || n === "repository" || n === "repository signingKey"),
        names.filter((n) => n.startsWith("delivery") || n === "branch" || n === "systems" || n.startsWith("repository ")),
    ];
    const all = new Set<string>();
    for (const name of names.slice(1)) {
        all.add(JSON.stringify([names[0], name]));
        all.add(JSON.stringify([name, names[0]]));
    }
    for (const group of groups) {
        for (const a of group) {
            for (const b of group) {
                if (a !== b) {
                    all.add(JSON.stringify([a, b]));
                }
            }
        }
    }
    return [...all].map((p) => JSON.parse(p) as [string, string]);
}

/**
 * GitHub's state as a configuration is judged by: its secrets (with values, visibility and
 * access), and per repository the workflow that is or will be on its target branch: the open
 * pull request's when `delivery: pullRequest` has one open, else the target's. What the stack
 * stops declaring and keeps on purpose is not judged (docs/github.md): a workflow file left on
 * a branch or in a repository it no longer names, and, after a switch away from a pull request,
 * that pull request and its branch.
 */
function judged(github: GithubModel, name: string): unknown {
    const spec = githubModel(section(name)).github;
    const state = github.managed();
    const workflows = Object.fromEntries(
        spec.repositories.map((repo) => {
            const target = repo.branch ?? github.repository(repo.name).defaultBranch;
            const proposed = spec.workflow.delivery === "pullRequest" && state.pullRequests.includes(`${repo.name}: ${spec.workflow.deliveryBranch} -> ${target}`);
            return [repo.name, state.files[`${repo.name}:${proposed ? spec.workflow.deliveryBranch : target}:${spec.workflow.path}`]];
        }),
    );
    const secrets = Object.fromEntries(Object.entries(state.repositories).map(([repo, r]) => [repo, { secrets: r.secrets, environments: r.environments }]));
    return { secrets, organization: state.organization, workflows };
}

const fresh = new Map<string, unknown>();

/** What GitHub holds, as judged, after a stack made for `name` from the start. */
async function freshlyMade(name: string): Promise<unknown> {
    if (!fresh.has(name)) {
        const github = startingGithub();
        await up(section(name), github, []);
        fresh.set(name, judged(github, name));
    }
    return fresh.get(name);
}

/** The steps that call GitHub: forgetting a retained resource (a created environment once it exists) does not. */
const calling = (steps: readonly string[]) => steps.filter((s) => !s.startsWith("forget "));

describe("changes between two configurations converge in one `pulumi up` (engine steps and provider effects modelled)", () => {
    it.each(pairs())("%s -> %s", async (from, to) => {
        const github = startingGithub();
        const first = await up(section(from), github, []);
        const change = await up(section(to), github, first.state);
        expect(judged(github, to), `after ${change.steps.join("; ")}`).toEqual(await freshlyMade(to));
        const again = await up(section(to), github, change.state);
        expect(calling(again.steps)).toEqual([]);
    });

    it.each(Object.keys(CONFIGS))("%s -> the same: no step", async (name) => {
        const github = startingGithub();
        const first = await up(section(name), github, []);
        expect(judged(github, name)).toEqual(await freshlyMade(name));
        expect(calling((await up(section(name), github, first.state)).steps)).toEqual([]);
    });
});

describe("pull-request delivery across a merge (engine steps and provider effects modelled)", () => {
    const DELIVERY = "delivery pullRequest";
    const changed = { ...section(DELIVERY), workflow: { ...section(DELIVERY).workflow as Record<string, unknown>, systems: ["x86_64-linux", "aarch64-darwin"] } };

    /** Merges each open pull request into its base, then deletes its head branch when `deleteHead` (GitHub's "automatically delete head branches"). */
    function mergeAll(github: GithubModel, deleteHead: boolean): void {
        for (const pr of github.pullRequests.filter((p) => p.state === "open")) {
            for (const [path, file] of github.branch(pr.repository, pr.head)) {
                github.commit(pr.repository, pr.base, path, file.content, `Merge pull request #${pr.number}`);
            }
            pr.state = "closed";
            if (deleteHead) {
                github.repository(pr.repository).branches.delete(pr.head);
            }
        }
    }

    it.each([true, false])("merged (head branch deleted: %s), then a change: a new pull request from the target's tip, and the next run takes no step", async (deleteHead) => {
        const github = startingGithub();
        const first = await up(section(DELIVERY), github, []);
        mergeAll(github, deleteHead);
        // In sync after the merge: the file and pull request leave the program without a call.
        const merged = await up(section(DELIVERY), github, first.state);
        expect(calling(merged.steps)).toEqual([]);
        const change = await up(changed, github, merged.state);
        expect(github.pullRequests.filter((p) => p.state === "open").map((p) => `${p.repository}:${p.head}`).sort()).toEqual(["infra:nix-cache/workflow", "nur:nix-cache/workflow"]);
        for (const repo of ["nur", "infra"]) {
            expect(github.branch(repo, "nix-cache/workflow").get(".github/workflows/build.yml")!.content).toContain("aarch64-darwin");
        }
        expect(calling((await up(changed, github, change.state)).steps)).toEqual([]);
    });

    it("a change while the pull request is open commits on its branch; the pull request stays", async () => {
        const github = startingGithub();
        const first = await up(section(DELIVERY), github, []);
        const change = await up(changed, github, first.state);
        expect(github.pullRequests.map((p) => p.state)).toEqual(["open", "open"]);
        expect(change.steps.filter((s) => s.includes("pull-request"))).toEqual([]);
        expect(github.branch("nur", "nix-cache/workflow").get(".github/workflows/build.yml")!.content).toContain("aarch64-darwin");
    });
});
