import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deferredFields, gated, gatedHost, machineDeferred, withStandIns } from "../../components/args/deferredEndpoints";
import { HostArgs } from "../../components/args/stackArgs";
import { resolvedHosts, validatedSections } from "../../components/args/validate";
import { loadStackModel } from "../../components/config/load";
import { HOST_KEY, MINIMAL, rawConfig } from "../support/config";

// Hosts' connection fields may be Outputs (a VM made by the same program): every other check
// runs at once, and the fields get the stack file's own checks where they resolve.

const HOST: HostArgs = { name: "builder", kind: "nix", address: "192.0.2.10", hostKey: HOST_KEY };
const later = <T extends string | number>(value: T): pulumi.Output<T> => pulumi.output(Promise.resolve(value)) as pulumi.Output<T>;

// A failed Output also fails promises nobody awaits (the SDK's own chains behind isKnown and
// isSecret); a program's run reports the first and stops. Here they are collected instead, and
// each must be one of the failures these tests cause.
const strayRejections: unknown[] = [];
let listeners: NodeJS.UnhandledRejectionListener[] = [];
beforeAll(() => {
    listeners = process.listeners("unhandledRejection");
    process.removeAllListeners("unhandledRejection");
    process.on("unhandledRejection", (reason) => strayRejections.push(reason));
});
afterAll(async () => {
    await new Promise((resolve) => setTimeout(resolve, 100));
    process.removeAllListeners("unhandledRejection");
    listeners.forEach((listener) => process.on("unhandledRejection", listener));
    const unexpected = strayRejections.map((r) => (r instanceof Error ? r.message : String(r))).filter((m) => !/^(checks failed|(CacheSetup|NixHost) \w+: invalid arguments)/.test(m));
    expect(strayRejections.length).toBeGreaterThan(0);
    expect(unexpected).toEqual([]);
});

/** How an Output settles: its value, or the message it failed with (through the SDK's own promise of it). */
function settled<T>(output: pulumi.Output<T>): Promise<{ value: T } | { error: string }> {
    return failure(output).then((outcome) => ("error" in outcome ? { error: outcome.error.message } : outcome));
}

function failure<T>(output: pulumi.Output<T>): Promise<{ value: T } | { error: Error }> {
    const promise = (output as unknown as { promise(): Promise<T> }).promise();
    return promise.then(
        (value) => ({ value }),
        (error: Error) => ({ error }),
    );
}

/** What the stack file says of `hosts`, as a message's problem lines. */
function stackFileProblems(hosts: Record<string, unknown>[]): string[] {
    try {
        loadStackModel(rawConfig({ ...MINIMAL, hosts }, { sshPrivateKey: "x" }), { mode: "apply" });
    } catch (error) {
        return (error as { problems: { path: string; message: string }[] }).problems.map((p) => `${p.path.replace(/^nix-cache:/, "")}: ${p.message}`);
    }
    return [];
}

describe("which connection fields are deferred", () => {
    it("names Outputs and promises, the proxy's too; plain values are not", () => {
        const host: HostArgs = { ...HOST, address: later("192.0.2.10"), port: Promise.resolve(2222), proxy: { address: "192.0.2.1", hostKey: later(HOST_KEY) } };
        expect(deferredFields(host)).toEqual(["address", "port", "proxy.hostKey"]);
        expect(deferredFields(HOST)).toEqual([]);
        expect(machineDeferred(host)).toBe(true);
        expect(machineDeferred({ ...HOST, hostKey: later(HOST_KEY) })).toBe(false);
    });

    it("stand-ins pass every rule, and two deferred machines are never taken for one", () => {
        const hosts = withStandIns([
            { ...HOST, address: later("192.0.2.10"), hostKey: later(HOST_KEY), user: later("admin") },
            { ...HOST, name: "other", port: later(22) },
        ]);
        expect(hosts.map((h) => h.address)).toEqual(["deferred-0.invalid", "deferred-1.invalid"]);
        expect(hosts.every((h) => deferredFields(h).length === 0)).toBe(true);
        const model = validatedSections("CacheSetup", "t", { cache: MINIMAL.cache, hosts: [{ ...HOST, address: later("192.0.2.10") }, { ...HOST, name: "other", address: later("192.0.2.10") }] });
        expect(model.hosts.map((h) => h.name)).toEqual(["builder", "other"]);
    });

    it("what decides the resources is still refused as an Output, by name", () => {
        const host = { ...HOST, trustedUsers: [later("ci")] as unknown as string[], address: later("192.0.2.10") };
        expect(() => validatedSections("NixHost", "late", { cache: MINIMAL.cache, hosts: [host] }, (p) => p.replace(/^hosts\[0\]/, "host"))).toThrow(
            /^NixHost late: host\.trustedUsers\[0\] must be known plain values, not Outputs or promises/,
        );
        expect(() => validatedSections("CacheSetup", "late", { cache: MINIMAL.cache, hosts: [{ ...HOST, name: later("b") as unknown as string }] })).toThrow(/hosts\[0\]\.name must be known plain values/);
    });

    it("a missing host key is refused at once, though the address is deferred", () => {
        const unpinned: HostArgs = { name: "builder", kind: "nix", address: later("192.0.2.10") };
        expect(() => validatedSections("CacheSetup", "t", { cache: MINIMAL.cache, hosts: [unpinned] })).toThrow(/hosts\[0\]\.hostKey: is required: host keys are pinned by default/);
    });
});

describe("deferred connection fields, where they resolve", () => {
    it("resolve into the host as the stack file would have it", async () => {
        const sections = { cache: MINIMAL.cache, hosts: [{ ...HOST, address: later("192.0.2.77"), port: later(2222), user: later("admin") }] };
        const resolved = await settled(resolvedHosts("CacheSetup", "t", sections)!);
        expect(resolved).toEqual({ value: [expect.objectContaining({ name: "builder", ssh: { address: "192.0.2.77", port: 2222, user: "admin", hostKey: HOST_KEY } })] });
        expect(resolvedHosts("CacheSetup", "t", { cache: MINIMAL.cache, hosts: [HOST] })).toBeUndefined();
    });

    it("a wrong resolved value fails with the stack file's message at the argument's path", async () => {
        const [problem] = stackFileProblems([{ ...HOST, address: "999.1.1.1" }]);
        const failed = await settled(resolvedHosts("NixHost", "vm", { cache: MINIMAL.cache, hosts: [{ ...HOST, address: later("999.1.1.1") }] }, (p) => p.replace(/^hosts\[0\]/, "host"))!);
        expect(failed).toEqual({ error: `NixHost vm: invalid arguments (1 problem):\n  - ${problem.replace(/^hosts\[0\]/, "host")}` });
        const rsa = await settled(resolvedHosts("CacheSetup", "s", { cache: MINIMAL.cache, hosts: [{ ...HOST, hostKey: later("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7") }] })!);
        expect(rsa).toEqual({ error: expect.stringMatching(/hosts\[0\]\.hostKey: is an ssh-rsa key, which cannot be pinned/) });
    });

    it("a failed check is a RunError, so a program ends with the message alone", async () => {
        const outcome = await failure(resolvedHosts("CacheSetup", "s", { cache: MINIMAL.cache, hosts: [{ ...HOST, port: later(0) }] })!);
        expect("error" in outcome && pulumi.RunError.isInstance(outcome.error)).toBe(true);
        expect(() => validatedSections("CacheSetup", "s", { cache: MINIMAL.cache, hosts: [{ ...HOST, port: 0 }] })).toThrow(pulumi.RunError);
    });

    it("two entries resolving to one machine are refused together", async () => {
        const hosts = [{ ...HOST, address: later("192.0.2.10") }, { ...HOST, name: "other", address: "192.0.2.10" }];
        const failed = await settled(resolvedHosts("CacheSetup", "s", { cache: MINIMAL.cache, hosts })!);
        expect(failed).toEqual({ error: expect.stringContaining('hosts: duplicate host address:port "192.0.2.10:22"; each must appear once') });
    });

    it("a secret resolving to a wrong value is named, never shown", async () => {
        const failed = await settled(resolvedHosts("CacheSetup", "s", { cache: MINIMAL.cache, hosts: [{ ...HOST, address: pulumi.secret("not an address!") }] })!);
        expect(failed).toEqual({ error: "CacheSetup s: invalid arguments (1 problem):\n  - hosts[0].address: is invalid (it resolved to a secret, so what it is and the rule it breaks are not shown)" });
        expect(JSON.stringify(failed)).not.toContain("not an address!");
    });

    it("a gated field resolves only once its gate has, and fails with it", async () => {
        expect(await settled(gated(later("192.0.2.10"), later(1)))).toEqual({ value: "192.0.2.10" });
        const closed = pulumi.output(Promise.reject(new Error("checks failed")));
        expect(await settled(gated("192.0.2.10", closed))).toEqual({ error: "checks failed" });
        const host = gatedHost({ ...HOST, address: later("192.0.2.10"), proxy: { address: later("192.0.2.1") } }, closed);
        expect(await settled(pulumi.output(host.address))).toEqual({ error: "checks failed" });
        expect(await settled(pulumi.output(host.proxy!.address))).toEqual({ error: "checks failed" });
        // Plain fields are left as they are.
        expect(host.hostKey).toBe(HOST_KEY);
    });
});
