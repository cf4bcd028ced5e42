import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { performance } from "perf_hooks";
import { ConfigMap, OpMap } from "@pulumi/pulumi/automation";
import { findTool } from "../cli/localStack";
import { LocalGithub, startLocalGithub } from "../scripts/localhost/githubApi";
import { failureOf, recordUp } from "../scripts/localhost/engine/engineRun";
import { createEngineStack, EngineStack } from "../scripts/localhost/engine/engineStack";
import { duration, ratio, sig3 } from "./format";
import { BenchOptions, BenchPart, PartResult, ResultRow } from "./part";

const FULL = [10, 40, 100] as const;
const QUICK = [10] as const;
const OWNER = "bench-org";
const ATPROTO_KEY = "atproto.cachix.org-1:mgH0q9dt3ZI9puHEfIGDnkRBfT80I3vfEh4Wda2B0rk=";
/** The issue's goals on this model. */
const GOALS = { noopRequests: 2, rotationSeconds: 0.3 };

/** The three `up`s measured per size, in order. */
const STEPS = ["first", "noop", "rotation"] as const;
type Step = (typeof STEPS)[number];

interface StepResult {
    readonly ms: number;
    readonly requests: number;
    /** Those about a repository (`/repos/…`), not the owner's lookup. */
    readonly repositoryRequests: number;
    readonly changes: OpMap;
}

/** The GitHub provider the SDK asks for, in the plugin cache (`PULUMI_HOME`, else ~/.pulumi). */
function githubPlugin(): { version: string; dir: string } {
    const version = (JSON.parse(fs.readFileSync(require.resolve("@pulumi/github/package.json"), "utf8")) as { version: string }).version;
    const home = process.env.PULUMI_HOME ?? path.join(os.homedir(), ".pulumi");
    return { version, dir: path.join(home, "plugins", `resource-github-v${version}`) };
}

function missing(): string | undefined {
    if (findTool("pulumi") === undefined) {
        return "the Pulumi CLI is missing; run `bash scripts/toolchain.sh pulumi`";
    }
    const plugin = githubPlugin();
    if (!fs.existsSync(path.join(plugin.dir, "pulumi-resource-github"))) {
        return (
            `the real GitHub provider (pulumi-resource-github ${plugin.version}) is not in the plugin cache ${path.dirname(plugin.dir)}; ` +
            `install it there (\`pulumi plugin install resource github ${plugin.version}\`, or \`--file\` a built one) or point PULUMI_HOME at a cache holding it`
        );
    }
    return undefined;
}

/** The stack: `repositories` repositories, repository-scope secrets, the workflow committed to each default branch. */
function stackConfig(github: LocalGithub, repositories: number, token: string): ConfigMap {
    const names = Array.from({ length: repositories }, (_, i) => ({ name: `r${i + 1}` }));
    return {
        "nix-cache:cache": { value: JSON.stringify({ name: "atproto", publicKeys: [ATPROTO_KEY], offline: true }) },
        "nix-cache:useCacheNixosOrg": { value: "false" },
        "nix-cache:github": { value: JSON.stringify({ owner: OWNER, repositories: names, secret: { scope: "repository" } }) },
        "nix-cache:cachixAuthToken": { value: token, secret: true },
        "github:token": { value: "bench-github-token", secret: true },
        "github:baseUrl": { value: github.baseUrl },
    };
}

async function measure(engine: EngineStack, github: LocalGithub, what: string): Promise<StepResult> {
    const before = github.requests.length;
    const start = performance.now();
    const run = await recordUp(engine.stack, engine.transcript);
    const ms = performance.now() - start;
    if (run.error !== undefined || run.summary.result !== "succeeded") {
        const causes = run.failed.map((name) => `${name}: ${failureOf(engine.transcript, name)}`).join("\n");
        throw new Error(`${what} failed (${run.summary.result}):\n${causes || (run.error?.message ?? "").slice(-3000)}`);
    }
    const requests = github.requests.slice(before);
    const repositoryRequests = requests.filter((line) => / (\/api\/v3)?\/repos\//.test(line)).length;
    return { ms, requests: requests.length, repositoryRequests, changes: run.summary.resourceChanges ?? {} };
}

/** One size: a fresh model and stack, brought up, left alone, then given a new Cachix token. */
async function runSize(repositories: number, options: BenchOptions): Promise<Record<Step, StepResult>> {
    const github = await startLocalGithub({ owner: OWNER });
    const engine = await createEngineStack(`github${repositories}`);
    try {
        for (let i = 1; i <= repositories; i++) {
            github.addRepository(`r${i}`);
        }
        // The engine's plugin cache is the stack's own: give it the real provider.
        const plugin = githubPlugin();
        fs.cpSync(plugin.dir, path.join(engine.dirs.pulumiHome, "plugins", path.basename(plugin.dir)), { recursive: true });
        await engine.stack.setAllConfig(stackConfig(github, repositories, "bench-token-1"));
        const results = {} as Record<Step, StepResult>;
        for (const step of STEPS) {
            if (step === "rotation") {
                await engine.stack.setConfig("nix-cache:cachixAuthToken", { value: "bench-token-2", secret: true });
            }
            results[step] = await measure(engine, github, `${repositories} repositories, ${step} up`);
            options.log(`github: ${repositories} repositories, ${step} up: ${duration(results[step].ms)}, ${results[step].requests} requests`);
        }
        checkConverged(github, repositories, results);
        return results;
    } finally {
        await engine.remove();
        await github.close();
    }
}

/** The figures are only worth recording if the runs did what they say: everything written, nothing changed by the no-op, only secrets by the rotation. */
function checkConverged(github: LocalGithub, repositories: number, results: Record<Step, StepResult>): void {
    const written = [...github.repositories.values()].filter((r) => r.secrets.has("CACHIX_AUTH_TOKEN") && r.branches.get(r.defaultBranch)!.files.has(".github/workflows/build.yml"));
    if (written.length !== repositories) {
        throw new Error(`github: only ${written.length} of ${repositories} repositories have the secret and the workflow`);
    }
    const changed = (step: Step) => Object.entries(results[step].changes).filter(([op, n]) => op !== "same" && (n ?? 0) > 0);
    if (changed("noop").length > 0) {
        throw new Error(`github: the no-op up changed ${JSON.stringify(results.noop.changes)}`);
    }
    if (JSON.stringify(changed("rotation")) !== JSON.stringify([["update", repositories]])) {
        throw new Error(`github: the rotation should update the ${repositories} secrets only: ${JSON.stringify(results.rotation.changes)}`);
    }
}

function rowsOf(sizes: readonly { repositories: number; results: Record<Step, StepResult> }[]): ResultRow[] {
    return sizes.flatMap(({ repositories, results }) =>
        STEPS.map((step) => {
            const { ms, requests, changes } = results[step];
            const perRepoS = ms / 1000 / repositories;
            const goal =
                step === "noop"
                    ? { reference: "goal, requests/repo", value: `≤ ${GOALS.noopRequests}`, ratio: ratio(results.noop.repositoryRequests / repositories / GOALS.noopRequests) }
                    : step === "rotation"
                      ? { reference: "goal, s/repo", value: `≤ ${GOALS.rotationSeconds}`, ratio: ratio(perRepoS / GOALS.rotationSeconds) }
                      : { reference: "—", value: "—", ratio: "—" };
            const summary = Object.entries(changes)
                .filter(([, n]) => (n ?? 0) > 0)
                .map(([op, n]) => `${n} ${op}`)
                .join(", ");
            return {
                part: "github",
                case: `${repositories} repos, ${step} up (${summary}): ${requests} requests (${results[step].repositoryRequests} about repos, ${sig3(results[step].repositoryRequests / repositories)}/repo)`,
                subject: `${step} up; s/repo`,
                subjectValue: `${duration(ms)}; ${sig3(perRepoS)}`,
                reference: goal.reference,
                referenceValue: goal.value,
                ratio: goal.ratio,
                memory: "—",
                runs: "1 run",
            };
        }),
    );
}

function findingsOf(sizes: readonly { repositories: number; results: Record<Step, StepResult> }[]): string[] {
    const largest = sizes[sizes.length - 1];
    const per = (step: Step) => largest.results[step].requests / largest.repositories;
    const noopMax = Math.max(...sizes.map((s) => s.results.noop.repositoryRequests / s.repositories));
    const rotationMax = Math.max(...sizes.map((s) => s.results.rotation.ms / 1000 / s.repositories));
    const smallest = sizes[0];
    const marginal = (step: Step) =>
        sizes.length < 2 ? undefined : (largest.results[step].ms - smallest.results[step].ms) / 1000 / (largest.repositories - smallest.repositories);
    const slopes = (["first", "noop", "rotation"] as const).map((step) => ({ step, slope: marginal(step) })).filter((s) => s.slope !== undefined);
    return [
        ...(slopes.length === 0
            ? []
            : [
                  `github: each further repository adds ${slopes.map((s) => `${sig3(s.slope!)} s to a ${s.step} up`).join(", ")} (between ${smallest.repositories} and ${largest.repositories} repositories); the rest is a run's fixed cost (CLI and provider start, the provider's 1 s pause after a secret update, checkpoints)`,
              ]),
        `github: requests per repository at ${largest.repositories} repositories: first up ${sig3(per("first"))}, no-op ${sig3(per("noop"))}, rotation ${sig3(per("rotation"))} (each run also looks up the owner once); they do not grow with the number of repositories or the file's history`,
        `github: no-op ≤ ${GOALS.noopRequests} requests per repository: ${noopMax <= GOALS.noopRequests ? "met" : "NOT met"} (at most ${sig3(noopMax)} about repositories, besides the owner's lookup); rotation ≤ ${GOALS.rotationSeconds} s per repository: ${sizes.every((s) => s.results.rotation.ms / 1000 / s.repositories <= GOALS.rotationSeconds) ? "met at every size" : `not met at every size (worst ${sig3(rotationMax)} s at the smallest, where the fixed cost of a run dominates)`}`,
    ];
}

/** Part 5: the GitHub half through the real engine and the real GitHub provider, against the local model of GitHub's REST API. */
export const githubScale: BenchPart = {
    name: "github",
    title: "GitHub half: requests and time per repository with the real provider against a local model of the API",
    async run(options: BenchOptions): Promise<PartResult> {
        const method = [
            "The project's program (inline, `up` without preview, as the Automation API runs it) with only a `github` section: N repositories, `secret.scope: repository`, the workflow committed to each default branch, the components' provider defaults (no write pause, parallel requests).",
            "The real pulumi-resource-github from the plugin cache (copied into the stack's own PULUMI_HOME) against scripts/localhost/githubApi.ts on 127.0.0.1 through `github:baseUrl`; requests are the model's request log, times the wall time of each `up`.",
            "Per size a fresh model and stack: a first up, a no-op up, then a rotation (a new `cachixAuthToken`). The part fails unless every repository has the secret and the file, the no-op changes nothing and the rotation updates only the N secrets.",
        ];
        const skipped = missing();
        if (skipped !== undefined) {
            return { rows: [], findings: [], method, skipped };
        }
        const sizes = [];
        for (const repositories of options.quick ? QUICK : FULL) {
            sizes.push({ repositories, results: await runSize(repositories, options) });
        }
        return { rows: rowsOf(sizes), findings: findingsOf(sizes), method };
    },
};
