import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BinaryCache, startBinaryCache } from "../../scripts/localhost/binaryCache";
import { BuilderHost, openBuilderHost } from "../../scripts/localhost/builderHost";
import { generateSshKey } from "../../scripts/localhost/sshKeys";
import { failureOf, recordDestroy, recordUp } from "../../scripts/localhost/engine/engineRun";
import { createEngineStack, EngineConfig, engineConfig, EngineStack, hostEntry } from "../../scripts/localhost/engine/engineStack";
import { resourcesInState } from "./support/engineState";
import { hostFiles } from "./support/hostChecks";
import { substituteOnHost } from "../../scripts/localhost/engine/hostSubstitute";
import { plaintextHits } from "./support/plaintext";
import { requireEngine } from "./support/requirements";

// Two real builder hosts in one stack, and an entry whose pinned host key is wrong; one host
// is down for the first `up`. Each failure must stay with its host (the other is configured
// all the way, netrc included, and recorded in state), say clearly what failed, and the next
// `up` once the host is back (same address, same host key) must finish the job.

const requirements = requireEngine();
const TOKEN = "unreachable-token.c0ffee_42";
const OWN_NIX_CONF = "# a host of this test\n";
// Per host: NixHost, its handshake gate and probe and its settings, netrc and verify commands (the cache is private).
const PER_HOST = 6;
// The stack, CacheSetup and CacheIdentity.
const SHARED = 3;

let cache: BinaryCache;
let alpha: BuilderHost;
let beta: BuilderHost;
let engine: EngineStack;
let impostorKey: string;

const commandsOf = (name: string) => ["settings", "netrc", "verify"].map((command) => `nix-cache-host-${name}-${command}`);

function config(hosts: EngineConfig["hosts"]): EngineConfig {
    return {
        cache: { url: cache.url, publicKey: cache.publicKey, private: true },
        hosts,
        cachixAuthToken: TOKEN,
        // Each host has its own login key, beta's under a key name of its own.
        privateKeys: { sshPrivateKey: alpha.privateKey, betaPrivateKey: beta.privateKey },
    };
}

const alphaEntry = () => hostEntry("alpha", alpha);
const betaEntry = () => hostEntry("beta", beta, { privateKeySecret: "betaPrivateKey" });
// alpha's sshd under another name, pinned to a key it does not have.
const impostorEntry = () => ({ ...hostEntry("impostor", alpha), address: "localhost", hostKey: impostorKey });

beforeAll(async () => {
    if (requirements.skip) {
        return;
    }
    cache = await startBinaryCache({ keyName: "engine.cachix.org-1", token: TOKEN });
    engine = await createEngineStack("unreachable");
    alpha = await openBuilderHost({ dir: path.join(engine.root, "alpha"), ownNixConf: OWN_NIX_CONF });
    beta = await openBuilderHost({ dir: path.join(engine.root, "beta"), ownNixConf: OWN_NIX_CONF });
    impostorKey = await generateSshKey(path.join(engine.root, "impostor_key"));
    await alpha.start();
    await engine.stack.setAllConfig(engineConfig(config([alphaEntry(), betaEntry(), impostorEntry()])));
});

afterAll(async () => {
    await alpha?.remove();
    await beta?.remove();
    await engine?.remove();
    await cache?.close();
});

describe.skipIf(requirements.skip)("engine: one unreachable host among two", () => {
    it("up fails for the unreachable host and the wrong host key only, each named clearly; the other host is configured and in state", async () => {
        const betaBefore = hostFiles(beta);
        const alphaLogins = alpha.logins();
        // --continue-on-error: independent hosts all get their chance (docs/hosts.md).
        const run = await recordUp(engine.stack, engine.transcript, { continueOnError: true });
        expect(run.error).toBeDefined();
        expect(run.summary.result).toBe("failed");
        // The run's read of each host failed: their gates fail, and their commands never start.
        expect([...run.failed].sort()).toEqual(["nix-cache-host-beta-handshake", "nix-cache-host-impostor-handshake"]);
        expect(failureOf(engine.transcript, "nix-cache-host-beta-handshake")).toMatch(new RegExp(`host beta: .*127\\.0\\.0\\.1:${beta.port}[\\s\\S]*connection refused`, "i"));
        expect(failureOf(engine.transcript, "nix-cache-host-impostor-handshake")).toMatch(/host impostor: .*host key/i);

        const inState = await resourcesInState(engine.stack);
        expect(inState).toEqual(expect.arrayContaining(commandsOf("alpha")));
        for (const name of [...commandsOf("beta"), ...commandsOf("impostor")]) {
            expect(inState).not.toContain(name);
        }
        // alpha went all the way (its read, settings, netrc, verify); the impostor never logged in.
        expect(alpha.logins() - alphaLogins).toBe(4);
        expect(fs.readFileSync(path.join(alpha.nixConfDir, "nix.conf"), "utf8")).toContain("!include nix-cache.conf");
        expect(fs.readFileSync(path.join(alpha.nixConfDir, "netrc"), "utf8")).toBe(`machine 127.0.0.1 password ${TOKEN}\n`);
        expect((await substituteOnHost(alpha, cache.storePath)).code).toBe(0);
        expect(hostFiles(beta)).toEqual(betaBefore);
    }, 180_000);

    it("with the host back (same address and host key) and the impostor's entry gone, the next up converges: only the host's commands run", async () => {
        await beta.start();
        await engine.stack.setAllConfig(engineConfig(config([alphaEntry(), betaEntry()])));
        const alphaLogins = alpha.logins();
        const run = await recordUp(engine.stack, engine.transcript);
        expect(run.error).toBeUndefined();
        expect(run.summary.result).toBe("succeeded");
        expect(run.failed).toEqual([]);
        // The impostor's NixHost (a component, nothing on any host) goes with its entry; its
        // gate failed to be created, so none is left. alpha, as declared, changes nothing.
        expect(run.changed).toEqual({
            ...Object.fromEntries(commandsOf("beta").map((name) => [name, ["create"]])),
            "nix-cache-host-beta-handshake-on-delete": ["create"],
            "nix-cache-host-beta-handshake": ["create"],
            "nix-cache-host-impostor": ["delete"],
        });
        // Same: the shared resources, alpha's, and beta's NixHost (registered by the first up).
        expect(run.summary.resourceChanges).toEqual({ create: 5, delete: 1, same: SHARED + PER_HOST + 1 });
        // alpha: its read only.
        expect(alpha.logins() - alphaLogins).toBe(1);
        expect((await substituteOnHost(beta, cache.storePath)).code).toBe(0);

        const again = await recordUp(engine.stack, engine.transcript);
        expect(again.summary.resourceChanges).toEqual({ same: SHARED + 2 * PER_HOST });
    }, 180_000);

    it("destroy undoes both hosts", async () => {
        const run = await recordDestroy(engine.stack, engine.transcript);
        expect(run.error).toBeUndefined();
        for (const host of [alpha, beta]) {
            expect(fs.readdirSync(host.nixConfDir)).toEqual(["nix.conf"]);
            expect(fs.readFileSync(path.join(host.nixConfDir, "nix.conf"), "utf8")).toBe(host.ownNixConf);
        }
    }, 180_000);

    it("neither token nor private key appears in the engine's output, its events or the failures", () => {
        const secrets = { TOKEN, alpha: alpha.privateKey, beta: beta.privateKey };
        const hits = plaintextHits(secrets, [{ name: "engine output and events", text: engine.transcript.join("\n") }]);
        expect(hits).toEqual([]);
    });
});
