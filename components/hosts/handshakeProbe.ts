import { HostSpec, SshEndpointSpec } from "../config/model";
import { shQuote } from "../formats/shell";

/**
 * The longest a host may take to complete the start of an SSH handshake (its version line and
 * its first key exchange packet) before its commands fail. The command provider bounds only
 * the TCP connect (`perDialTimeout`): a host that accepts the connection and never speaks SSH
 * holds its SSH login, and the stack's lock, with no limit. So each host is probed first.
 */
export const HANDSHAKE_TIMEOUT_SECONDS = 30;

/** The probe's bound for `host`: {@link HANDSHAKE_TIMEOUT_SECONDS}, or its `commandTimeout` if shorter. */
export function handshakeTimeoutSeconds(host: Pick<HostSpec, "commandTimeoutSeconds">): number {
    return Math.min(HANDSHAKE_TIMEOUT_SECONDS, host.commandTimeoutSeconds);
}

/**
 * The probe, run by Node: connects to ADDRESS PORT, sends a version line, and waits up to
 * SECONDS for the server's version line and the header of its first packet, which must be
 * SSH_MSG_KEXINIT (20). Exits 0 when they came, and also when the TCP connect itself fails or
 * the server closes the connection: the command provider then fails at once with its own cause
 * (and retries a refused connection). Exits 1, naming the host, when the server accepted the
 * connection and did not get that far in time.
 */
const PROBE_SCRIPT = `
const [name, host, port, seconds] = process.argv.slice(1);
const where = host + ":" + port;
let connected = false;
let buffer = Buffer.alloc(0);
let versionEnd = -1;
const socket = require("net").connect({ host, port: Number(port) });
const finish = (code, message) => {
    if (message) process.stderr.write("nix-cache: error on host " + name + ": " + message + "\\n");
    socket.destroy();
    process.exit(code);
};
setTimeout(() => connected
    ? finish(1, where + " accepted the TCP connection but did not " + (versionEnd < 0 ? "send an SSH version line" : "start the SSH key exchange") + " within " + seconds + "s (an SSH server that hangs, or not an SSH server): its commands were not started")
    : finish(0), Number(seconds) * 1000);
socket.on("connect", () => { connected = true; socket.write("SSH-2.0-nix_cache_probe\\r\\n"); });
socket.on("error", () => finish(0));
socket.on("close", () => finish(0));
socket.on("data", (data) => {
    buffer = Buffer.concat([buffer, data]);
    // A server may send other lines before its version line (RFC 4253, 4.2).
    while (versionEnd < 0) {
        const end = buffer.indexOf(10);
        if (end < 0) return;
        if (buffer.subarray(0, 4).toString() === "SSH-") versionEnd = end + 1;
        else buffer = buffer.subarray(end + 1);
    }
    const packet = buffer.subarray(versionEnd);
    if (packet.length >= 6) finish(packet[5] === 20 ? 0 : 1, packet[5] === 20 ? "" : where + " sent no SSH key exchange packet after its version line");
});
`;

/**
 * The local command line probing `endpoint` of host `name` (see {@link PROBE_SCRIPT}), run by
 * the Node that runs the program (`node`: its path), else by `node` on PATH: a probe stored for
 * `destroy` may run after that Node moved. Without any Node it probes nothing.
 */
export function handshakeProbeCommand(name: string, endpoint: Pick<SshEndpointSpec, "address" | "port">, seconds: number, node: string): string {
    const probe = ["-e", PROBE_SCRIPT, name, endpoint.address, String(endpoint.port), String(seconds)].map(shQuote).join(" ");
    return `if [ -x ${shQuote(node)} ]; then nc_node=${shQuote(node)}; else nc_node=$(command -v node) || exit 0; fi; exec "$nc_node" ${probe}`;
}

/**
 * The same probe run on the proxy, for a host behind it: `ssh-keyscan` completes the key
 * exchange (it gives up after SECONDS without a byte from the host). A proxy without
 * `ssh-keyscan` cannot probe: it says so, and the commands run without the bound.
 */
export function proxiedHandshakeProbeScript(name: string, endpoint: Pick<SshEndpointSpec, "address" | "port">, seconds: number): string {
    const where = `${endpoint.address}:${endpoint.port}`;
    return [
        "if ! command -v ssh-keyscan >/dev/null 2>&1; then",
        `  echo ${shQuote(`nix-cache: warning: the proxy has no ssh-keyscan, so host ${name}'s SSH handshake is not probed`)} >&2; exit 0`,
        "fi",
        `nc_keys=$(ssh-keyscan -T ${seconds} -p ${endpoint.port} ${shQuote(endpoint.address)} 2>/dev/null | grep -v '^#')`,
        `[ -n "$nc_keys" ] && exit 0`,
        `echo ${shQuote(`nix-cache: error on host ${name}: ${where}, reached from the proxy, did not complete an SSH key exchange within ${seconds}s (unreachable from there, an SSH server that hangs, or not an SSH server): its commands were not started`)} >&2`,
        "exit 1",
    ].join("\n");
}
