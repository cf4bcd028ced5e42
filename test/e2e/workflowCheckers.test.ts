import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { renderStack } from "../../cli/render";
import { renderWorkflow } from "../../components/github/workflow";
import { CONFIG_SPACE, variantModel } from "../support/githubModels";
import { workflowParser } from "../support/parseWorkflows";
import { findTool, requireTools } from "../support/tools";

/**
 * Every rendered workflow goes through the real checkers: actionlint (built from its Go module
 * at a pinned version) and GitHub's own workflow parser. Broken workflows are fed to both
 * first, so a checker that silently accepts everything cannot make this file pass.
 */

const tools = requireTools(
    ["actionlint"],
    "build it with `bash scripts/toolchain.sh actionlint`, or " +
        "`GOBIN=$PWD/.tools/bin go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12`",
);
const shellcheck = findTool("shellcheck");
if (!tools.skip && shellcheck === undefined) {
    console.warn("NOTE: shellcheck is not installed; actionlint checks the workflows without checking their `run:` scripts (apt-get install shellcheck).");
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), "workflows-"));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

interface LintError {
    readonly message: string;
    readonly filepath: string;
    readonly line: number;
    readonly kind: string;
}

/** actionlint's findings for files; its exit status must agree with them. */
function actionlint(files: readonly string[]): LintError[] {
    const args = ["-format", "{{json .}}", "-shellcheck", shellcheck ?? "", ...files];
    const result = spawnSync(tools.paths.actionlint, args, { encoding: "utf8", cwd: work });
    if (result.status !== 0 && result.status !== 1) {
        throw new Error(`actionlint failed to run (status ${result.status}): ${result.stderr}`);
    }
    const errors = JSON.parse(result.stdout || "[]") as LintError[];
    expect(result.status === 1).toBe(errors.length > 0);
    return errors;
}

/** Writes a workflow where actionlint expects workflows, returning its path. */
function writeWorkflow(name: string, content: string): string {
    const file = path.join(work, ".github/workflows", `${name}.yml`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
    return file;
}

const rendered = CONFIG_SPACE.flatMap((variant) => {
    const model = variantModel(variant);
    return model.github.repositories.map((repo) => ({ name: `${variant.name}--${repo.name}`, content: renderWorkflow(model, repo) }));
});

describe.skipIf(tools.skip)("rendered workflows pass the real checkers", () => {
    it("the checkers reject broken workflows (so a pass means something)", () => {
        const good = rendered[0].content;
        const broken = [
            { name: "broken-no-runner", content: good.replace(/^ {4}runs-on: .*\n/m, "") },
            { name: "broken-bad-context", content: good.replace("secrets.CACHIX_AUTH_TOKEN", "secret.CACHIX_AUTH_TOKEN") },
            { name: "broken-bad-cron", content: good.replace('"51 2 * * *"', '"61 2 * * *"') },
        ];
        for (const file of broken) {
            expect(actionlint([writeWorkflow(file.name, file.content)]), file.name).not.toEqual([]);
        }
        const reports = workflowParser(broken.slice(0, 2));
        for (const report of reports) {
            expect(report.errors, report.name).not.toEqual([]);
        }
        for (const file of broken) {
            fs.rmSync(path.join(work, ".github/workflows", `${file.name}.yml`));
        }
    });

    it(`actionlint finds nothing in ${rendered.length} workflows over the configuration space`, () => {
        const files = rendered.map((w) => writeWorkflow(w.name, w.content));
        const errors = actionlint(files);
        expect(errors.map((e) => `${path.basename(e.filepath)}:${e.line}: [${e.kind}] ${e.message}`)).toEqual([]);
    });

    it("GitHub's workflow parser reports no errors in any of them", () => {
        const reports = workflowParser(rendered);
        expect(reports.map((r) => r.name)).toEqual(rendered.map((w) => w.name));
        expect(reports.filter((r) => r.errors.length > 0)).toEqual([]);
    });

    it("the atproto stack's rendered workflow passes both and matches the guide", () => {
        const out = fs.mkdtempSync(path.join(os.tmpdir(), "render-atproto-"));
        try {
            const manifest = renderStack("atproto", out);
            const entries = manifest.filter((e) => e.kind === "workflow");
            expect(entries).toEqual([
                {
                    kind: "workflow",
                    target: "github:atproto-nix/nur:.github/workflows/build.yml",
                    path: "github/atproto-nix/nur/.github/workflows/build.yml",
                },
            ]);
            const content = fs.readFileSync(path.join(out, entries[0].path), "utf8");
            expect(actionlint([writeWorkflow("atproto-stack", content)])).toEqual([]);
            expect(workflowParser([{ name: "build.yml", content }])).toEqual([{ name: "build.yml", errors: [] }]);

            const workflow = parse(content) as {
                on: { schedule: { cron: string }[] };
                jobs: { build: { steps: { uses?: string; with?: Record<string, string> }[] } };
            };
            const cachix = workflow.jobs.build.steps.find((s) => s.uses === "cachix/cachix-action@v16");
            expect(cachix?.with).toMatchObject({ name: "atproto", authToken: "${{ secrets.CACHIX_AUTH_TOKEN }}" });
            expect(workflow.on.schedule).toEqual([{ cron: "51 2 * * *" }]);
        } finally {
            fs.rmSync(out, { recursive: true, force: true });
        }
    });
});
