import { beforeAll, describe, expect, it } from "vitest";
import { MINIMAL } from "../support/config";
import { installMocks, isSecretOutput, Registered, valueOf } from "../support/mocks";

const TOKEN = "program-token-value-do-not-leak";
let registered: Registered[];
let program: typeof import("../../index");

beforeAll(async () => {
    registered = await installMocks({ cache: { ...MINIMAL.cache, private: true } }, { cachixAuthToken: TOKEN });
    program = await import("../../index");
});

describe("the program (index.ts) under mocks", () => {
    it("exports what a user pastes, from the stack config", async () => {
        expect(await valueOf(program.cacheUrl)).toBe("https://atproto.cachix.org");
        expect(await valueOf(program.substituters)).toEqual(["https://cache.nixos.org", "https://atproto.cachix.org"]);
        expect(await valueOf(program.nixConf)).toContain("substituters = https://cache.nixos.org https://atproto.cachix.org\n");
        expect(await valueOf(program.nixosModule)).toContain("nix.settings.trusted-public-keys");
    });

    it("keeps the token secret in the netrc output", async () => {
        const pulumi = await import("@pulumi/pulumi");
        expect(await isSecretOutput(pulumi.output(program.netrc))).toBe(true);
        expect(await isSecretOutput(program.nixConf)).toBe(false);
        expect(await valueOf(program.nixConf)).not.toContain(TOKEN);
    });

    it("registers the setup and its identity", () => {
        expect(registered.map((r) => r.type)).toEqual(expect.arrayContaining(["nix-cache:index:CacheSetup", "nix-cache:index:CacheIdentity"]));
        expect(JSON.stringify(registered.map((r) => r.inputs))).not.toContain(TOKEN);
    });
});
