import * as net from "net";
import { Duplex } from "stream";
import * as pulumi from "@pulumi/pulumi";
import { Client, ConnectConfig } from "ssh2";
import { HostSpec, SshEndpointSpec } from "../config/model";
import { DIAL_ERROR_LIMIT, PER_DIAL_TIMEOUT_SECONDS } from "./connection";
import { handshakeTimeoutSeconds } from "./handshakeProbe";
import { HostRead } from "./hostState";
import { RemoteRun } from "./hostCommands";

/** How the program reads a host. */
export type HostReader = (host: HostSpec, run: RemoteRun, privateKey: string | undefined) => Promise<HostRead>;

/** What a program under Pulumi's mocks (a unit test, with no host behind any address) reads: a host as declared. */
export const MOCKED_READ: HostRead = { code: 0, stdout: "nix-cache-state converged \n", stderr: "" };

// The mocks' monitor is not exported by name; a program under them must not connect anywhere.
const underMocks = () => pulumi.runtime.getMonitor()?.constructor?.name === "MockMonitor";

const overSsh: HostReader = (host, run, privateKey) => (underMocks() ? Promise.resolve(MOCKED_READ) : runOnHost(host, run, privateKey));

let reader: HostReader = overSsh;

/** Sets how hosts are read (undefined: over SSH again); for tests under Pulumi's mocks. */
export function setHostReader(next: HostReader | undefined): void {
    reader = next ?? overSsh;
}

/** Reads `host` with the current {@link HostReader}. */
export function readHostState(host: HostSpec, run: RemoteRun, privateKey: string | undefined): Promise<HostRead> {
    return reader(host, run, privateKey);
}

/**
 * Runs one command on a host over SSH from the program itself (the read of its state in every
 * preview and up), with the settings its remote commands use (see connection.ts): the pinned
 * host key unless `insecureSkipHostKeyVerification`, the proxy, the private key or the agent
 * (`sshAgentSocket`, else SSH_AUTH_SOCK), DIAL_ERROR_LIMIT tries of PER_DIAL_TIMEOUT_SECONDS to
 * connect. Unlike the provider it bounds the handshake too: a host that accepts the connection
 * and never speaks SSH fails by name after {@link handshakeTimeoutSeconds}. Once logged in, the
 * command is bounded by the host's `commandTimeout`. Fails with a message naming the host and
 * the cause.
 */
export async function runOnHost(host: HostSpec, remote: RemoteRun, privateKey: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<HostRead> {
    const opened: Client[] = [];
    let timer: NodeJS.Timeout | undefined;
    try {
        const client = await connect(host, privateKey, env, opened);
        // Connecting has its own bounds (above); the command gets the host's commandTimeout.
        const limit = new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`the read did not finish within the host's commandTimeout (${host.commandTimeoutSeconds}s)`)), host.commandTimeoutSeconds * 1000);
        });
        return await Promise.race([limit, run(client, remote)]);
    } catch (error) {
        throw new Error(`host ${host.name}: cannot read its state over SSH: ${(error as Error).message}`);
    } finally {
        clearTimeout(timer);
        opened.forEach((client) => client.end());
    }
}

/** A logged-in client of `host`, through its proxy when it has one. */
async function connect(host: HostSpec, privateKey: string | undefined, env: NodeJS.ProcessEnv, opened: Client[]): Promise<Client> {
    if (host.proxy === undefined) {
        return login(host, host.ssh, await dial(host.ssh), privateKey, env, opened);
    }
    const proxy = await login(host, host.proxy, await dial(host.proxy), privateKey, env, opened);
    return login(host, host.ssh, await forward(proxy, host.ssh), privateKey, env, opened);
}

const where = (endpoint: Pick<SshEndpointSpec, "address" | "port">) => `${endpoint.address}:${endpoint.port}`;

/** The usual causes of a failed connect, in the words `ssh` and the provider use. */
const DIAL_ERRORS: Readonly<Record<string, string>> = {
    ECONNREFUSED: "connection refused",
    ETIMEDOUT: "connection timed out",
    EHOSTUNREACH: "no route to host",
    ENETUNREACH: "network is unreachable",
    ENOTFOUND: "no such host",
};

/** A TCP connection to `endpoint`: DIAL_ERROR_LIMIT tries, each bounded, a second apart. */
async function dial(endpoint: SshEndpointSpec): Promise<net.Socket> {
    let last: Error | undefined;
    for (let attempt = 0; attempt < DIAL_ERROR_LIMIT; attempt++) {
        if (attempt > 0) {
            await new Promise((resolve) => setTimeout(resolve, 1000));
        }
        try {
            return await new Promise<net.Socket>((resolve, reject) => {
                const socket = net.connect({ host: endpoint.address, port: endpoint.port });
                socket.setTimeout(PER_DIAL_TIMEOUT_SECONDS * 1000, () => {
                    socket.destroy();
                    reject(new Error(`dial tcp ${where(endpoint)}: no connection within ${PER_DIAL_TIMEOUT_SECONDS}s`));
                });
                socket.once("connect", () => {
                    socket.setTimeout(0);
                    resolve(socket);
                });
                socket.once("error", (error: NodeJS.ErrnoException) => reject(new Error(`dial tcp ${where(endpoint)}: ${DIAL_ERRORS[error.code ?? ""] ?? error.message}`)));
            });
        } catch (error) {
            last = error as Error;
        }
    }
    throw last!;
}

/** A channel from the logged-in proxy to `endpoint`. */
function forward(proxy: Client, endpoint: SshEndpointSpec): Promise<Duplex> {
    return new Promise((resolve, reject) =>
        proxy.forwardOut("127.0.0.1", 0, endpoint.address, endpoint.port, (error, stream) =>
            error ? reject(new Error(`the proxy cannot reach ${where(endpoint)}: ${error.message}`)) : resolve(stream),
        ),
    );
}

/** Logs in to `endpoint` over `sock`, with `host`'s credentials and host key settings. */
function login(host: HostSpec, endpoint: SshEndpointSpec, sock: Duplex, privateKey: string | undefined, env: NodeJS.ProcessEnv, opened: Client[]): Promise<Client> {
    const seconds = handshakeTimeoutSeconds(host);
    const client = new Client();
    opened.push(client);
    return new Promise((resolve, reject) => {
        let hostKeyRefused = false;
        client.once("ready", () => resolve(client));
        // `on`, not `once`: a later error (the connection reset mid-read) must not go unhandled.
        client.on("error", (error: Error) => {
            if (hostKeyRefused) {
                reject(new Error(`${where(endpoint)}: its host key does not match the pinned hostKey (ssh: host key mismatch)`));
            } else if (/timed out while waiting for handshake/i.test(error.message)) {
                reject(
                    new Error(
                        `${where(endpoint)} accepted the TCP connection but did not complete the SSH handshake within ${seconds}s (an SSH server that hangs, or not an SSH server)`,
                    ),
                );
            } else {
                reject(new Error(`${where(endpoint)}: ${error.message}`));
            }
        });
        const pinned = host.insecureSkipHostKeyVerification ? undefined : endpoint.hostKey?.trim().split(/\s+/);
        const config: ConnectConfig = {
            sock,
            username: endpoint.user,
            readyTimeout: seconds * 1000,
            ...credentials(host, privateKey, env),
        };
        if (pinned !== undefined) {
            const blob = Buffer.from(pinned[1] ?? "", "base64");
            // Only the pinned key's type is offered, so a host with several keys shows that one.
            config.algorithms = { serverHostKey: [pinned[0] as never] };
            config.hostVerifier = (key: Buffer) => {
                hostKeyRefused = !key.equals(blob);
                return !hostKeyRefused;
            };
        }
        client.connect(config);
    });
}

/** The key, or the agent, as the command provider uses them. */
function credentials(host: HostSpec, privateKey: string | undefined, env: NodeJS.ProcessEnv): Pick<ConnectConfig, "privateKey" | "agent"> {
    const agentSocket = host.auth.kind === "agent" ? (host.auth.socket ?? env.SSH_AUTH_SOCK) : env.SSH_AUTH_SOCK;
    const agent = agentSocket === undefined || agentSocket === "" ? {} : { agent: agentSocket };
    if (host.auth.kind === "privateKey") {
        if (privateKey === undefined) {
            throw new Error(`the SSH private key nix-cache:${host.auth.configKey} was not given`);
        }
        return { privateKey, ...agent };
    }
    return agent;
}

/** Runs `remote` in one session (its line, its stdin, then stdin closed); collects its output and exit status. */
function run(client: Client, remote: RemoteRun): Promise<HostRead> {
    return new Promise((resolve, reject) =>
        client.exec(remote.line, (error, stream) => {
            if (error) {
                reject(error);
                return;
            }
            const out: Buffer[] = [];
            const err: Buffer[] = [];
            stream.on("error", reject);
            stream.on("data", (data: Buffer) => out.push(data));
            stream.stderr.on("data", (data: Buffer) => err.push(data));
            stream.on("close", (code: number | null) =>
                resolve({ code: code ?? 255, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") }),
            );
            stream.end(remote.stdin);
        }),
    );
}

/**
 * The read of a host's state: its verify script as its verify command runs it, followed on stdin
 * by `salt:SALT`, which adds the `nix-cache-state` lines (see sh/lib-state.sh). The salt is new
 * on every read.
 */
export function stateRead(verify: RemoteRun, salt: string): RemoteRun {
    return { line: verify.line, stdin: `${verify.stdin}salt:${salt}\n` };
}
