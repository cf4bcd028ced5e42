import { spawnSync } from "child_process";
import { randomUUID } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { renderWorkflow } from "../../components/github/workflow";
import { ATPROTO_KEY } from "../support/config";
import { ATPROTO_GITHUB, githubModel } from "../support/githubModels";
import { requireTools, run } from "../support/tools";

/**
 * The workflow's push and verify scripts, taken from the rendered file and run as a runner runs
 * them (`bash --noprofile --norc -eo pipefail`), against real Nix and a real binary cache (a
 * `file://` cache made by `nix copy`). A stand-in `cachix` copies paths into that cache, or,
 * to play a silent non-push, succeeds without copying: the verify step must then fail the job.
 */

const tools = requireTools(["nix", "nix-store", "bash"], "install Debian's nix-bin (bash scripts/system-deps.sh)");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "workflow-verify-"));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

interface Step {
    name: string;
    if?: string;
    env?: Record<string, string>;
    run?: string;
}

const cacheDir = path.join(work, "cache");
const model = githubModel(ATPROTO_GITHUB, { cache: { name: "atproto", url: `file://${cacheDir}`, publicKeys: [ATPROTO_KEY] } });
const steps = (parse(renderWorkflow(model, model.github.repositories[0])) as { jobs: { build: { steps: Step[] } } }).jobs.build.steps;
const pushStep = steps.find((s) => s.name === "Push build outputs to Cachix")!;
const verifyStep = steps.find((s) => s.name === "Verify build outputs are in the cache")!;
const summaryStep = steps.find((s) => s.name === "Summarize cache coverage")!;

/** A `cachix` that pushes into the file:// cache with `nix copy`, or silently does nothing. */
function fakeCachix(): string {
    const bin = path.join(work, "bin");
    fs.mkdirSync(bin, { recursive: true });
    const script = [
        "#!/usr/bin/env bash",
        "set -euo pipefail",
        'echo "$*" >> "$FAKE_CACHIX_LOG"',
        '[ "$1" = push ] || exit 2',
        'if [ "${FAKE_CACHIX_SILENT:-}" = 1 ]; then exit 0; fi',
        'xargs --no-run-if-empty nix copy --to "$FAKE_CACHE_URL"',
        "",
    ].join("\n");
    fs.writeFileSync(path.join(bin, "cachix"), script, { mode: 0o755 });
    return bin;
}

interface Run {
    readonly status: number | null;
    readonly output: string;
    readonly cachixCalls: string[];
}

/** Runs one step's script the way a runner does, with its env (secrets filled in by the test). */
function runStep(step: Step, runnerTemp: string, extraEnv: Record<string, string>): Run {
    const scriptFile = path.join(runnerTemp, `${step.name.replace(/\W+/g, "-")}.sh`);
    fs.writeFileSync(scriptFile, step.run!);
    const log = path.join(runnerTemp, "cachix.log");
    fs.writeFileSync(log, "");
    const env: Record<string, string> = {
        PATH: `${fakeCachix()}${path.delimiter}${process.env.PATH}`,
        HOME: process.env.HOME ?? work,
        RUNNER_TEMP: runnerTemp,
        // What install-nix-action turns on for the runner.
        NIX_CONFIG: "experimental-features = nix-command",
        FAKE_CACHIX_LOG: log,
        FAKE_CACHE_URL: `file://${cacheDir}`,
        ...Object.fromEntries(Object.entries(step.env ?? {}).filter(([, v]) => !v.includes("${{"))),
        ...extraEnv,
    };
    const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", scriptFile], { encoding: "utf8", env });
    return { status: result.status, output: `${result.stdout}${result.stderr}`, cachixCalls: fs.readFileSync(log, "utf8").split("\n").filter(Boolean) };
}

/** A fresh runner temp dir whose build "printed" these output paths. */
function runnerWithOutputs(outputs: readonly string[]): string {
    const dir = fs.mkdtempSync(path.join(work, "runner-"));
    fs.writeFileSync(path.join(dir, "nix-cache-outputs"), outputs.map((o) => `${o}\n`).join(""));
    return dir;
}

/** A new store path, as a build would produce. */
function storePath(): string {
    const file = path.join(work, `out-${randomUUID()}`);
    fs.writeFileSync(file, randomUUID());
    return run("nix-store", ["--add", file]).trim();
}

describe.skipIf(tools.skip)("push and verify steps, run for real against a binary cache", () => {
    it("the steps read the cache from env: name for cachix, URL for nix", () => {
        expect(pushStep.env).toMatchObject({ CACHE_NAME: "atproto" });
        expect(verifyStep.env).toEqual({ CACHE_URL: `file://${cacheDir}` });
    });

    it("pushed outputs are found in the cache: both steps succeed", () => {
        const outputs = [storePath(), storePath()];
        const runner = runnerWithOutputs(outputs);
        const push = runStep(pushStep, runner, { CACHIX_AUTH_TOKEN: "token" });
        expect(push.status, push.output).toBe(0);
        expect(push.cachixCalls).toEqual(["push atproto"]);
        const verify = runStep(verifyStep, runner, {});
        expect(verify.status, verify.output).toBe(0);
        for (const out of outputs) {
            expect(verify.output).toContain(`in cache: ${out}`);
        }
    });

    it("signing-key mode's push step needs both the auth token and the signing key", () => {
        const signing = githubModel({ ...ATPROTO_GITHUB, secret: { credential: "signingKey" } }, { cache: { name: "atproto", url: `file://${cacheDir}`, publicKeys: [ATPROTO_KEY] } });
        const signingSteps = (parse(renderWorkflow(signing, signing.github.repositories[0])) as { jobs: { build: { steps: Step[] } } }).jobs.build.steps;
        const signingPush = signingSteps.find((s) => s.name === "Push build outputs to Cachix")!;
        const runner = runnerWithOutputs([storePath()]);
        const keyOnly = runStep(signingPush, runner, { CACHIX_AUTH_TOKEN: "", CACHIX_SIGNING_KEY: "key" });
        expect(keyOnly.status).toBe(1);
        expect(keyOnly.output).toContain("::error::The CACHIX_AUTH_TOKEN secret is empty");
        expect(keyOnly.cachixCalls).toEqual([]);
        const both = runStep(signingPush, runner, { CACHIX_AUTH_TOKEN: "token", CACHIX_SIGNING_KEY: "key" });
        expect(both.status, both.output).toBe(0);
        expect(both.cachixCalls).toEqual(["push atproto"]);
    });

    it("a silent non-push (cachix succeeds, nothing uploaded) fails the verify step", () => {
        const out = storePath();
        const runner = runnerWithOutputs([out]);
        const push = runStep(pushStep, runner, { CACHIX_AUTH_TOKEN: "token", FAKE_CACHIX_SILENT: "1" });
        expect(push.status, push.output).toBe(0);
        const verify = runStep(verifyStep, runner, {});
        expect(verify.status).toBe(1);
        expect(verify.output).toContain(`::error::${out} is not in file://${cacheDir} after pushing.`);
    });

    it("names exactly the outputs that are missing", () => {
        const [present, missing] = [storePath(), storePath()];
        run("nix", ["--extra-experimental-features", "nix-command", "copy", "--to", `file://${cacheDir}`, present]);
        const verify = runStep(verifyStep, runnerWithOutputs([present, missing]), {});
        expect(verify.status).toBe(1);
        expect(verify.output).toContain(`in cache: ${present}`);
        expect(verify.output).toContain(`::error::${missing} is not in`);
        expect(verify.output).not.toContain(`::error::${present}`);
    });

    it("a run that must push but has no secret fails loudly before calling cachix", () => {
        const push = runStep(pushStep, runnerWithOutputs([storePath()]), { CACHIX_AUTH_TOKEN: "" });
        expect(push.status).toBe(1);
        expect(push.output).toContain("::error::The CACHIX_AUTH_TOKEN secret is empty or not visible to this run");
        expect(push.cachixCalls).toEqual([]);
    });

    it("a build that printed no outputs fails verification", () => {
        const verify = runStep(verifyStep, runnerWithOutputs([]), {});
        expect(verify.status).toBe(1);
        expect(verify.output).toContain("::error::The build printed no output paths.");
    });

    it("the job summary lists each output, whether this run pushed it, and whether the cache has it, with its size", () => {
        const [pushed, absent] = [storePath(), storePath()];
        run("nix", ["--extra-experimental-features", "nix-command", "copy", "--to", `file://${cacheDir}`, pushed]);
        const runner = runnerWithOutputs([pushed, absent]);
        const summaryFile = path.join(runner, "summary.md");
        fs.writeFileSync(summaryFile, "earlier step's summary\n");
        // As GitHub fills the step's env: the label and the push step's outcome.
        const result = runStep(summaryStep, runner, { GITHUB_STEP_SUMMARY: summaryFile, JOB_LABEL: "Build hello", PUSHED: "success" });
        expect(result.status, result.output).toBe(0);
        const size = JSON.parse(run("nix", ["--extra-experimental-features", "nix-command", "path-info", "--json", "--store", `file://${cacheDir}`, pushed]))[0].narSize as number;
        expect(fs.readFileSync(summaryFile, "utf8")).toBe(
            [
                "earlier step's summary",
                "### Build hello",
                "",
                `| Output | Pushed | In file://${cacheDir} | Size (bytes) |`,
                "| --- | --- | --- | --- |",
                `| \`${pushed}\` | success | yes | ${size} |`,
                `| \`${absent}\` | success | **no** | - |`,
                "",
                "1 of 2 outputs in the cache.",
                "",
            ].join("\n"),
        );
        expect(summaryStep.env).toMatchObject({ CACHE_URL: `file://${cacheDir}`, PUSHED: "${{ steps.push.outcome }}" });
        expect(summaryStep.if).toBe("!cancelled() && steps.build.outcome == 'success'");
    });
});
