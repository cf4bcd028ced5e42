import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { loadStackModel } from "../../components/config/load";
import { HostSpec } from "../../components/config/model";
import { agentSocketProblem, socketAnswers } from "../../components/hosts/agentSocket";
import { commandTimeouts, DIAL_ERROR_LIMIT, hostConnection } from "../../components/hosts/connection";
import { ATPROTO_KEY, HOST_KEY, rawConfig } from "../support/config";

const BASTION_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGht2YU8N8Y8IebRzu4sq5QH/Cbr+Mc6uHcVjKwB2hSo";

function host(entry: Record<string, unknown>): HostSpec {
    const model = loadStackModel(
        rawConfig({ cache: { name: "atproto", publicKeys: [ATPROTO_KEY] }, hosts: [{ name: "h", kind: "nix", address: "192.0.2.1", ...entry }] }, "sshAgent" in entry ? {} : { sshPrivateKey: "x" }),
        { mode: "apply" },
    );
    return model.hosts[0];
}

const value = (input: pulumi.Input<string> | undefined) => new Promise<string>((resolve) => pulumi.output(input as pulumi.Input<string>).apply(resolve));

describe("host connection", () => {
    it("pins the host key and keeps the private key secret", async () => {
        const connection = hostConnection(host({ hostKey: HOST_KEY, port: 2222, user: "admin" }), "PRIVATE");
        expect(connection).toMatchObject({ host: "192.0.2.1", port: 2222, user: "admin", hostKey: HOST_KEY, dialErrorLimit: DIAL_ERROR_LIMIT });
        expect(await pulumi.isSecret(pulumi.output(connection.privateKey!))).toBe(true);
        expect(await value(connection.privateKey)).toBe("PRIVATE");
        expect(connection.proxy).toBeUndefined();
    });

    it("verifies no host key only with the explicit opt-out", () => {
        const connection = hostConnection(host({ insecureSkipHostKeyVerification: true }), "PRIVATE");
        expect(connection).not.toHaveProperty("hostKey");
        const forged = { ...host({ hostKey: HOST_KEY }), ssh: { address: "192.0.2.1", port: 22, user: "root" } };
        expect(() => hostConnection(forged, "PRIVATE")).toThrow(/hostKey is required unless insecureSkipHostKeyVerification is set/);
    });

    it("reaches a bastion with its own pinned key and the same credentials", () => {
        const connection = hostConnection(host({ hostKey: HOST_KEY, proxy: { address: "198.51.100.1", port: 2200, user: "jump", hostKey: BASTION_KEY } }), "PRIVATE");
        expect(connection.proxy).toMatchObject({ host: "198.51.100.1", port: 2200, user: "jump", hostKey: BASTION_KEY });
        expect(connection.proxy).toHaveProperty("privateKey");
    });

    it("uses the SSH agent (socket or $SSH_AUTH_SOCK) instead of a key", () => {
        expect(hostConnection(host({ hostKey: HOST_KEY, sshAgent: "/run/agent.sock" }))).toMatchObject({ agentSocketPath: "/run/agent.sock" });
        const viaEnv = hostConnection(host({ hostKey: HOST_KEY, sshAgent: true }));
        expect(viaEnv).not.toHaveProperty("agentSocketPath");
        expect(viaEnv).not.toHaveProperty("privateKey");
    });

    it("fails clearly when the key a host needs was not given", () => {
        expect(() => hostConnection(host({ hostKey: HOST_KEY }))).toThrow(/host h: the SSH private key nix-cache:sshPrivateKey was not given/);
    });
});

describe("host connection: what the upstream command provider needs", () => {
    const RSA_KEY = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7";

    it("refuses an ssh-rsa pin, for the host and its bastion, pointing to ed25519 or ECDSA", () => {
        for (const entry of [{ hostKey: RSA_KEY }, { hostKey: HOST_KEY, proxy: { address: "198.51.100.1", hostKey: RSA_KEY } }]) {
            expect(() => host(entry)).toThrow(/hostKey: is an ssh-rsa key, which cannot be pinned: .*SHA-1 .*OpenSSH 8\.8 .*pin the host's ed25519 or ECDSA key/);
        }
    });

    it("bounds every command by the host's commandTimeout, by kind by default", () => {
        expect(commandTimeouts(host({ hostKey: HOST_KEY }))).toEqual({ create: "900s", update: "900s", delete: "900s" });
        expect(commandTimeouts(host({ hostKey: HOST_KEY, commandTimeout: 30 }))).toEqual({ create: "30s", update: "30s", delete: "30s" });
        expect(commandTimeouts(host({ hostKey: HOST_KEY, kind: "nixos" })).create).toBe("3600s");
    });

    it("names a stale SSH_AUTH_SOCK, which the provider dials even for private-key hosts", () => {
        const keyHost = host({ hostKey: HOST_KEY });
        const stale = { SSH_AUTH_SOCK: "/tmp/gone/agent.sock" };
        expect(agentSocketProblem(keyHost, stale, () => false)).toBe(
            "SSH_AUTH_SOCK (/tmp/gone/agent.sock) names no running SSH agent; the command provider connects to it for every SSH login, even for host h, which logs in with a private key: unset SSH_AUTH_SOCK or start the agent, then run again",
        );
        expect(agentSocketProblem(keyHost, stale, () => true)).toBeUndefined();
        expect(agentSocketProblem(keyHost, {}, () => false)).toBeUndefined();
        // A host naming its own agent socket does not read the variable.
        expect(agentSocketProblem(host({ hostKey: HOST_KEY, sshAgent: "/run/agent.sock" }), stale, (p) => p === "/run/agent.sock")).toBeUndefined();
        expect(agentSocketProblem(host({ hostKey: HOST_KEY, sshAgent: true }), stale, () => false)).toMatch(/host h logs in through the agent/);
    });

    it("names, by host, an agent host without SSH_AUTH_SOCK and a named agent socket without an agent", () => {
        const agentHost = host({ hostKey: HOST_KEY, sshAgent: true });
        for (const env of [{}, { SSH_AUTH_SOCK: "" }]) {
            expect(agentSocketProblem(agentHost, env, () => true)).toBe(
                'host h logs in through the SSH agent (sshAgent: true), but SSH_AUTH_SOCK is not set: start an agent and add the host\'s key (eval "$(ssh-agent)"; ssh-add KEYFILE), set sshAgent to the agent\'s socket path, or give the host a private key (privateKeySecret), then run again',
            );
        }
        expect(agentSocketProblem(agentHost, { SSH_AUTH_SOCK: "/run/a.sock" }, () => true)).toBeUndefined();
        const ownSocket = host({ hostKey: HOST_KEY, sshAgent: "/run/agent.sock" });
        expect(agentSocketProblem(ownSocket, {}, () => false)).toMatch(/^host h: its sshAgent socket \(\/run\/agent\.sock\) names no running SSH agent: /);
        expect(agentSocketProblem(ownSocket, {}, () => true)).toBeUndefined();
        // Its bastion logs in with the same agent: one check covers both.
        const proxied = host({ hostKey: HOST_KEY, sshAgent: true, proxy: { address: "198.51.100.1", hostKey: BASTION_KEY } });
        expect(agentSocketProblem(proxied, {}, () => true)).toMatch(/^host h logs in through the SSH agent \(sshAgent: true\), but SSH_AUTH_SOCK is not set/);
        // A private-key host needs no agent.
        expect(agentSocketProblem(host({ hostKey: HOST_KEY }), {}, () => false)).toBeUndefined();
    });

    it("tells a socket with a listener from a path without one", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agent-probe-"));
        const socket = path.join(dir, "s");
        const server = net.createServer((c) => c.end());
        await new Promise<void>((resolve) => server.listen(socket, resolve));
        try {
            expect(socketAnswers(socket)).toBe(true);
            expect(socketAnswers(path.join(dir, "missing"))).toBe(false);
        } finally {
            await new Promise((resolve) => server.close(resolve));
            fs.rmSync(dir, { recursive: true, force: true });
        }
        // The agent is gone.
        expect(socketAnswers(socket)).toBe(false);
    });
});
