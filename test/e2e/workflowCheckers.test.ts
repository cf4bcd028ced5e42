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

    it("the config accepts exactly the schedules GitHub's parser accepts", () => {
        const crons = [
            "51 2 * * *", "0 4 * * 1", "*/15 * * * *", "0 0 1 JAN,JUL *", "30 5 * * MON-FRI", "0 0-23/6 * * *", "0 12 1-7 * SUN",
            "61 25 * * *", "every night at two am", "* * * *", "0 0 * * 7-1", "0 0 32 * *", "0 0 * 13 *", "@daily", "0 0 * * * *", "5-1 * * * *",
        ];
        const guide = rendered[0].content;
        const judged = crons.map((cron) => {
            let accepted = true;
            try {
                variantModel({ name: "cron", github: { ...CONFIG_SPACE[0].github, workflow: { schedule: cron } } });
            } catch {
                accepted = false;
            }
            return { cron, accepted, content: guide.replace('"51 2 * * *"', JSON.stringify(cron)) };
        });
        const reports = workflowParser(judged.map((j, i) => ({ name: `cron-${i}`, content: j.content })));
        expect(judged.map((j, i) => ({ cron: j.cron, accepted: j.accepted, parser: reports[i].errors.length === 0 }))).toEqual(
            judged.map((j) => ({ cron: j.cron, accepted: j.accepted, parser: j.accepted })),
        );
        // Both sides reject some and accept some, so agreement means something.
        expect(judged.filter((j) => j.accepted).length).toBeGreaterThan(3);
        expect(judged.filter((j) => !j.accepted).length).toBeGreaterThan(3);
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
            // The current majors, pinned to their commits with the exact version as a comment.
            expect(content).toContain("uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1\n");
            expect(content).toContain("uses: cachix/install-nix-action@630ae543ea3a38a9a4166f03376c02c50f408342 # v31.11.0\n");
            expect(content).toContain("uses: cachix/cachix-action@1eb2ef646ac0255473d23a5907ad7b04ce94065c # v17\n");
            const cachix = workflow.jobs.build.steps.find((s) => s.uses === "cachix/cachix-action@1eb2ef646ac0255473d23a5907ad7b04ce94065c");
            expect(cachix?.with).toMatchObject({ name: "atproto", authToken: "${{ secrets.CACHIX_AUTH_TOKEN }}" });
            expect(workflow.on.schedule).toEqual([{ cron: "51 2 * * *" }]);
        } finally {
            fs.rmSync(out, { recursive: true, force: true });
        }
    });
});
