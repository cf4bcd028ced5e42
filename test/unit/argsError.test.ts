import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { ArgsError, argsPath } from "../../components/config/argsError";
import { inputPropertiesError, valueAt } from "../../components/provider/componentProvider";

// The components' one argument error: a message for people, each problem at its property path
// for the component provider, which hands them to the engine as an InputPropertiesError.

describe("ArgsError", () => {
    it("lists every problem under the component's name, and keeps them with their paths", () => {
        const problems = [
            { path: "hosts[0].hostKey", message: "is required" },
            { path: "cache.name", message: '"X" is not valid; expected a DNS label' },
        ];
        const error = new ArgsError("CacheSetup", "org", problems);
        expect(error.message).toBe('CacheSetup org: invalid arguments (2 problems):\n  - hosts[0].hostKey: is required\n  - cache.name: "X" is not valid; expected a DNS label');
        expect(error.problems).toEqual(problems);
        // A RunError: a program ends with the message alone, no stack dump.
        expect(pulumi.RunError.isInstance(error)).toBe(true);
        expect(ArgsError.isInstance(error)).toBe(true);
        expect(ArgsError.isInstance(new pulumi.RunError("x"))).toBe(false);
    });

    it("takes a message of its own when one sentence says it better", () => {
        const error = new ArgsError("GithubCi", "ci", [{ path: "signingKey", message: "is required" }], "no signing key was given");
        expect(error.message).toBe("GithubCi ci: no signing key was given");
        expect(error.problems).toEqual([{ path: "signingKey", message: "is required" }]);
    });

    it("spells paths as Pulumi property paths, hiding a secret-looking key", () => {
        expect(argsPath(["hosts", 0, "proxy", "hostKey"])).toBe("hosts[0].proxy.hostKey");
        expect(argsPath(["github", "workflow", "actions", "pins", "a/b"])).toBe("github.workflow.actions.pins.a/b");
        expect(argsPath([])).toBe("");
        expect(argsPath(["extraCaches", 0, "ghp_" + "a".repeat(36)])).not.toContain("ghp_");
    });
});

describe("inputPropertiesError", () => {
    it("puts each problem on its property, under the error's first line", () => {
        const error = inputPropertiesError(new ArgsError("NixHost", "b", [{ path: "host.address", message: '"a b" is not valid' }]));
        expect(pulumi.InputPropertiesError.isInstance(error)).toBe(true);
        expect(error.message).toBe("NixHost b: invalid arguments (1 problem):");
        expect(error.errors).toEqual([{ propertyPath: "host.address", reason: '"a b" is not valid' }]);
    });

    it("keeps in the message, by path only, a problem whose value the engine would print and must not: a secret, a credential", () => {
        const token = `ghp_${"a".repeat(36)}`;
        const inputs = { github: { owner: token, repositories: [{ name: "r" }] }, hosts: [{ address: pulumi.secret("10.0.0.1"), hostKey: "nope" }] };
        const error = new ArgsError("CacheSetup", "s", [
            { path: "github.owner", message: "holds what looks like a GitHub token (hidden)" },
            { path: "hosts[0].address", message: "must be a known plain value" },
            { path: "hosts[0].hostKey", message: '"nope" is not valid' },
            { path: "cachixAuthToken", message: "is required" },
        ]);
        const mapped = inputPropertiesError(error, inputs);
        expect(mapped.errors).toEqual([
            { propertyPath: "hosts[0].hostKey", reason: '"nope" is not valid' },
            { propertyPath: "cachixAuthToken", reason: "is required" },
        ]);
        expect(mapped.message).toBe("CacheSetup s: invalid arguments (4 problems):\n  - github.owner: holds what looks like a GitHub token (hidden)\n  - hosts[0].address: must be a known plain value");
        expect(JSON.stringify(mapped)).not.toContain(token);
    });

    it("reads the value at a property path", () => {
        const inputs = { hosts: [{ proxy: { port: 22 } }], cache: { name: "c" } };
        expect(valueAt(inputs, "hosts[0].proxy.port")).toBe(22);
        expect(valueAt(inputs, "cache.name")).toBe("c");
        expect(valueAt(inputs, "hosts[1].address")).toBeUndefined();
        expect(valueAt(inputs, "cache.toString")).toBeUndefined();
    });
});
