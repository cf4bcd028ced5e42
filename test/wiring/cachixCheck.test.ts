import * as http from "http";
import { AddressInfo } from "net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CacheSetupArgs } from "../../components/args/setupArgs";
import { cacheSetupArgsFromCachix } from "../../components/setup/cachixCheckedArgs";
import { getCache } from "../../components/identity/cachixApi";
import { cacheFromCachix } from "../../components/identity/cachixCache";
import { allows, cacheMismatches, signingKeyPublicBase64 } from "../../components/identity/cachixChecks";
import { generateNixSigningKey } from "../../components/formats/signingKey";
import { LocalCachix, startLocalCachix } from "../../scripts/localhost/cachixServer";

const KEY = generateNixSigningKey("acme.cachix.org-1");
const OLD_KEY = generateNixSigningKey("acme.cachix.org-2");
const WRITE = "write-token-value-do-not-leak";
const READ = "read-token-value-do-not-leak";
const PERSONAL = "personal-token-value-do-not-leak";
const TOKENS = [WRITE, READ, PERSONAL];

let cachix: LocalCachix;
beforeAll(async () => {
    cachix = await startLocalCachix();
});
afterAll(() => cachix.close());
beforeEach(() => {
    cachix.caches.clear();
    cachix.tokens.clear();
    cachix.requests.length = 0;
    cachix.caches.set("acme", { name: "acme", uri: "https://acme.cachix.org", isPublic: false, publicSigningKeys: [KEY.publicKey, OLD_KEY.publicKey] });
    cachix.tokens.set(WRITE, { accountId: 7, personal: false, permissions: { acme: "Write" } });
    cachix.tokens.set(READ, { accountId: 7, personal: false, permissions: { acme: "Read" } });
    cachix.tokens.set(PERSONAL, { accountId: 7, personal: true, permissions: {} });
});

/** The arguments of a private cache with CI and hosts, each with its own token. */
function setupArgs(cache: Partial<CacheSetupArgs["cache"]> = {}, tokens: Partial<CacheSetupArgs> = {}): CacheSetupArgs {
    return {
        cache: { name: "acme", publicKeys: [KEY.publicKey], private: true, apiUrl: cachix.apiUrl, ...cache },
        github: { owner: "acme", repositories: [{ name: "app" }] },
        cachixAuthToken: WRITE,
        cachixReadToken: READ,
        ...tokens,
    };
}

async function failure(promise: Promise<unknown>): Promise<string> {
    const error = await promise.then(() => undefined, (e: unknown) => e as Error);
    expect(error, "expected a failure").toBeDefined();
    TOKENS.forEach((token) => expect(error!.message).not.toContain(token));
    return error!.message;
}

describe("Cachix's API as the local Cachix answers it", () => {
    it("gives each token its permission, refuses anonymous reads of a private cache and knows no other cache", async () => {
        const at = (token?: string) => ({ apiUrl: cachix.apiUrl, token });
        expect((await getCache(at(WRITE), "acme")).permission).toBe("Write");
        expect((await getCache(at(READ), "acme")).permission).toBe("Read");
        await expect(getCache(at(), "acme")).rejects.toMatchObject({ kind: "unauthorized" });
        await expect(getCache(at(WRITE), "other")).rejects.toMatchObject({ kind: "not-found" });
        await expect(getCache(at("revoked"), "acme")).rejects.toMatchObject({ kind: "unauthorized" });
    });
});

describe("the stack checked against Cachix", () => {
    it("passes and fills the keys and URL when they are left out", async () => {
        const args = await cacheSetupArgsFromCachix(setupArgs({ publicKeys: [] }));
        expect(args.cache.publicKeys).toEqual([KEY.publicKey, OLD_KEY.publicKey]);
        expect(args.cache.url).toBe("https://acme.cachix.org");
        // One read per token: CI's and the hosts'.
        expect(cachix.requests).toEqual(["GET /api/v1/cache/acme 200", "GET /api/v1/cache/acme 200"]);
    });

    it("names a key Cachix does not have, with both values and what to do", async () => {
        const wrong = generateNixSigningKey("acme.cachix.org-3").publicKey;
        const message = await failure(cacheSetupArgsFromCachix(setupArgs({ publicKeys: [wrong] })));
        expect(message).toContain(`cache.publicKeys: ${wrong} is not a key of cache "acme"; Cachix has ${KEY.publicKey}, ${OLD_KEY.publicKey}`);
        expect(message).toContain("remove publicKeys to take Cachix's");
    });

    it("refuses private: false on a private cache and a url other than Cachix's", async () => {
        const message = await failure(cacheSetupArgsFromCachix(setupArgs({ private: false, url: "https://cache.example.org" })));
        expect(message).toContain("cache.private: the stack says false, Cachix says the cache is private; set cache.private: true");
        expect(message).toContain("cache.url: the stack says https://cache.example.org, Cachix says https://acme.cachix.org");
        await cacheSetupArgsFromCachix(setupArgs({ url: "https://cache.example.org", overrideUrl: true }));
    });

    it("refuses a read-only token for CI, and a revoked one, naming the key never the value", async () => {
        const readOnly = await failure(cacheSetupArgsFromCachix(setupArgs({}, { cachixAuthToken: READ })));
        expect(readOnly).toContain('cachixAuthToken: has Read on cache "acme"; CI pushes with it, which needs Write');
        cachix.tokens.delete(READ);
        const revoked = await failure(cacheSetupArgsFromCachix(setupArgs()));
        expect(revoked).toContain('cachixReadToken: Cachix refuses it for cache "acme" (');
        expect(revoked).toContain("HTTP 401");
    });

    it("checks the hosts' token for Read: a token of another cache is refused", async () => {
        cachix.tokens.set(READ, { accountId: 7, personal: false, permissions: { other: "Read" } });
        expect(await failure(cacheSetupArgsFromCachix(setupArgs()))).toContain("cachixReadToken: Cachix refuses it");
    });

    it("checks that the signing key's public key is one of the cache's", async () => {
        const signing = (key: string) => setupArgs({}, { cachixSigningKey: key.split(":")[1], github: { owner: "acme", repositories: [{ name: "app" }], secret: { credential: "signingKey" } } });
        await cacheSetupArgsFromCachix(signing(OLD_KEY.secretKey));
        const other = generateNixSigningKey("acme.cachix.org-9");
        const message = await failure(cacheSetupArgsFromCachix(signing(other.secretKey)));
        expect(message).toContain("cachixSigningKey: its public key is not one of cache \"acme\"'s");
        expect(message).not.toContain(other.secretKey.split(":")[1]);
    });

    it("says the cache does not exist, and creates it when asked with a personal token", async () => {
        const missing = await failure(cacheSetupArgsFromCachix(setupArgs({ name: "newcache", publicKeys: [] }, { cachixReadToken: undefined })));
        expect(missing).toContain('cache.name: Cachix has no cache "newcache"');
        expect(missing).toContain("cache.create: true");
        const refused = await failure(cacheSetupArgsFromCachix(setupArgs({ name: "newcache", publicKeys: [], create: true }, { cachixReadToken: undefined })));
        expect(refused).toContain("creating a cache needs a personal auth token");
        expect(cachix.caches.has("newcache")).toBe(false);
        cachix.requests.length = 0;
        const created = await cacheSetupArgsFromCachix(setupArgs({ name: "newcache", publicKeys: [], create: true }, { cachixAuthToken: PERSONAL, cachixReadToken: undefined }));
        expect(cachix.caches.get("newcache")?.isPublic).toBe(false);
        expect(created.cache.publicKeys).toEqual(cachix.caches.get("newcache")!.publicSigningKeys);
        expect(cachix.requests).toEqual([
            "GET /api/v1/cache/newcache 404",
            "GET /api/v1/user 200",
            "POST /api/v1/cache/newcache 201",
            "GET /api/v1/cache/newcache 200",
            "GET /api/v1/cache/newcache 200",
            "GET /api/v1/cache/newcache 200",
        ]);
    });

    it("reads a public cache anonymously when no token is used", async () => {
        cachix.caches.get("acme")!.isPublic = true;
        const args = await cacheSetupArgsFromCachix({ cache: { name: "acme", publicKeys: [], apiUrl: cachix.apiUrl } });
        expect(args.cache.publicKeys).toHaveLength(2);
    });

    it("skips Cachix when offline and says so", async () => {
        const args = setupArgs({ offline: true, apiUrl: "http://127.0.0.1:9/api/v1" });
        expect(await cacheSetupArgsFromCachix(args)).toBe(args);
    });
});

describe("Cachix unreachable", () => {
    let silent: http.Server;
    let apiUrl: string;
    beforeAll(async () => {
        // Accepts connections and never answers: what a stuck server or a firewall looks like.
        silent = http.createServer(() => undefined);
        await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
        apiUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/api/v1`;
    });
    afterEach(() => silent.closeAllConnections());
    afterAll(() => new Promise<void>((resolve) => silent.close(() => resolve())));

    it("fails within the timeout, naming the host and never the token", async () => {
        const started = Date.now();
        const message = await failure(
            cacheFromCachix({
                cache: { name: "acme", url: "https://acme.cachix.org", urlGiven: false, overrideUrl: false, publicKeys: [], private: true },
                apiUrl,
                tokens: [{ configKey: "cachixAuthToken", token: WRITE, needs: "Write", use: "CI pushes with it" }],
                timeoutMs: 500,
            }),
        );
        expect(Date.now() - started).toBeLessThan(5000);
        expect(message).toBe(`Cachix at ${new URL(apiUrl).host} did not answer GET /cache/acme within 0.5s (TimeoutError)`);
    });

    it("fails the same way when nothing listens", async () => {
        const closed = http.createServer();
        await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
        const { port } = closed.address() as AddressInfo;
        await new Promise<void>((resolve) => closed.close(() => resolve()));
        const message = await failure(cacheSetupArgsFromCachix(setupArgs({ apiUrl: `http://127.0.0.1:${port}/api/v1` })));
        expect(message).toBe(`Cachix at 127.0.0.1:${port} did not answer GET /cache/acme within 15s (ECONNREFUSED)`);
    });
});

describe("the pure checks", () => {
    it("orders permissions", () => {
        expect(allows("Admin", "Write")).toBe(true);
        expect(allows("Write", "Write")).toBe(true);
        expect(allows("Read", "Write")).toBe(false);
        expect(allows("Read", "Read")).toBe(true);
    });

    it("finds nothing wrong when the stack agrees with Cachix", () => {
        const remote = { name: "acme", uri: "https://acme.cachix.org/", isPublic: true, publicSigningKeys: [KEY.publicKey], githubUsername: "", permission: "Read" as const };
        expect(cacheMismatches({ name: "acme", url: "https://acme.cachix.org", urlGiven: true, overrideUrl: false, publicKeys: [KEY.publicKey], private: false }, remote)).toEqual([]);
    });

    it("reads a signing key's public half with or without its name, and refuses anything else", () => {
        const base64 = KEY.publicKey.split(":")[1];
        expect(signingKeyPublicBase64(KEY.secretKey)).toBe(base64);
        expect(signingKeyPublicBase64(KEY.secretKey.split(":")[1])).toBe(base64);
        expect(signingKeyPublicBase64("not-a-key")).toBeUndefined();
    });
});
