import { describe, expect, it } from "vitest";
import { installMocks } from "../support/mocks";

describe("the program (index.ts) with a broken stack config", () => {
    it("fails with every problem before registering any resource", async () => {
        const registered = await installMocks({
            cache: { name: "Bad", publicKeys: ["nope"] },
            hosts: [{ name: "h", kind: "nix", address: "h" }],
            tpyo: true,
        }, { cachixAuthToken: "secret-token-never-shown" });
        const { nixCacheProgram } = await import("../../program");
        const failure = await nixCacheProgram().then(() => undefined, (error: Error) => error);
        expect(failure?.message).toMatch(/^Invalid stack configuration \(\d+ problems\):/);
        expect(failure?.message).toContain("nix-cache:cache.name");
        expect(failure?.message).toContain("nix-cache:cache.publicKeys[0]");
        expect(failure?.message).toContain("nix-cache:hosts[0].hostKey");
        expect(failure?.message).toContain("nix-cache:hosts[0].privateKeySecret");
        expect(failure?.message).toContain("nix-cache:tpyo: unknown config key");
        expect(failure?.message).not.toContain("secret-token-never-shown");
        expect(registered).toEqual([]);
    });
});
