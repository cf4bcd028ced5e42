import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BinaryCache, startBinaryCache } from "../e2e/support/binaryCache";
import { recordDestroy, recordUp, resourceName } from "./support/engineRun";
import { createEngineStack, engineConfig, EngineStack, hostEntry } from "./support/engineStack";
import { hostFiles, substituteOnHost } from "./support/hostChecks";
import { plaintextHits } from "./support/plaintext";
import { requireEngine } from "./support/requirements";
import { openRestartableHost, RestartableHost } from "./support/restartableHost";

// Two real builder hosts in one stack; one is down for the first `up`. The failure must stay
// with that host (the other is configured and recorded in state), say clearly what failed, and
// the next `up` once it is back (same address, same host key) must finish the job.

const requirements = requireEngine();
const OWN_NIX_CONF = "sandbox = false\nsubstituters =\n";
// Per host: NixHost and its settings and verify commands (the cache is public: no netrc).
const PER_HOST = 3;
// The stack, CacheSetup and CacheIdentity.
const SHARED = 3;

let cache: BinaryCache;
let alpha: RestartableHost;
let beta: RestartableHost;
let engine: EngineStack;

const commandsOf = (name: string) => [`nix-cache-host-${name}-settings`, `nix-cache-host-${name}-verify`];

async function stateResources(): Promise<string[]> {
    const deployment = (await engine.stack.exportStack()).deployment as { resources?: { urn: string }[] };
    return (deployment.resources ?? []).map((resource) => resourceName(resource.urn));
}

beforeAll(async () => {
    if (requirements.skip) {
        return;
    }
    cache = await startBinaryCache({ keyName: "engine.cachix.org-1" });
    engine = await createEngineStack("unreachable");
    alpha = await openRestartableHost({ dir: path.join(engine.root, "alpha"), ownNixConf: OWN_NIX_CONF });
    beta = await openRestartableHost({ dir: path.join(engine.root, "beta"), ownNixConf: OWN_NIX_CONF });
    await alpha.start();
    await engine.stack.setAllConfig(
        engineConfig({
            cache: { url: cache.url, publicKey: cache.publicKey, private: false },
            // Each host has its own login key, beta's under a key name of its own.
            hosts: [hostEntry("alpha", alpha), hostEntry("beta", beta, { privateKeySecret: "betaPrivateKey" })],
            privateKeys: { sshPrivateKey: alpha.privateKey, betaPrivateKey: beta.privateKey },
        }),
    );
});

afterAll(async () => {
    await alpha?.stop();
    await beta?.stop();
    await engine?.remove();
    await cache?.close();
});

describe.skipIf(requirements.skip)("engine: one unreachable host among two", () => {
    it("up fails for the unreachable host only, with a clear error; the other host is configured and in state", async () => {
        const betaBefore = hostFiles(beta);
        // --continue-on-error: independent hosts all get their chance (docs/hosts.md).
        const run = await recordUp(engine.stack, engine.transcript, { continueOnError: true });
        expect(run.error).toBeDefined();
        expect(run.summary.result).toBe("failed");
        expect(run.failed).toEqual([`nix-cache-host-beta-settings`]);
        const output = engine.transcript.join("");
        expect(output).toMatch(new RegExp(`unable to connect to 127\\.0\\.0\\.1:${beta.port} \\(user root\\) after \\d+ attempts: .*connection refused`));
        expect(output).not.toMatch(/nix-cache-host-alpha-\w+ \*\*\w+ failed\*\*/);

        const inState = await stateResources();
        expect(inState).toEqual(expect.arrayContaining(commandsOf("alpha")));
        expect(inState).not.toContain("nix-cache-host-beta-settings");
        expect(inState).not.toContain("nix-cache-host-beta-verify");
        expect(fs.readFileSync(path.join(alpha.nixConfDir, "nix.conf"), "utf8")).toContain("!include nix-cache.conf");
        expect((await substituteOnHost(alpha, cache.storePath)).code).toBe(0);
        expect(hostFiles(beta)).toEqual(betaBefore);
    }, 180_000);

    it("with the host back (same address and host key), the next up converges: only its commands run", async () => {
        await beta.start();
        const alphaLogins = alpha.logins();
        const run = await recordUp(engine.stack, engine.transcript);
        expect(run.error).toBeUndefined();
        expect(run.summary.result).toBe("succeeded");
        expect(run.failed).toEqual([]);
        expect(run.changed).toEqual(Object.fromEntries(commandsOf("beta").map((name) => [name, ["create"]])));
        expect(run.summary.resourceChanges).toEqual({ create: 2, same: SHARED + 2 * PER_HOST - 2 });
        expect(alpha.logins() - alphaLogins).toBe(0);
        expect((await substituteOnHost(beta, cache.storePath)).code).toBe(0);

        const again = await recordUp(engine.stack, engine.transcript);
        expect(again.summary.resourceChanges).toEqual({ same: SHARED + 2 * PER_HOST });
    }, 180_000);

    it("destroy undoes both hosts", async () => {
        const run = await recordDestroy(engine.stack, engine.transcript);
        expect(run.error).toBeUndefined();
        for (const host of [alpha, beta]) {
            expect(fs.readdirSync(host.nixConfDir)).toEqual(["nix.conf"]);
            expect(fs.readFileSync(path.join(host.nixConfDir, "nix.conf"), "utf8")).toBe(OWN_NIX_CONF);
        }
    }, 180_000);

    it("no private key appears in the engine's output, its events or the failure", () => {
        const hits = plaintextHits({ alpha: alpha.privateKey, beta: beta.privateKey }, [{ name: "engine output and events", text: engine.transcript.join("\n") }]);
        expect(hits).toEqual([]);
    });
});
