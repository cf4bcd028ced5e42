import { describe, expect, it } from "vitest";
import { skippedTests } from "../../scripts/testSummary";

describe("the test command's summary", () => {
    it("lists every test that did not run, by file and name", () => {
        const report = {
            numPassedTests: 1,
            numFailedTests: 0,
            testResults: [
                { name: "/repo/test/e2e/a.test.ts", assertionResults: [{ status: "passed", fullName: "runs" }, { status: "skipped", fullName: "host > applies" }] },
                { name: "/repo/test/e2e/b.test.ts", assertionResults: [{ status: "pending", fullName: "later" }, { status: "todo", fullName: "someday" }, { status: "failed", fullName: "breaks" }] },
            ],
        };
        expect(skippedTests(report, "/repo")).toEqual(["test/e2e/a.test.ts: host > applies", "test/e2e/b.test.ts: later", "test/e2e/b.test.ts: someday"]);
        expect(skippedTests({ numPassedTests: 0, numFailedTests: 0 }, "/repo")).toEqual([]);
    });
});
