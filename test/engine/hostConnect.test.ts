import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BuilderHost, openBuilderHost } from "../../scripts/localhost/builderHost";
import { generateSshKey } from "../../scripts/localhost/sshKeys";
import { failureOf, recordDestroy, recordPreview, recordUp } from "../../scripts/localhost/engine/engineRun";
import { createEngineStack, EngineConfig, engineConfig, EngineStack, hostEntry } from "../../scripts/localhost/engine/engineStack";
import { resourcesInState } from "./support/engineState";
import { keyOnlyConfig } from "./support/keyOnlyStack";
import { requireEngine } from "./support/requirements";
import { listenSilently } from "./support/silentServer";

// A host that never speaks SSH (directly or behind a proxy), a stale SSH_AUTH_SOCK and an RSA
// host key pin: each fails by name and cause, before anything changes where it can, and a good
// host in the same stack is configured all the same. The command provider users download waits
// for a silent host's handshake with no limit; the program's read of each host bounds it (and
// before a destroy, which runs no program, the project's own probe).

const requirements = requireEngine();
const TIMEOUT_SECONDS = 10;

let alpha: BuilderHost;
let engine: EngineStack;
let silent: net.Server;
let silentPort: number;
let rsaKey: string;

const config = (hosts: EngineConfig["hosts"]): EngineConfig => keyOnlyConfig(hosts, alpha.privateKey);
const alphaEntry = () => hostEntry("alpha", alpha);
// Accepts the TCP connection and never sends an SSH banner.
const silentEntry = () => ({ ...hostEntry("silent", alpha), port: silentPort, commandTimeout: TIMEOUT_SECONDS });
// The same server, reached through alpha as its proxy.
const proxiedSilentEntry = () => ({
    ...hostEntry("hidden", alpha),
    address: "127.0.0.1",
    port: silentPort,
    commandTimeout: TIMEOUT_SECONDS,
    proxy: { address: "127.0.0.1", port: alpha.port, user: "root", hostKey: alpha.hostKey },
});

beforeAll(async () => {
    if (requirements.skip) {
        return;
    }
    engine = await createEngineStack("connect");
    alpha = await openBuilderHost({ dir: path.join(engine.root, "alpha"), ownNixConf: "# a host of this test\n" });
    await alpha.start();
    rsaKey = await generateSshKey(path.join(engine.root, "rsa_host_key"), "rsa");
    silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    silentPort = (silent.address() as net.AddressInfo).port;
});

afterAll(async () => {
    silent?.close();
    await alpha?.remove();
    await engine?.remove();
});

describe.skipIf(requirements.skip)("engine: hosts the command provider cannot log in to", () => {
    it("a host that accepts the connection and never speaks SSH fails by name within its bound, whatever the provider does; the other host is configured", async () => {
        await engine.stack.setAllConfig(engineConfig(config([alphaEntry(), silentEntry()])));
        const started = Date.now();
        const run = await recordUp(engine.stack, engine.transcript, { continueOnError: true });
        // The read's handshake bound is the host's commandTimeout (10 s); the rest is the engine's own time.
        expect(Date.now() - started).toBeLessThan(60_000);
        expect(run.error).toBeDefined();
        expect(run.failed).toEqual(["nix-cache-host-silent-handshake"]);
        expect(failureOf(engine.transcript, "nix-cache-host-silent-handshake")).toContain(
            `nix-cache: error on host silent: cannot read its state over SSH: 127.0.0.1:${silentPort} accepted the TCP connection but did not complete the SSH handshake within ${TIMEOUT_SECONDS}s`,
        );
        // Its commands were never sent to the provider, which would have waited with no limit.
        expect(await resourcesInState(engine.stack)).not.toContain("nix-cache-host-silent-settings");
        expect(await resourcesInState(engine.stack)).toEqual(expect.arrayContaining(["nix-cache-host-alpha-settings", "nix-cache-host-alpha-verify"]));
        expect(fs.readFileSync(path.join(alpha.nixConfDir, "nix.conf"), "utf8")).toContain("!include nix-cache.conf");
    }, 120_000);

    it("a host behind a proxy that never speaks SSH fails by name within its bound, reached through the proxy", async () => {
        await engine.stack.setAllConfig(engineConfig(config([alphaEntry(), proxiedSilentEntry()])));
        const started = Date.now();
        const run = await recordUp(engine.stack, engine.transcript, { continueOnError: true });
        expect(Date.now() - started).toBeLessThan(60_000);
        expect(run.failed).toEqual(["nix-cache-host-hidden-handshake"]);
        expect(failureOf(engine.transcript, "nix-cache-host-hidden-handshake")).toContain(
            `nix-cache: error on host hidden: cannot read its state over SSH: 127.0.0.1:${silentPort} accepted the TCP connection but did not complete the SSH handshake within ${TIMEOUT_SECONDS}s`,
        );
        expect(await resourcesInState(engine.stack)).not.toContain("nix-cache-host-hidden-settings");
    }, 120_000);

    it("a stale SSH_AUTH_SOCK is refused by name before anything connects, even for a host that logs in with a private key", async () => {
        await engine.stack.setAllConfig(engineConfig(config([alphaEntry()])));
        const logins = alpha.logins();
        const stale = path.join(engine.root, "gone-agent.sock");
        const saved = process.env.SSH_AUTH_SOCK;
        process.env.SSH_AUTH_SOCK = stale;
        try {
            const run = await recordUp(engine.stack, engine.transcript);
            expect(run.error?.message).toContain(`SSH_AUTH_SOCK (${stale}) names no running SSH agent`);
            expect(run.error?.message).toContain("even for host alpha, which logs in with a private key");
        } finally {
            if (saved === undefined) {
                delete process.env.SSH_AUTH_SOCK;
            } else {
                process.env.SSH_AUTH_SOCK = saved;
            }
        }
        expect(alpha.logins()).toBe(logins);
        // Without the stale variable the same stack goes through.
        const run = await recordUp(engine.stack, engine.transcript);
        expect(run.error).toBeUndefined();
    }, 120_000);

    it("an agent host with SSH_AUTH_SOCK unset is refused by host name in preview, with every such host at once, before anything connects", async () => {
        await engine.stack.setAllConfig(engineConfig(config([{ ...hostEntry("agented", alpha), port: alpha.port + 1, sshAgent: true }, { ...hostEntry("socketed", alpha), kind: "user", sshAgent: path.join(engine.root, "no-agent.sock") }])));
        const logins = alpha.logins();
        const saved = process.env.SSH_AUTH_SOCK;
        delete process.env.SSH_AUTH_SOCK;
        try {
            const preview = await recordPreview(engine.stack, engine.transcript).then(
                () => undefined,
                (error: unknown) => (error instanceof Error ? error.message : String(error)),
            );
            expect(preview).toContain("host agented logs in through the SSH agent (sshAgent: true), but SSH_AUTH_SOCK is not set");
            expect(preview).toContain(`host socketed: its sshAgent socket (${path.join(engine.root, "no-agent.sock")}) names no running SSH agent`);
            // The engine's words, not the SSH library's.
            expect(preview).not.toMatch(/attempted methods/);
        } finally {
            if (saved !== undefined) {
                process.env.SSH_AUTH_SOCK = saved;
            }
        }
        expect(alpha.logins()).toBe(logins);
    }, 120_000);

    it("an RSA host key pin is refused by name, pointing to ed25519 or ECDSA, before anything changes", async () => {
        await engine.stack.setAllConfig(engineConfig(config([alphaEntry(), { ...hostEntry("rsa", alpha), port: alpha.port + 1, hostKey: rsaKey }])));
        const logins = alpha.logins();
        const run = await recordUp(engine.stack, engine.transcript);
        expect(run.error?.message).toMatch(/nix-cache:hosts\[1\]\.hostKey: is an ssh-rsa key, which cannot be pinned: .*pin the host's ed25519 or ECDSA key/);
        expect(run.changed).toEqual({});
        expect(alpha.logins()).toBe(logins);
    }, 120_000);

    it("destroy, which runs no program, probes first too: a host gone silent fails by name, its files untouched", async () => {
        await engine.stack.setAllConfig(engineConfig(config([alphaEntry()])));
        await alpha.stop();
        const hung = await listenSilently(alpha.port);
        try {
            const started = Date.now();
            const run = await recordDestroy(engine.stack, engine.transcript);
            expect(Date.now() - started).toBeLessThan(90_000);
            expect(run.error).toBeDefined();
            expect(run.failed).toEqual(["nix-cache-host-alpha-handshake-on-delete"]);
            expect(failureOf(engine.transcript, "nix-cache-host-alpha-handshake-on-delete")).toContain(
                `nix-cache: error on host alpha: 127.0.0.1:${alpha.port} accepted the TCP connection but did not send an SSH version line within 30s`,
            );
            expect(await resourcesInState(engine.stack)).toContain("nix-cache-host-alpha-settings");
        } finally {
            await hung.close();
        }
        expect(fs.readFileSync(path.join(alpha.nixConfDir, "nix.conf"), "utf8")).toContain("!include nix-cache.conf");
    }, 150_000);

    it("destroy undoes the host once it speaks SSH again", async () => {
        await alpha.start();
        const run = await recordDestroy(engine.stack, engine.transcript);
        expect(run.error).toBeUndefined();
        expect(fs.readdirSync(alpha.nixConfDir)).toEqual(["nix.conf"]);
    }, 120_000);
});
