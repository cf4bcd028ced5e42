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

/** What to do about a host that cannot be reached, said by every probe that finds one. */
export const GONE_FOR_GOOD = 'if it is gone for good, set "retired: true" on its entry and run again (docs/hosts.md, "Retiring a host")';

/**
 * The probe, run by Node: connects to ADDRESS PORT, sends a version line, and waits up to
 * SECONDS for the server's version line and the header of its first packet, which must be
 * SSH_MSG_KEXINIT (20). Exits 0 when they came, and also when the server closes the connection.
 * A host it cannot connect to at all (refused, unreachable, no answer in time) passes too, with
 * a note naming it and the way out: its commands' own dial then fails, in the step where every
 * host's commands are deleted together, so it never keeps the others from being undone (see
 * docs/hosts.md, "A dead host in `pulumi destroy`"). Exits 1, naming the host, when the server
 * accepted the connection and did not get that far in time: that host's commands would hang.
 */
const PROBE_SCRIPT = `
const [name, host, port, seconds, GONE] = process.argv.slice(1);
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
const unreachable = (why) => {
    process.stderr.write("nix-cache: host " + name + ": " + where + " " + why + ", so its commands cannot connect: " + GONE + "\\n");
    finish(0);
};
setTimeout(() => connected
    ? finish(1, where + " accepted the TCP connection but did not " + (versionEnd < 0 ? "send an SSH version line" : "start the SSH key exchange") + " within " + seconds + "s (an SSH server that hangs, or not an SSH server): its commands were not started, nor the other hosts' still to come (--continue-on-error runs those); " + GONE)
    : unreachable("did not accept a TCP connection within " + seconds + "s"), Number(seconds) * 1000);
socket.on("connect", () => { connected = true; socket.write("SSH-2.0-nix_cache_probe\\r\\n"); });
socket.on("error", (error) => connected ? finish(0) : unreachable("cannot be reached (" + (error.code || error.message) + ")"));
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
    const probe = ["-e", PROBE_SCRIPT, name, endpoint.address, String(endpoint.port), String(seconds), GONE_FOR_GOOD].map(shQuote).join(" ");
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
        "nc_started=$(date +%s)",
        `nc_keys=$(ssh-keyscan -T ${seconds} -p ${endpoint.port} ${shQuote(endpoint.address)} 2>/dev/null | grep -v '^#')`,
        `[ -n "$nc_keys" ] && exit 0`,
        // Failed before the bound: refused or unreachable, which the commands' own dial reports.
        `if [ $(($(date +%s) - nc_started)) -lt ${seconds} ]; then`,
        `  echo ${shQuote(`nix-cache: host ${name}: ${where} cannot be reached from the proxy, so its commands cannot connect: ${GONE_FOR_GOOD}`)} >&2; exit 0`,
        "fi",
        `echo ${shQuote(`nix-cache: error on host ${name}: ${where}, reached from the proxy, did not complete an SSH key exchange within ${seconds}s (an SSH server that hangs, or not an SSH server): its commands were not started, nor the other hosts' still to come (--continue-on-error runs those); ${GONE_FOR_GOOD}`)} >&2`,
        "exit 1",
    ].join("\n");
}
