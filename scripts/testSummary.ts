/**
 * The test command's closing line, from vitest's JSON report: the counts, and under CI
 * (`CI=true`) a failure for every skipped test, since the test command installs every real
 * program the suite uses: a skip there means an install is broken, or a hook before it failed.
 *
 *   tsx scripts/testSummary.ts REPORT.json     exit status 1 when CI is set and a test skipped
 */
import * as fs from "fs";
import * as path from "path";

/** The part of vitest's JSON report (Jest's format) read here. */
interface JsonReport {
    readonly numPassedTests: number;
    readonly numFailedTests: number;
    readonly testResults?: readonly { readonly name: string; readonly assertionResults?: readonly { readonly status: string; readonly fullName: string }[] }[];
}

const NOT_RUN = new Set(["skipped", "pending", "todo", "disabled"]);

/** Every test that did not run, as `FILE: FULL NAME`. */
export function skippedTests(report: JsonReport, cwd: string): string[] {
    return (report.testResults ?? []).flatMap((file) =>
        (file.assertionResults ?? []).filter((test) => NOT_RUN.has(test.status)).map((test) => `${path.relative(cwd, file.name)}: ${test.fullName}`),
    );
}

function main(reportFile: string): number {
    let report: JsonReport;
    try {
        report = JSON.parse(fs.readFileSync(reportFile, "utf8")) as JsonReport;
    } catch (error) {
        console.log(`tests: no results were written (${(error as Error).message})`);
        return 1;
    }
    const skipped = skippedTests(report, process.cwd());
    console.log(`tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped.length} skipped`);
    if (skipped.length === 0 || !process.env.CI) {
        return 0;
    }
    console.log("CI=true: a skipped test fails the run (a real program it needs is missing, or a hook before it failed):");
    skipped.forEach((name) => console.log(`  - ${name}`));
    return 1;
}

if (require.main === module) {
    process.exitCode = main(process.argv[2]);
}
