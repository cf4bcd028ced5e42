import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalCachix, startLocalCachix } from "../../scripts/localhost/cachixServer";
import { MINIMAL } from "../support/config";
import { installMocks, isSecretOutput, Registered, valueOf } from "../support/mocks";

const TOKEN = "program-token-value-do-not-leak";
let registered: Registered[];
let program: Awaited<ReturnType<typeof import("../../program").nixCacheProgram>>;
let cachix: LocalCachix;

beforeAll(async () => {
    // The cache as Cachix has it: the program reads it before registering anything.
    cachix = await startLocalCachix();
    cachix.caches.set("atproto", { name: "atproto", uri: "https://atproto.cachix.org", isPublic: false, publicSigningKeys: [...MINIMAL.cache.publicKeys] });
    cachix.tokens.set(TOKEN, { accountId: 1, personal: false, permissions: { atproto: "Read" } });
    registered = await installMocks({ cache: { ...MINIMAL.cache, private: true, apiUrl: cachix.apiUrl } }, { cachixAuthToken: TOKEN });
    program = await (await import("../../program")).nixCacheProgram();
});

afterAll(() => cachix.close());

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

    it("read the cache from Cachix with the hosts' token", () => {
        expect(cachix.requests).toEqual(["GET /api/v1/cache/atproto 200"]);
    });
});
