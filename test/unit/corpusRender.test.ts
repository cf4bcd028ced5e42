import Ajv2020 from "ajv/dist/2020";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { renderStack } from "../../cli/render";
import { SCHEMA_FILE } from "../../cli/schema";
import { ConfigValidationError } from "../../components/config/problems";
import { StackFileError } from "../../components/config/sources";
import { CORPUS_DIR, corpusCases, missingProblems } from "../support/corpus";
import { workflowParser } from "../support/parseWorkflows";

const cases = corpusCases();
const work = fs.mkdtempSync(path.join(os.tmpdir(), "corpus-render-"));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
const validateSchema = new Ajv2020({ allErrors: true, strict: false }).compile(JSON.parse(fs.readFileSync(SCHEMA_FILE, "utf8")));
/** Every workflow rendered from an accepted case, for GitHub's parser at the end. */
const workflows: { name: string; content: string }[] = [];

/** Runs `render` on one case: what it threw, or undefined when it wrote its output. */
function render(name: string, out: string): Error | undefined {
    try {
        renderStack(name, out, CORPUS_DIR);
        return undefined;
    } catch (error) {
        return error as Error;
    }
}

describe("the hostile-input corpus through render", () => {
    it("has at least 150 stacks, rejected ones and accepted ones", () => {
        expect(cases.length).toBeGreaterThanOrEqual(150);
        expect(cases.filter((c) => c.expect.length === 0).length).toBeGreaterThanOrEqual(20);
    });

    it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
        const out = path.join(work, c.name);
        const error = render(c.name, out);
        const expected = [...c.expect, ...c.expectRender];
        if (expected.length === 0) {
            expect(error?.message).toBeUndefined();
            const files = JSON.parse(fs.readFileSync(path.join(out, "manifest.json"), "utf8")) as { kind: string; path: string }[];
            for (const file of files) {
                const content = fs.readFileSync(path.join(out, file.path), "utf8");
                c.hidden.forEach((h) => expect(content).not.toContain(h));
                if (file.kind === "workflow") {
                    workflows.push({ name: `${c.name}/${file.path}`, content });
                }
            }
            // What the program accepts, an editor checking the JSON Schema must accept too.
            expect(validateSchema(parse(fs.readFileSync(c.file, "utf8"))), JSON.stringify(validateSchema.errors)).toBe(true);
            return;
        }
        expect(fs.existsSync(out)).toBe(false);
        expect(error).toBeDefined();
        const message = error?.message ?? "";
        c.hidden.forEach((h) => expect(message).not.toContain(h));
        if (expected.some((e) => e.path === "yaml")) {
            expect(error).toBeInstanceOf(StackFileError);
            expect(message).toContain(`Cannot read stack file ${c.file}: `);
            expect(message.length).toBeLessThan(c.file.length + 200);
            expected.forEach((e) => expect(message).toContain(e.fragment));
            return;
        }
        expect(error).toBeInstanceOf(ConfigValidationError);
        const lines = (error as ConfigValidationError).problems.map((p) => `${p.path}: ${p.message}`);
        expect(missingProblems(lines, expected), lines.join("\n")).toEqual([]);
        // Short messages: a long value is cut, never repeated whole.
        lines.forEach((line) => expect(line.length, line).toBeLessThan(1000));
        expect(message).not.toMatch(/Invalid URL|TypeError|at .*\.ts:\d+/);
    });

    it("renders workflows that GitHub's own parser accepts, schedules included", () => {
        expect(workflows.length).toBeGreaterThanOrEqual(10);
        const failed = workflowParser(workflows).filter((r) => r.errors.length > 0);
        expect(failed).toEqual([]);
    });
});
