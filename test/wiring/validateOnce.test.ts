import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { ATPROTO_KEY, HOST_KEY } from "../support/config";
import { installMocks, Registered, valueOf } from "../support/mocks";

// A CacheSetup validates its arguments once and hands each part its validated slice; a part
// used alone validates its own. Every validation parses with `parseStack`, which is counted here.

const parses = vi.hoisted(() => ({ count: 0 }));
vi.mock("../../components/config/parse", async (importOriginal) => {
    const original = await importOriginal<typeof import("../../components/config/parse")>();
    return { ...original, parseStack: (...args: Parameters<typeof original.parseStack>) => (parses.count++, original.parseStack(...args)) };
});

const TOKEN = "validate-once-token-do-not-leak";
const CACHE = { name: "atproto", publicKeys: [ATPROTO_KEY] };
const GITHUB = { owner: "atproto-nix", repositories: [{ name: "nur", branch: "main" }] };
const MIRROR = { bucket: "atproto-nix-cache", region: "eu-west-1" };
const host = (name: string, address: string) => ({ name, kind: "nix" as const, address, hostKey: HOST_KEY, privateKeySecret: "builderKey" });

let registered: Registered[];
beforeAll(async () => {
    registered = await installMocks();
});

describe("validation runs once per tree", () => {
    it("a CacheSetup with every part (identity, GitHub CI, mirror, its CI secrets, two hosts) validates once", async () => {
        const { CacheSetup } = await import("../../components/setup/cacheSetup");
        parses.count = 0;
        const setup = new CacheSetup("whole", {
            cache: CACHE,
            github: GITHUB,
            mirror: MIRROR,
            hosts: [host("one", "203.0.113.1"), host("two", "203.0.113.2")],
            cachixAuthToken: pulumi.secret(TOKEN),
            sshPrivateKeys: { builderKey: pulumi.secret("key") },
        });
        expect([setup.github, setup.mirror, setup.mirrorCiSecrets].every((part) => part !== undefined)).toBe(true);
        expect(setup.hosts).toHaveLength(2);
        await valueOf(setup.identity.urn);
        expect(registered.map((r) => r.type)).toContain("nix-cache:index:MirrorCiSecrets");
        expect(parses.count).toBe(1);
    });

    it("a part used alone validates its own arguments", async () => {
        const { CacheIdentity } = await import("../../components/identity/cacheIdentity");
        parses.count = 0;
        new CacheIdentity("alone", { cache: CACHE });
        expect(parses.count).toBe(1);
        expect(() => new CacheIdentity("bad", { cache: { name: "Not A Label", publicKeys: [ATPROTO_KEY] } })).toThrow(/cache\.name/);
    });

    it("the program validates the stack once, and the setup takes that model along (cache.offline: Cachix changes nothing)", async () => {
        const config = { cache: { ...CACHE, offline: true }, github: GITHUB };
        pulumi.runtime.setAllConfig(
            {
                ...Object.fromEntries(Object.entries(config).map(([k, v]) => [`nix-cache:${k}`, JSON.stringify(v)])),
                "nix-cache:cachixAuthToken": TOKEN,
            },
            ["nix-cache:cachixAuthToken"],
        );
        parses.count = 0;
        const program = await (await import("../../program")).nixCacheProgram();
        expect(await valueOf(pulumi.output(program.githubWorkflowFiles))).toEqual({ "atproto-nix/nur": ".github/workflows/build.yml" });
        expect(parses.count).toBe(1);
    });
});
