import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { renderWorkflow } from "../../components/github/workflow";
import { buildEntries } from "../../components/github/workflowJobs";
import { ConfigValidationError } from "../../components/config/problems";
import { CONFIG_SPACE, githubModel, variantModel } from "../support/githubModels";

interface Job {
    name: string;
    "runs-on": string;
    "timeout-minutes"?: number;
    strategy?: { matrix: { include?: Record<string, string>[]; target?: string[] } };
    steps: { name: string; uses?: string; with?: Record<string, unknown>; run?: string; env?: Record<string, string> }[];
}

const variant = (name: string) => variantModel(CONFIG_SPACE.find((v) => v.name === name)!);
const jobsOf = (name: string, repo = 0) => {
    const model = variant(name);
    return (parse(renderWorkflow(model, model.github.repositories[repo])) as { jobs: Record<string, Job> }).jobs;
};

describe("systems", () => {
    it("builds each target on each system's runner, with per-system targets and GitHub's default runners", () => {
        const model = variant("systems-matrix");
        expect(buildEntries(model.github, model.github.repositories[0])).toEqual([
            { system: "x86_64-linux", runner: "ubuntu-latest", target: "microcosm-all" },
            { system: "x86_64-linux", runner: "ubuntu-latest", target: "tangled-all" },
            { system: "aarch64-linux", runner: "ubuntu-24.04-arm", target: "microcosm-all" },
            { system: "aarch64-linux", runner: "ubuntu-24.04-arm", target: "tangled-all" },
            { system: "aarch64-darwin", runner: "macos-15", target: "darwin-tools" },
        ]);
        // A repository without targets builds the flake's default package per system.
        expect(buildEntries(model.github, model.github.repositories[1]).map((e) => e.target)).toEqual(["default", "default", "default"]);
        const { build } = jobsOf("systems-matrix");
        expect(build["runs-on"]).toBe("${{ matrix.runner }}");
        expect(build.name).toBe("Build ${{ matrix.target }} (${{ matrix.system }})");
        expect(build.strategy?.matrix.include).toHaveLength(5);
        expect(build.steps.find((s) => s.name === "Build")?.env).toEqual({ TARGET: "${{ matrix.target }}" });
    });

    it("one cache for all systems; cachix-action's options and the timeout on every job", () => {
        const jobs = jobsOf("systems-matrix");
        for (const job of Object.values(jobs)) {
            expect(job["timeout-minutes"]).toBe(90);
            expect(job.steps.find((s) => s.name === "Set up Cachix")?.with).toMatchObject({
                name: "atproto",
                pushFilter: "(-source$|nixpkgs\\.tar\\.gz$)",
                useDaemon: false,
                cachixArgs: "--compression-level 9",
            });
        }
    });

    it("nix flake check runs in its own job, once per system", () => {
        const { check } = jobsOf("systems-matrix");
        expect(check.strategy?.matrix.include).toEqual([
            { system: "x86_64-linux", runner: "ubuntu-latest" },
            { system: "aarch64-linux", runner: "ubuntu-24.04-arm" },
            { system: "aarch64-darwin", runner: "macos-15" },
        ]);
        expect(check.steps.at(-1)).toEqual({ name: "Check the flake", run: "nix flake check -L\n" });
        expect(jobsOf("guide").check).toBeUndefined();
    });

    it("refuses a system GitHub hosts no runner for unless runsOn is given, and duplicates", () => {
        const problems = (workflow: Record<string, unknown>) => {
            try {
                githubModel({ owner: "atproto-nix", repositories: ["nur"], workflow });
                return [];
            } catch (error) {
                return (error as ConfigValidationError).problems.map((p) => `${p.path}: ${p.message}`);
            }
        };
        expect(problems({ systems: ["x86_64-darwin"] })).toEqual([
            'nix-cache:github.workflow.systems[0].runsOn: is required for system "x86_64-darwin"; GitHub hosts no default runner for it',
        ]);
        expect(problems({ systems: [{ system: "x86_64-darwin", runsOn: "macos-15-intel" }] })).toEqual([]);
        expect(problems({ systems: ["x86_64-linux", "x86_64-linux"] })).toEqual(['nix-cache:github.workflow.systems: duplicate system "x86_64-linux"; each must appear once']);
        expect(problems({ timeoutMinutes: 0 })).toEqual(['nix-cache:github.workflow.timeoutMinutes: expected an integer from 1 to 4320; got 0']);
        const targets = (workflow: Record<string, unknown>) => {
            try {
                githubModel({ owner: "atproto-nix", repositories: [{ name: "nur", targetsBySystem: { "aarch64-darwin": ["x"] } }], workflow });
                return [];
            } catch (error) {
                return (error as ConfigValidationError).problems.map((p) => `${p.path}: ${p.message}`);
            }
        };
        expect(targets({ systems: ["x86_64-linux"] })).toEqual([
            "nix-cache:github.repositories[0].targetsBySystem.aarch64-darwin: is not a system the workflow builds; expected one of workflow.systems: x86_64-linux",
        ]);
        expect(targets({ systems: ["aarch64-darwin"] })).toEqual([]);
        expect(() => githubModel({ owner: "atproto-nix", repositories: [{ name: "nur", branch: "ci" }], workflow: { delivery: "pullRequest", deliveryBranch: "ci" } })).toThrow(
            'nix-cache:github.repositories[0].branch: is workflow.deliveryBranch "ci"; the pull request needs two branches',
        );
    });
});

describe("installer inputs", () => {
    it("passes extra nix.conf lines as each installer takes them", () => {
        const steps = jobsOf("determinate-installer").build.steps;
        expect(steps.find((s) => s.name === "Install Nix")).toEqual({
            name: "Install Nix",
            uses: "DeterminateSystems/nix-installer-action@v21",
            with: { "extra-conf": "accept-flake-config = true" },
        });
        expect(jobsOf("customised").build.steps.find((s) => s.name === "Install Nix")?.with).toEqual({
            extra_nix_config: "accept-flake-config = true\nmax-jobs = auto",
        });
    });

    it("refuses extra nix.conf lines for an installer whose input is not known", () => {
        expect(() => githubModel({ owner: "atproto-nix", repositories: ["nur"], workflow: { extraNixConfig: "a = b", actions: { installNix: "someone/nix-action@v1" } } })).toThrow(
            'nix-cache:github.workflow.extraNixConfig: cannot be passed to "someone/nix-action": its nix.conf input is not known',
        );
    });
});
