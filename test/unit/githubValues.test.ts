import { describe, expect, it } from "vitest";
import { ConfigValidationError } from "../../components/config/problems";
import { ATPROTO_KEY } from "../support/config";
import { ATPROTO_GITHUB, githubModel } from "../support/githubModels";

/** Every value that reaches a workflow is checked before anything is rendered or created. */

function problemsOf(github: Record<string, unknown>, extra: Record<string, unknown> = {}): string[] {
    try {
        githubModel(github, extra);
        return [];
    } catch (error) {
        if (!(error instanceof ConfigValidationError)) {
            throw error;
        }
        return error.problems.map((p) => `${p.path}: ${p.message}`);
    }
}

describe("values that reach the workflow", () => {
    it.each(["61 25 * * *", "every night at two am", "0 0 * * 7-1", "@daily"])("refuses the schedule %j, naming the key", (schedule) => {
        expect(problemsOf({ ...ATPROTO_GITHUB, workflow: { schedule } })).toEqual([
            expect.stringMatching(/^nix-cache:github\.workflow\.schedule: ".*" is not valid; expected a five-field cron expression/),
        ]);
    });

    it.each(["0 4 * * MON-FRI", "*/15 * * * *", "0 0 1 JAN,JUL *"])("accepts the schedule %j", (schedule) => {
        expect(problemsOf({ ...ATPROTO_GITHUB, workflow: { schedule } })).toEqual([]);
    });

    it("refuses an expression as an environment name, and a newline in one", () => {
        const env = (environment: string) => problemsOf({ ...ATPROTO_GITHUB, secret: { scope: "environment", environment } });
        expect(env("${{ github.head_ref }}")).toEqual([expect.stringMatching(/^nix-cache:github\.secret\.environment: "\$\{\{ github\.head_ref \}\}" is not valid/)]);
        expect(env("cachix\nprod")).toEqual([expect.stringMatching(/^nix-cache:github\.secret\.environment: "cachix\\nprod" is not valid; expected a GitHub environment name/)]);
        expect(env("nix cache")).toEqual([]);
    });

    it("refuses an expression anywhere in the sections the workflow is made from", () => {
        const cache = { name: "atproto", url: "https://atproto.cachix.org/${{ github.head_ref }}", publicKeys: [ATPROTO_KEY] };
        // Each refused once, by its own rule or by this one.
        expect(problemsOf(ATPROTO_GITHUB, { cache })).toEqual([expect.stringMatching(/^nix-cache:cache\.url: /)]);
        expect(problemsOf({ ...ATPROTO_GITHUB, repositories: [{ name: "nur", branch: "${{ github.head_ref }}" }] })).toEqual([
            expect.stringMatching(/^nix-cache:github\.repositories\[0\]\.branch: /),
        ]);
        expect(problemsOf({ ...ATPROTO_GITHUB, workflow: { cachixOptions: { pushFilter: "-doc$|${{ github.actor }}" } } })).toEqual([
            "nix-cache:github.workflow.cachixOptions.pushFilter: would open a GitHub expression in the workflow; expected text without ${{",
        ]);
        expect(problemsOf({ ...ATPROTO_GITHUB, workflow: { commitMessage: "ci: ${{ secrets.X }}" } })).toEqual([
            "nix-cache:github.workflow.commitMessage: would open a GitHub expression in the workflow; expected text without ${{",
        ]);
    });

    it("takes createEnvironment or manageEnvironment, not both, and only for environment secrets", () => {
        expect(problemsOf({ ...ATPROTO_GITHUB, secret: { scope: "environment", environment: "cachix", createEnvironment: true, manageEnvironment: true } })).toEqual([
            "nix-cache:github.secret.manageEnvironment: excludes createEnvironment: the stack either creates a missing environment or owns it; set one",
        ]);
        expect(problemsOf({ ...ATPROTO_GITHUB, secret: { manageEnvironment: true } })).toEqual([
            'nix-cache:github.secret.manageEnvironment: only applies when scope is environment; scope is "repository"',
        ]);
    });

    it("leaves values outside the workflow alone when there is no github section", async () => {
        const { loadStackModel } = await import("../../components/config/load");
        const { rawConfig } = await import("../support/config");
        const cache = { name: "atproto", publicKeys: [ATPROTO_KEY] };
        expect(() => loadStackModel(rawConfig({ cache, hosts: [] }), { mode: "render" })).not.toThrow();
    });
});
