import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BinaryCache, startBinaryCache } from "../../scripts/localhost/binaryCache";
import { BuilderHost, openBuilderHost } from "../../scripts/localhost/builderHost";
import { failureOf, recordDestroy, recordUp } from "../../scripts/localhost/engine/engineRun";
import { freePort } from "../../scripts/localhost/ports";
import { createEngineStack, EngineConfig, engineConfig, EngineStack, hostEntry } from "../../scripts/localhost/engine/engineStack";
import { resourceInState, resourcesInState } from "./support/engineState";
import { hostFiles } from "./support/hostChecks";
import { requireEngine } from "./support/requirements";
import { listenSilently } from "./support/silentServer";
import { GONE_FOR_GOOD } from "../../components/hosts/handshakeProbe";

// A fleet of two hosts on a private cache, one of which dies: `destroy` restores the live host
// whole (its netrc and settings undone by one command), and the dead host, once retired, is
// dropped from state by `up` and `destroy` without anything connecting to it.

const requirements = requireEngine();
const TOKEN = "retired-token.c0ffee_42";
const OWN_NIX_CONF = "# a host of this test\n";

let cache: BinaryCache;
let alpha: BuilderHost;
let beta: BuilderHost;
let engine: EngineStack;

const commandsOf = (name: string) => ["settings", "netrc", "verify"].map((command) => `nix-cache-host-${name}-${command}`);
const config = (hosts: EngineConfig["hosts"]): EngineConfig => ({
    cache: { url: cache.url, publicKey: cache.publicKey, private: true },
    hosts,
    cachixAuthToken: TOKEN,
    // beta's key goes with its entry: the stack refuses a key no host names.
    privateKeys: { sshPrivateKey: alpha.privateKey, ...(hosts.some((h) => h.name === "beta") ? { betaPrivateKey: beta.privateKey } : {}) },
});
const alphaEntry = () => hostEntry("alpha", alpha);
const betaEntry = (extra: Record<string, unknown> = {}) => hostEntry("beta", beta, { privateKeySecret: "betaPrivateKey", ...extra });
const configured = (host: BuilderHost) => fs.readFileSync(path.join(host.nixConfDir, "nix.conf"), "utf8").includes("!include nix-cache.conf");
const restored = (host: BuilderHost) => fs.readdirSync(host.nixConfDir).join(",") === "nix.conf" && fs.readFileSync(path.join(host.nixConfDir, "nix.conf"), "utf8") === host.ownNixConf;
/** Applies `hosts`, then stops beta: what its files were when it died. */
const upThenStopBeta = async (hosts: EngineConfig["hosts"]) => {
    await engine.stack.setAllConfig(engineConfig(config(hosts)));
    expect((await recordUp(engine.stack, engine.transcript)).error).toBeUndefined();
    await beta.stop();
    return hostFiles(beta);
};
const warnings = () => engine.transcript.filter((line) => line.includes("is retired")).join("\n");

beforeAll(async () => {
    if (requirements.skip) {
        return;
    }
    cache = await startBinaryCache({ keyName: "engine.cachix.org-1", token: TOKEN });
    engine = await createEngineStack("retired");
    alpha = await openBuilderHost({ dir: path.join(engine.root, "alpha"), ownNixConf: OWN_NIX_CONF });
    beta = await openBuilderHost({ dir: path.join(engine.root, "beta"), ownNixConf: OWN_NIX_CONF });
    await alpha.start();
    await beta.start();
});

afterAll(async () => {
    await alpha?.remove();
    await beta?.remove();
    await engine?.remove();
    await cache?.close();
});

describe.skipIf(requirements.skip)("engine: a dead host in a fleet", () => {
    it("a plain destroy with one host down restores the other whole, fails naming the dead one, and says to retire it", async () => {
        const betaBefore = await upThenStopBeta([alphaEntry(), betaEntry()]);
        // No flag: every host's commands are deleted in one step of the engine, the dead host's
        // probe passes with a note, and only its own dial fails.
        const run = await recordDestroy(engine.stack, engine.transcript);
        expect(run.error).toBeDefined();
        expect(run.failed).toEqual(["nix-cache-host-beta-settings"]);
        expect(run.error?.message).toMatch(new RegExp(`127\\.0\\.0\\.1:${beta.port}[\\s\\S]*connection refused`, "i"));
        expect(run.error?.message).toContain(`nix-cache: host beta: 127.0.0.1:${beta.port} cannot be reached (ECONNREFUSED), so its commands cannot connect: ${GONE_FOR_GOOD}`);
        // alpha: netrc and settings undone together, byte for byte.
        expect(restored(alpha)).toBe(true);
        // beta: untouched, its settings command still in state; its netrc command left state
        // without running, since the settings command's delete undoes both.
        expect(hostFiles(beta)).toEqual(betaBefore);
        expect(await resourcesInState(engine.stack)).toContain("nix-cache-host-beta-settings");
        expect(await resourcesInState(engine.stack)).not.toContain("nix-cache-host-beta-netrc");
        for (const name of commandsOf("alpha")) {
            expect(await resourcesInState(engine.stack)).not.toContain(name);
        }
    }, 240_000);

    it("retired, the dead host leaves state through a targeted up and destroy without being contacted; what is left on it is said", async () => {
        await engine.stack.setAllConfig(engineConfig(config([alphaEntry(), betaEntry({ retired: true })])));
        const betaBefore = hostFiles(beta);
        // Only the retired host's resources: the destroyed alpha is not set up again.
        const up = await recordUp(engine.stack, engine.transcript, { target: ["**nix-cache-host-beta**"] });
        expect(up.error).toBeUndefined();
        expect(up.failed).toEqual([]);
        expect(warnings()).toContain("host beta is retired: nix-cache does not connect to it");
        expect(warnings()).toContain(`Left on it: ${beta.nixConfDir}/nix-cache.conf`);
        // The engine records retainOnDelete on a step that changes nothing else.
        for (const name of commandsOf("beta")) {
            expect((await resourceInState(engine.stack, name))?.retainOnDelete, name).toBe(true);
        }
        const run = await recordDestroy(engine.stack, engine.transcript);
        expect(run.error).toBeUndefined();
        expect(await resourcesInState(engine.stack)).toEqual([]);
        expect(hostFiles(beta)).toEqual(betaBefore);
        expect(configured(beta)).toBe(true);
    }, 240_000);

    it("a host retired while in use: up leaves the others alone and never contacts it; removing its entry then drops it", async () => {
        await beta.start();
        await upThenStopBeta([alphaEntry(), betaEntry()]);
        await engine.stack.setAllConfig(engineConfig(config([alphaEntry(), betaEntry({ retired: true })])));
        const retire = await recordUp(engine.stack, engine.transcript);
        expect(retire.error).toBeUndefined();
        // beta's probe of up goes (it has nothing to undo); its commands stay as they are.
        expect(Object.keys(retire.changed).filter((name) => name.includes("-beta"))).toEqual(["nix-cache-host-beta-handshake"]);
        await engine.stack.setAllConfig(engineConfig(config([alphaEntry()])));
        await engine.stack.removeConfig("nix-cache:betaPrivateKey");
        const gone = await recordUp(engine.stack, engine.transcript);
        expect(gone.error).toBeUndefined();
        expect((await resourcesInState(engine.stack)).filter((name) => name.includes("-beta"))).toEqual([]);
        expect(configured(alpha)).toBe(true);
        expect(configured(beta)).toBe(true);
        expect((await recordDestroy(engine.stack, engine.transcript)).error).toBeUndefined();
        expect(restored(alpha)).toBe(true);
    }, 300_000);

    it("a host behind a proxy that stops answering: a plain destroy still restores the proxy host itself, and fails naming the dead one", async () => {
        await beta.start();
        // beta's key logs in to alpha, its proxy, too.
        fs.appendFileSync(path.join(alpha.dir, "authorized_keys"), fs.readFileSync(path.join(beta.dir, "client_key.pub")));
        const proxied = betaEntry({ proxy: { address: "127.0.0.1", port: alpha.port, user: "root", hostKey: alpha.hostKey } });
        const betaBefore = await upThenStopBeta([alphaEntry(), proxied]);
        const run = await recordDestroy(engine.stack, engine.transcript);
        expect(run.error).toBeDefined();
        // Probed from the proxy, the refusing host passes with the note; its own dial fails.
        expect(run.failed).toEqual(["nix-cache-host-beta-settings"]);
        expect(run.error?.message).toContain(`nix-cache: host beta: 127.0.0.1:${beta.port} cannot be reached from the proxy, so its commands cannot connect: ${GONE_FOR_GOOD}`);
        expect(restored(alpha)).toBe(true);
        expect(hostFiles(beta)).toEqual(betaBefore);
        await beta.start();
        expect((await recordDestroy(engine.stack, engine.transcript)).error).toBeUndefined();
        expect(restored(beta)).toBe(true);
        expect(await resourcesInState(engine.stack)).toEqual([]);
    }, 240_000);

    it("up with one host down: a plain up fails naming it and the way out; with --continue-on-error a removed live entry is undone", async () => {
        await beta.start();
        await upThenStopBeta([alphaEntry(), betaEntry()]);
        await engine.stack.setAllConfig(engineConfig(config([betaEntry()])));
        // The dead host's gate fails while the program runs; the engine starts nothing after a
        // failure, and deletes of removed entries come last.
        const plain = await recordUp(engine.stack, engine.transcript);
        expect(plain.failed).toEqual(["nix-cache-host-beta-handshake"]);
        expect(plain.error?.message).toContain(`its commands were not started (--continue-on-error lets the other hosts finish, removed entries included); ${GONE_FOR_GOOD}`);
        expect(configured(alpha)).toBe(true);
        const onward = await recordUp(engine.stack, engine.transcript, { continueOnError: true });
        expect(onward.failed).toEqual(["nix-cache-host-beta-handshake"]);
        expect(restored(alpha)).toBe(true);
        expect((await resourcesInState(engine.stack)).filter((name) => name.includes("-alpha"))).toEqual([]);
        await beta.start();
        expect((await recordDestroy(engine.stack, engine.transcript)).error).toBeUndefined();
        expect(restored(beta)).toBe(true);
    }, 240_000);

    it("a host gone silent (accepts TCP, never speaks SSH): destroy fails by name within its bound, saying --continue-on-error undoes the others, which it does", async () => {
        await beta.start();
        await upThenStopBeta([alphaEntry(), betaEntry({ commandTimeout: 10 })]);
        const silent = await listenSilently(beta.port);
        try {
            const started = Date.now();
            const plain = await recordDestroy(engine.stack, engine.transcript);
            expect(Date.now() - started).toBeLessThan(60_000);
            // Its probe must fail before its commands start, a round before anyone's commands.
            expect(plain.failed).toEqual(["nix-cache-host-beta-handshake-on-delete"]);
            expect(failureOf(engine.transcript, "nix-cache-host-beta-handshake-on-delete")).toContain(
                `nix-cache: error on host beta: 127.0.0.1:${beta.port} accepted the TCP connection but did not send an SSH version line within 10s`,
            );
            expect(plain.error?.message).toContain(`(--continue-on-error runs those); ${GONE_FOR_GOOD}`);
            expect(configured(alpha)).toBe(true);
            const onward = await recordDestroy(engine.stack, engine.transcript, { continueOnError: true });
            expect(onward.failed).toEqual(["nix-cache-host-beta-handshake-on-delete"]);
            expect(restored(alpha)).toBe(true);
            expect(await resourcesInState(engine.stack)).toContain("nix-cache-host-beta-settings");
        } finally {
            await silent.close();
        }
        await beta.start();
        expect((await recordDestroy(engine.stack, engine.transcript)).error).toBeUndefined();
        expect(restored(beta)).toBe(true);
        // beta's key goes with its entry, which the next test has not.
        await engine.stack.removeConfig("nix-cache:betaPrivateKey");
    }, 240_000);

    it("a host retired before it was ever applied gets commands with nothing to run, and nothing connects to it", async () => {
        const nowhere = { ...hostEntry("gamma", alpha), port: await freePort(), retired: true };
        await engine.stack.setAllConfig(engineConfig(config([alphaEntry(), nowhere])));
        const up = await recordUp(engine.stack, engine.transcript);
        expect(up.error).toBeUndefined();
        expect(await resourcesInState(engine.stack)).toEqual(expect.arrayContaining(commandsOf("gamma")));
        expect((await recordDestroy(engine.stack, engine.transcript)).error).toBeUndefined();
        expect(restored(alpha)).toBe(true);
    }, 180_000);
});
