import { beforeAll, describe, expect, it } from "vitest";
import { ATPROTO_KEY, MINIMAL } from "../support/config";
import { installMocks, isSecretOutput, Registered, valueOf } from "../support/mocks";
import { cacheSetupArgsOf, stackSectionsOf } from "../../components/args/ofModel";

let registered: Registered[];
beforeAll(async () => {
    registered = await installMocks();
});

const TOKEN = "cachix-token-value-do-not-leak";

describe("CacheIdentity under mocks", () => {
    it("exposes the renderers' output as its outputs", async () => {
        const { loadStackModel } = await import("../../components/config/load");
        const { CacheIdentity } = await import("../../components/identity/cacheIdentity");
        const { trustedCaches } = await import("../../components/config/trustedCaches");
        const { renderNixConfLines } = await import("../../components/render/nixConf");
        const { renderNixosModule } = await import("../../components/render/nixosModule");
        const { rawConfig } = await import("../support/config");
        const model = loadStackModel(rawConfig(MINIMAL), { mode: "render" });
        const { cache, useCacheNixosOrg, extraCaches } = stackSectionsOf(model);
        const identity = new CacheIdentity("id", { cache, useCacheNixosOrg, extraCaches });
        const trusted = trustedCaches(model);
        expect(await valueOf(identity.cacheUrl)).toBe("https://atproto.cachix.org");
        expect(await valueOf(identity.substituters)).toEqual(trusted.substituters);
        expect(await valueOf(identity.trustedPublicKeys)).toEqual(["cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY=", ATPROTO_KEY]);
        expect(await valueOf(identity.nixConf)).toBe(renderNixConfLines(trusted));
        expect(await valueOf(identity.nixosModule)).toBe(renderNixosModule(trusted));
        expect(identity.netrc).toBeUndefined();
        expect(registered).toContainEqual(expect.objectContaining({ type: "nix-cache:index:CacheIdentity", name: "id", custom: false }));
    });

    it("adds deploy-time caches after the configured ones", async () => {
        const { CacheIdentity } = await import("../../components/identity/cacheIdentity");
        const mirror = { url: "https://mirror.example.org", publicKeys: ["atproto-mirror-1:mgH0q9dt3ZI9puHEfIGDnkRBfT80I3vfEh4Wda2B0rk="] };
        const identity = new CacheIdentity("with-mirror", {
            cache: { name: "atproto", url: "https://atproto.cachix.org", publicKeys: [ATPROTO_KEY], private: false },
            useCacheNixosOrg: true,
            extraCaches: [],
            addedCaches: [mirror],
        });
        expect((await valueOf(identity.substituters)).at(-1)).toBe(mirror.url);
    });

    it("makes the netrc of a private cache a secret", async () => {
        const pulumi = await import("@pulumi/pulumi");
        const { CacheIdentity } = await import("../../components/identity/cacheIdentity");
        const cache = { name: "atproto", url: "https://atproto.cachix.org", publicKeys: [ATPROTO_KEY], private: true };
        const identity = new CacheIdentity("private", { cache, useCacheNixosOrg: true, extraCaches: [], authToken: pulumi.secret(TOKEN) });
        expect(await isSecretOutput(identity.netrc!)).toBe(true);
        expect(await valueOf(identity.netrc!)).toBe(`machine atproto.cachix.org password ${TOKEN}\n`);
        expect(() => new CacheIdentity("no-token", { cache, useCacheNixosOrg: true, extraCaches: [] })).toThrow(/private; authToken is required/);
        // Registrations are asynchronous: wait for one made after the failed one before looking.
        const sentinel = new CacheIdentity("after-no-token", { cache, useCacheNixosOrg: true, extraCaches: [], authToken: TOKEN });
        await valueOf(sentinel.urn);
        expect(registered.map((r) => r.name)).toContain("after-no-token");
        expect(registered.map((r) => r.name)).not.toContain("no-token");
    });
});

describe("CacheSetup under mocks", () => {
    it("composes the identity as its child, named after it", async () => {
        const { loadStackModel } = await import("../../components/config/load");
        const { CacheSetup } = await import("../../components/setup/cacheSetup");
        const { rawConfig } = await import("../support/config");
        const model = loadStackModel(rawConfig(MINIMAL), { mode: "render" });
        const setup = new CacheSetup("org", cacheSetupArgsOf(model, {}));
        expect(await valueOf(setup.identity.cacheName)).toBe("atproto");
        await valueOf(setup.identity.urn);
        expect(registered).toContainEqual(expect.objectContaining({ type: "nix-cache:index:CacheSetup", name: "org" }));
        expect(registered).toContainEqual(expect.objectContaining({ type: "nix-cache:index:CacheIdentity", name: "org-identity" }));
    });

    it("names every secret the model needs that was not given, before registering anything", async () => {
        const { loadStackModel } = await import("../../components/config/load");
        const { CacheSetup, missingSecrets } = await import("../../components/setup/cacheSetup");
        const { rawConfig, HOST_KEY } = await import("../support/config");
        const host = { name: "b", kind: "nix", address: "203.0.113.9", hostKey: HOST_KEY, privateKeySecret: "builderKey" };
        const model = loadStackModel(
            rawConfig({ cache: { ...MINIMAL.cache, private: true }, github: { owner: "o", repositories: ["r"], secret: { credential: "authToken" } }, hosts: [host] }),
            { mode: "render" },
        );
        expect(missingSecrets(model, {})).toEqual(["cachixAuthToken", "builderKey"]);
        expect(missingSecrets(model, { cachixAuthToken: TOKEN, sshPrivateKeys: { builderKey: "k" } })).toEqual([]);
        expect(() => new CacheSetup("half", cacheSetupArgsOf(model, { cachixAuthToken: TOKEN }))).toThrow(
            "CacheSetup half: the arguments need secrets that were not given: builderKey",
        );
        // Registrations are asynchronous: wait for one made after the failed one before looking.
        const sentinel = new CacheSetup("after-half", cacheSetupArgsOf(loadStackModel(rawConfig(MINIMAL), { mode: "render" }), {}));
        await valueOf(sentinel.identity.urn);
        expect(registered.map((r) => r.name)).toContain("after-half");
        expect(registered.map((r) => r.name).filter((name) => name.startsWith("half"))).toEqual([]);
    });
});
