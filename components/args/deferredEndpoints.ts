/**
 * A host's connection fields (`address`, `port`, `user`, `hostKey`, and its bastion's) may be
 * Outputs: a builder made by the same program, a VM say, is known only once it exists. They
 * decide nothing but the SSH connection, so every other check runs at once with stand-ins in
 * their place, and the fields are checked where they resolve, with the stack file's own rules
 * and messages, before any command of the host is sent.
 */
import * as pulumi from "@pulumi/pulumi";
import { HostArgs, SshEndpointArgs } from "./stackArgs";

/** The fields of an SSH endpoint that may be Outputs. */
export const ENDPOINT_FIELDS = ["address", "port", "user", "hostKey"] as const;

/** One of {@link ENDPOINT_FIELDS}. */
export type EndpointField = (typeof ENDPOINT_FIELDS)[number];

/** Valid for their rule and never real: a stand-in address is `deferred-<index>.invalid`. */
const STAND_INS: Record<Exclude<EndpointField, "address">, string | number> = {
    port: 22,
    user: "root",
    hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHN0YW5kLWluIGZvciBhIGRlZmVycmVkIGhvc3Qga2V5",
};

/** Whether `value` is known only later: an Output or a promise. */
export function isDeferred(value: unknown): boolean {
    return pulumi.Output.isInstance(value) || value instanceof Promise;
}

/** The host's connection fields that are Outputs or promises, as argument paths (`address`, `proxy.port`). */
export function deferredFields(host: HostArgs): string[] {
    const of = (endpoint: SshEndpointArgs | HostArgs, prefix: string) =>
        ENDPOINT_FIELDS.filter((field) => isDeferred(endpoint[field])).map((field) => `${prefix}${field}`);
    return [...of(host, ""), ...(host.proxy === undefined ? [] : of(host.proxy, "proxy."))];
}

/**
 * Whether the host's machine (address and port) is known only later, so which other entries
 * share it is too.
 */
export function machineDeferred(host: HostArgs): boolean {
    return isDeferred(host.address) || isDeferred(host.port);
}

/**
 * `hosts` with each deferred connection field replaced by a stand-in, for the checks that run
 * before anything is registered. A host whose machine is deferred gets a stand-in address of its
 * own, so it is never taken for another entry's machine.
 */
export function withStandIns(hosts: readonly HostArgs[]): HostArgs[] {
    return hosts.map((host, index) => {
        const endpoint = <T extends SshEndpointArgs>(value: T, address: string): T => ({
            ...value,
            ...Object.fromEntries(
                ENDPOINT_FIELDS.filter((field) => field !== "address" && isDeferred(value[field])).map((field) => [field, STAND_INS[field as Exclude<EndpointField, "address">]]),
            ),
            ...(isDeferred(value.address) || isDeferred(value.port) ? { address } : {}),
        });
        return {
            ...endpoint(host, `deferred-${index}.invalid`),
            ...(host.proxy === undefined ? {} : { proxy: endpoint(host.proxy, `deferred-${index}-proxy.invalid`) }),
        };
    });
}

/** Whether any of `hosts` has a deferred connection field. */
export function anyDeferred(hosts: readonly HostArgs[] | undefined): boolean {
    return (hosts ?? []).some((host) => deferredFields(host).length > 0);
}

/** `value` once `gate` has resolved: what a deferred field waits on, e.g. the check of every host together. */
export function gated<T>(value: pulumi.Input<T>, gate: pulumi.Output<unknown>): pulumi.Output<T> {
    return gate.apply(() => pulumi.output(value)) as pulumi.Output<T>;
}

/** `host` with each deferred connection field resolving only after `gate`. */
export function gatedHost(host: HostArgs, gate: pulumi.Output<unknown>): HostArgs {
    const endpoint = <T extends SshEndpointArgs>(value: T): T => ({
        ...value,
        ...Object.fromEntries(ENDPOINT_FIELDS.filter((field) => isDeferred(value[field])).map((field) => [field, gated(value[field], gate)])),
    });
    return { ...endpoint(host), ...(host.proxy === undefined ? {} : { proxy: endpoint(host.proxy) }) };
}
