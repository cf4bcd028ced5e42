import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { HostSpec, SshEndpointSpec } from "../config/model";

type ConnectionArgs = command.types.input.remote.ConnectionArgs;
type ProxyConnectionArgs = command.types.input.remote.ProxyConnectionArgs;

/** How often, and how long, to try reaching a host before failing (the provider's default is 10 tries). */
export const DIAL_ERROR_LIMIT = 3;
export const PER_DIAL_TIMEOUT_SECONDS = 15;

/**
 * The SSH connection of a host's remote commands. The host key is pinned unless the host opts
 * out with `insecureSkipHostKeyVerification` (the provider skips verification without one).
 * The private key stays a secret output; without one the provider uses the SSH agent.
 */
export function hostConnection(host: HostSpec, privateKey?: pulumi.Input<string>): ConnectionArgs {
    const connection = endpointConnection(host, host.ssh, privateKey);
    if (host.proxy !== undefined) {
        const proxy: ProxyConnectionArgs = endpointConnection(host, host.proxy, privateKey);
        connection.proxy = proxy;
    }
    return connection;
}

/**
 * A connection to `host`'s proxy itself, for a command that runs there (the probe of the host's
 * SSH handshake from the proxy's side); undefined without a proxy.
 */
export function proxyConnection(host: HostSpec, privateKey?: pulumi.Input<string>): ConnectionArgs | undefined {
    return host.proxy === undefined ? undefined : endpointConnection(host, host.proxy, privateKey);
}

/** A connection to `endpoint` (the host or its proxy) with `host`'s credentials. */
function endpointConnection(host: HostSpec, endpoint: SshEndpointSpec, privateKey?: pulumi.Input<string>): ConnectionArgs {
    return {
        ...endpointArgs(endpoint, host.insecureSkipHostKeyVerification),
        ...authArgs(host, privateKey),
        dialErrorLimit: DIAL_ERROR_LIMIT,
        perDialTimeout: PER_DIAL_TIMEOUT_SECONDS,
    };
}

/**
 * What replaces a host's commands when it changes: a new address, port, kind or config dir may
 * be other files, and a `user` host's files are its login user's.
 */
export function replacementTriggers(host: HostSpec): (string | number)[] {
    return [host.ssh.address, host.ssh.port, host.kind, host.nixConfDir, ...(host.kind === "user" ? [host.ssh.user] : [])];
}

/**
 * The bound of each of the host's remote commands, connecting included: the engine gives the
 * provider this long, then fails the command by name.
 */
export function commandTimeouts(host: Pick<HostSpec, "commandTimeoutSeconds">): pulumi.CustomTimeouts {
    const limit = `${host.commandTimeoutSeconds}s`;
    return { create: limit, update: limit, delete: limit };
}

function endpointArgs(endpoint: SshEndpointSpec, insecure: boolean): { host: string; port: number; user: string; hostKey?: string } {
    const args = { host: endpoint.address, port: endpoint.port, user: endpoint.user };
    if (insecure) {
        return args;
    }
    if (endpoint.hostKey === undefined) {
        // The config reader requires it; this guards callers that build a HostSpec by hand.
        throw new pulumi.RunError(`host ${endpoint.address}:${endpoint.port}: hostKey is required unless insecureSkipHostKeyVerification is set`);
    }
    return { ...args, hostKey: endpoint.hostKey };
}

function authArgs(host: HostSpec, privateKey?: pulumi.Input<string>): { privateKey?: pulumi.Input<string>; agentSocketPath?: string } {
    if (host.auth.kind === "agent") {
        return host.auth.socket === undefined ? {} : { agentSocketPath: host.auth.socket };
    }
    if (privateKey === undefined) {
        throw new pulumi.RunError(`host ${host.name}: the SSH private key nix-cache:${host.auth.configKey} was not given`);
    }
    return { privateKey: pulumi.secret(privateKey) };
}
