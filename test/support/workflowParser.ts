/**
 * Runs GitHub's own workflow parser (`@actions/workflow-parser`) over workflow files given as
 * JSON `[{name, content}]` on stdin and prints `[{name, errors}]`. It runs in its own process
 * under tsx because the package is ESM-only and imports JSON without import attributes, which
 * the test runner's Node loader refuses.
 */
import * as fs from "fs";

/** One file to check. */
export interface ParserInput {
    readonly name: string;
    readonly content: string;
}

/** What the parser reported for one file. */
export interface ParserReport {
    readonly name: string;
    readonly errors: string[];
}

type Parser = typeof import("@actions/workflow-parser");

async function check(parser: Parser, file: ParserInput): Promise<ParserReport> {
    const { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } = parser;
    const parsed = parseWorkflow(file, new NoOperationTraceWriter());
    const errors = parsed.context.errors.getErrors().map((e) => e.message);
    if (parsed.value === undefined) {
        return { name: file.name, errors: [...errors, "the parser returned no workflow"] };
    }
    // Conversion checks what parsing alone does not, such as job and step references.
    const template = await convertWorkflowTemplate(parsed.context, parsed.value);
    const converted = (template.errors ?? []).map((e) => e.Message);
    return { name: file.name, errors: [...new Set([...errors, ...converted])] };
}

async function main(): Promise<void> {
    const parser: Parser = await import("@actions/workflow-parser");
    const files = JSON.parse(fs.readFileSync(0, "utf8")) as ParserInput[];
    const reports = await Promise.all(files.map((file) => check(parser, file)));
    process.stdout.write(JSON.stringify(reports));
}

void main();
