import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { loadStackModel } from "../../components/config/load";
import { HostSpec } from "../../components/config/model";
import { DIAL_ERROR_LIMIT, hostConnection } from "../../components/hosts/connection";
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
