import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { exitCodeOf, formatVerdicts, verifyReport } from "../../cli/verify";
import { generateNixSigningKey } from "../../components/formats/signingKey";
import { BinaryCache, startBinaryCache } from "../../scripts/localhost/binaryCache";
import { BuilderHost, startBuilderHost } from "../../scripts/localhost/builderHost";
import { LocalCachix, startLocalCachix } from "../../scripts/localhost/cachixServer";
import { recordDestroy, recordPreview, recordUp } from "../../scripts/localhost/engine/engineRun";
import { createEngineStack, EngineConfig, engineConfig, EngineStack, hostEntry } from "../../scripts/localhost/engine/engineStack";
import { substituteOnHost } from "../../scripts/localhost/engine/hostSubstitute";
import { snapshotDir, touchedFiles } from "./support/hostChecks";
import { filesUnder, plaintextHits } from "./support/plaintext";
import { requireEngine } from "./support/requirements";

// The real engine runs the program against a local Cachix (Cachix's API as cachix-api defines
// it) that describes the private binary cache the host substitutes from: the stack names the
// cache only, its URL and key come from Cachix, and every token is checked before anything.

const requirements = requireEngine();
const WRITE = "engine-cachix-write.token_4c1e9a";
const READ = "engine-cachix-read.token_93bd27";
const REVOKED = "engine-cachix-revoked.token_d0f8e3";
const OTHER_CACHE = "engine-cachix-other.token_5a7b01";

let cache: BinaryCache;
let cachix: LocalCachix;
let host: BuilderHost;
let engine: EngineStack;

function config(overrides: Partial<EngineConfig> = {}): EngineConfig {
    return {
        cache: { private: true, apiUrl: cachix.apiUrl },
        hosts: [hostEntry("builder", host)],
        cachixAuthToken: WRITE,
        cachixReadToken: READ,
        privateKeys: { sshPrivateKey: host.privateKey },
        ...overrides,
    };
}

beforeAll(async () => {
    if (requirements.skip) {
        return;
    }
    // The binary cache serves the read token's holders: the hosts.
    cache = await startBinaryCache({ keyName: "engine.cachix.org-1", token: READ });
    cachix = await startLocalCachix();
    cachix.caches.set("engine", { name: "engine", uri: cache.url, isPublic: false, publicSigningKeys: [cache.publicKey] });
    cachix.tokens.set(WRITE, { accountId: 1, personal: false, permissions: { engine: "Write" } });
    cachix.tokens.set(READ, { accountId: 1, personal: false, permissions: { engine: "Read" } });
    cachix.tokens.set(OTHER_CACHE, { accountId: 1, personal: false, permissions: { other: "Write" } });
    engine = await createEngineStack("cachix");
    host = await startBuilderHost({ dir: path.join(engine.root, "host"), ownNixConf: "# this host's own settings" });
    await engine.stack.setAllConfig(engineConfig(config()));
});

afterAll(async () => {
    await host?.remove();
    await engine?.remove();
    await cachix?.close();
    await cache?.close();
});

describe.skipIf(requirements.skip)("the cache from a local Cachix, through the real engine", () => {
    it("up takes the URL and key from Cachix; the host's netrc holds the read token, never the write token", async () => {
        const run = await recordUp(engine.stack, engine.transcript);
        expect(run.error).toBeUndefined();
        expect(run.outputs?.substituters.value).toEqual([cache.url]);
        expect(run.outputs?.trustedPublicKeys.value).toEqual([cache.publicKey]);
        const netrc = fs.readFileSync(path.join(host.nixConfDir, "netrc"), "utf8");
        expect(netrc).toContain(READ);
        expect(netrc).not.toContain(WRITE);
        const fetched = await substituteOnHost(host, cache.storePath);
        expect(fetched.code).toBe(0);
        // Read once per token, before anything was registered.
        expect(cachix.requests.filter((r) => r === "GET /api/v1/cache/engine 200").length).toBeGreaterThanOrEqual(1);
    }, 120_000);

    it("a key Cachix does not have fails the preview by name, and nothing is planned", async () => {
        const wrong = generateNixSigningKey("engine.cachix.org-2").publicKey;
        await engine.stack.setAllConfig(engineConfig(config({ cache: { private: true, apiUrl: cachix.apiUrl, publicKey: wrong } })));
        const before = engine.transcript.length;
        const error = await recordPreview(engine.stack, engine.transcript).then(() => undefined, (e: unknown) => e as Error);
        expect(error?.message).toContain(`cache.publicKeys: ${wrong} is not a key of cache "engine"; Cachix has ${cache.publicKey}`);
        // No resource of the program was even planned: only the engine's own stack resource.
        const steps = engine.transcript.slice(before).filter((entry) => entry.includes('"resourcePreEvent"') && !entry.includes('"type":"pulumi:pulumi:Stack"'));
        expect(steps).toEqual([]);
        await engine.stack.setAllConfig(engineConfig(config()));
    }, 120_000);

    it.each([
        ["a revoked", REVOKED, "Cachix refuses it"],
        ["another cache's", OTHER_CACHE, "Cachix refuses it"],
    ])("a rotation to %s read token fails before anything and changes nothing on the host", async (_kind, token, fragment) => {
        await engine.stack.setAllConfig(engineConfig(config({ cachixReadToken: token })));
        const files = snapshotDir(host.nixConfDir);
        const logins = host.logins();
        const run = await recordUp(engine.stack, engine.transcript);
        expect(run.error?.message).toContain(`cachixReadToken: ${fragment} for cache "engine"`);
        expect(run.changed).toEqual({});
        expect(host.logins()).toBe(logins);
        expect(touchedFiles(files, snapshotDir(host.nixConfDir))).toEqual([]);
        expect(fs.readFileSync(path.join(host.nixConfDir, "netrc"), "utf8")).toContain(READ);
        await engine.stack.setAllConfig(engineConfig(config()));
    }, 120_000);

    it("a rotation to a read token that has the right converges in one up, and the next up changes the netrc no more", async () => {
        const NEXT = "engine-cachix-read.next_62e0c4";
        cachix.tokens.set(NEXT, { accountId: 1, personal: false, permissions: { engine: "Read" } });
        cache.token = NEXT;
        await engine.stack.setAllConfig(engineConfig(config({ cachixReadToken: NEXT })));
        const run = await recordUp(engine.stack, engine.transcript);
        expect(run.error).toBeUndefined();
        expect(fs.readFileSync(path.join(host.nixConfDir, "netrc"), "utf8")).toContain(NEXT);
        const again = await recordUp(engine.stack, engine.transcript);
        expect(again.error).toBeUndefined();
        expect(Object.keys(again.changed).filter((name) => name.endsWith("-netrc"))).toEqual([]);
        // Back to the first token for the plaintext search below.
        cache.token = READ;
        await engine.stack.setAllConfig(engineConfig(config()));
        expect((await recordUp(engine.stack, engine.transcript)).error).toBeUndefined();
    }, 240_000);

    it("verify shows Cachix's view of the cache beside the host's, and a key Cachix lacks as a mismatch", async () => {
        const stacksDir = path.join(engine.root, "stacks");
        fs.mkdirSync(stacksDir, { recursive: true });
        const writeStack = (cacheEntry: Record<string, unknown>) =>
            fs.writeFileSync(
                path.join(stacksDir, "Pulumi.cachix.yaml"),
                stringify({
                    config: {
                        "nix-cache:cache": { name: "engine", private: true, apiUrl: cachix.apiUrl, ...cacheEntry },
                        "nix-cache:useCacheNixosOrg": false,
                        "nix-cache:hosts": [hostEntry("builder", host)],
                        "nix-cache:sshPrivateKey": { secure: "v1:ciphertext-never-read" },
                    },
                }),
            );
        writeStack({});
        const options = { stacksDir, identityFile: host.privateKeyFile, cachixToken: READ };
        const report = await verifyReport("cachix", options);
        expect(report.cachix).toMatchObject({ status: "ok", details: [`${new URL(cachix.apiUrl).host}: ${cache.url}, private, keys ${cache.publicKey}`] });
        expect(report.hosts).toMatchObject([{ host: "builder", status: "ok", details: [] }]);
        const text = formatVerdicts(report.hosts, report.cachix);
        expect(text).toMatch(/^CACHIX\s+ok$/m);
        expect(text).toMatch(/^builder\s+nix\s+nix\s+\S+\s+ok$/m);
        expect(exitCodeOf(report.hosts, report.cachix)).toBe(0);

        const wrong = generateNixSigningKey("engine.cachix.org-2").publicKey;
        writeStack({ publicKeys: [wrong] });
        const stale = await verifyReport("cachix", options);
        expect(stale.cachix.status).toBe("mismatch");
        expect(stale.cachix.details.join("\n")).toContain(`cache.publicKeys: ${wrong} is not a key of cache "engine"`);
        // The host has Cachix's key, not the stack's: drift, beside Cachix's view.
        expect(stale.hosts[0].status).toBe("drift");
        expect(exitCodeOf(stale.hosts, stale.cachix)).toBe(1);

        writeStack({});
        const anonymous = await verifyReport("cachix", { ...options, cachixToken: undefined }).then(() => undefined, (e: unknown) => e as Error);
        expect(anonymous?.message).toContain("leaves cache.publicKeys to Cachix, which did not give them");
        expect(anonymous?.message).toContain("set CACHIX_AUTH_TOKEN");
    }, 120_000);

    it("destroy leaves the cache on Cachix; no token appears in plaintext in state, config or engine output", async () => {
        const run = await recordDestroy(engine.stack, engine.transcript);
        expect(run.error).toBeUndefined();
        expect(cachix.caches.has("engine")).toBe(true);
        const places = [
            ...filesUnder(engine.dirs.state),
            ...filesUnder(engine.dirs.work),
            { name: "engine output and events", text: engine.transcript.join("\n") },
            { name: "sshd log", text: fs.readFileSync(host.logFile, "utf8") },
        ];
        expect(plaintextHits({ WRITE, READ, REVOKED, OTHER_CACHE }, places)).toEqual([]);
    }, 120_000);
});
