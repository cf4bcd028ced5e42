import { spawn, spawnSync } from "child_process";
import * as net from "net";
import { afterEach, describe, expect, it } from "vitest";
import { findTool } from "../../cli/localStack";
import { GONE_FOR_GOOD, handshakeProbeCommand, handshakeTimeoutSeconds, proxiedHandshakeProbeScript } from "../../components/hosts/handshakeProbe";

// The handshake probe as /bin/sh runs it, against servers that speak SSH's first packets, say
// nothing, or are not there.

const servers: net.Server[] = [];

afterEach(() => {
    servers.splice(0).forEach((server) => server.close());
});

/** A local server answering each connection with `reply` (nothing when undefined); its port. */
async function server(reply?: Buffer): Promise<number> {
    const s = net.createServer((socket) => {
        socket.on("error", () => undefined);
        if (reply !== undefined) {
            socket.write(reply);
        }
    });
    servers.push(s);
    await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
    return (s.address() as net.AddressInfo).port;
}

/** A port nothing listens on (it just did). */
async function closedPort(): Promise<number> {
    const port = await server();
    servers.splice(0).forEach((s) => s.close());
    await new Promise((resolve) => setTimeout(resolve, 100));
    return port;
}

function probe(port: number, seconds = 2): Promise<{ code: number | null; stderr: string; ms: number }> {
    const started = Date.now();
    const child = spawn("/bin/sh", ["-c", handshakeProbeCommand("builder", { address: "127.0.0.1", port }, seconds, process.execPath)]);
    let stderr = "";
    child.stderr.on("data", (data: Buffer) => (stderr += data.toString()));
    return new Promise((resolve) => child.on("exit", (code) => resolve({ code, stderr, ms: Date.now() - started })));
}

/** An SSH server's first bytes: a banner line, its version line, then a KEXINIT packet's header. */
const KEXINIT = Buffer.concat([Buffer.from("a banner line\r\nSSH-2.0-OpenSSH_9.2\r\n"), Buffer.from([0, 0, 0, 12, 4, 20])]);

describe("SSH handshake probe", () => {
    it("passes a server that sends its version line and starts the key exchange", async () => {
        const result = await probe(await server(KEXINIT));
        expect(result).toMatchObject({ code: 0, stderr: "" });
    });

    it("fails, naming the host and the bound, a server that accepts and says nothing", async () => {
        const port = await server();
        const result = await probe(port);
        expect(result.code).toBe(1);
        expect(result.stderr).toBe(
            `nix-cache: error on host builder: 127.0.0.1:${port} accepted the TCP connection but did not send an SSH version line within 2s (an SSH server that hangs, or not an SSH server): its commands were not started, nor the other hosts' still to come (--continue-on-error runs those); ${GONE_FOR_GOOD}\n`,
        );
        expect(result.ms).toBeLessThan(10_000);
    });

    it("fails a server that sends a version line and no key exchange", async () => {
        const result = await probe(await server(Buffer.from("SSH-2.0-stuck\r\n")));
        expect(result.code).toBe(1);
        expect(result.stderr).toContain("did not start the SSH key exchange within 2s");
    });

    it("passes a refused connection, saying the host cannot be reached and how to retire it: the provider's dial then fails where every host's commands run", async () => {
        const port = await closedPort();
        const result = await probe(port);
        expect(result.code).toBe(0);
        expect(result.stderr).toBe(`nix-cache: host builder: 127.0.0.1:${port} cannot be reached (ECONNREFUSED), so its commands cannot connect: ${GONE_FOR_GOOD}\n`);
    });

    it("from the proxy: passes a host that refuses at once, with the same note, and fails one that stays silent", async () => {
        const keyscan = (port: number) =>
            spawnSync("/bin/sh", ["-c", proxiedHandshakeProbeScript("builder", { address: "127.0.0.1", port }, 2)], { encoding: "utf8" });
        const refused = await closedPort();
        expect(keyscan(refused)).toMatchObject({ status: 0, stderr: `nix-cache: host builder: 127.0.0.1:${refused} cannot be reached from the proxy, so its commands cannot connect: ${GONE_FOR_GOOD}\n` });
        const silent = keyscan(await server());
        expect(silent.status).toBe(1);
        expect(silent.stderr).toContain("did not complete an SSH key exchange within 2s");
        expect(silent.stderr).toContain("--continue-on-error");
    });

    it("is bounded by commandTimeout when that is shorter than 30 s", () => {
        expect(handshakeTimeoutSeconds({ commandTimeoutSeconds: 900 })).toBe(30);
        expect(handshakeTimeoutSeconds({ commandTimeoutSeconds: 10 })).toBe(10);
    });

    it.skipIf(!findTool("shellcheck"))("both command lines pass shellcheck", () => {
        for (const script of [
            handshakeProbeCommand("builder", { address: "203.0.113.1", port: 22 }, 30, "/usr/bin/node"),
            proxiedHandshakeProbeScript("builder", { address: "203.0.113.1", port: 22 }, 30),
        ]) {
            const result = spawnSync(findTool("shellcheck")!, ["-s", "sh", "-"], { input: script, encoding: "utf8" });
            expect(result.stdout).toBe("");
        }
    });
});
