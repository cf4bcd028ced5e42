import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it, vi } from "vitest";
import { corpusCases, engineConfig, missingProblems } from "../support/corpus";
import { installMocks } from "../support/mocks";

// YAML errors are the engine's to report: it never hands the program a file it cannot parse.
// Nor does it hand over a stack file's spelling: of a key written two ways, it keeps one.
// The corpus names agent sockets of a real machine; here every one answers, so a case fails on
// its config only (the agent checks have their own tests).
vi.mock("../../components/hosts/agentSocket", async (original) => {
    const actual = await original<typeof import("../../components/hosts/agentSocket")>();
    return { ...actual, agentSocketProblem: (host: Parameters<typeof actual.agentSocketProblem>[0]) => actual.agentSocketProblem(host, { SSH_AUTH_SOCK: "/agent" }, () => true) };
});

const cases = corpusCases().filter((c) => !c.expect.some((e) => e.path === "yaml") && c.expectRender.length === 0);

/**
 * Waits until every registration the program started has reached the mocks, so that absence
 * can be asserted and the next case's mocks see none of this one's. The SDK exports its RPC
 * queue's drain, but not in its typings.
 */
const settle = () => (require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> }).waitForRPCs();

describe("the hostile-input corpus through the program under mocks", () => {
    it("covers the corpus", () => {
        expect(cases.length).toBeGreaterThanOrEqual(150);
    });

    it.each(cases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
        const { config, secrets } = engineConfig(c.file);
        // No Cachix under mocks: each case is the stack's own checks (the keys then required).
        if (typeof config.cache === "object" && config.cache !== null && !Array.isArray(config.cache)) {
            config.cache = { offline: true, ...config.cache };
        }
        const registered = await installMocks(config, secrets);
        const { nixCacheProgram } = await import("../../program");
        const expected = [...c.expect, ...c.expectProgram];
        let outputs: Awaited<ReturnType<typeof nixCacheProgram>> | undefined;
        let failure: Error | undefined;
        try {
            outputs = await nixCacheProgram();
        } catch (error) {
            failure = error as Error;
        }
        if (expected.length === 0) {
            expect(failure?.message).toBeUndefined();
            // Every output resolves: nothing after validation fails on a value's shape.
            const resolved = await new Promise((resolve) => pulumi.output(outputs).apply(resolve));
            expect(resolved).toHaveProperty("cacheUrl");
            await settle();
            expect(registered.length).toBeGreaterThan(0);
            c.hidden.forEach((h) => expect(JSON.stringify(registered.map((r) => r.inputs))).not.toContain(h));
            return;
        }
        expect(failure).toBeInstanceOf(pulumi.RunError);
        const message = failure?.message ?? "";
        expect(message).toMatch(/^Invalid stack configuration \(\d+ problems?\):\n/);
        const lines = message.split("\n").slice(1).map((l) => l.replace(/^ {2}- /, ""));
        expect(missingProblems(lines, expected), message).toEqual([]);
        c.hidden.forEach((h) => expect(message).not.toContain(h));
        Object.values(secrets).forEach((s) => expect(message).not.toContain(s));
        await settle();
        expect(registered).toEqual([]);
    });
});
