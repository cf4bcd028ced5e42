import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ATPROTO_KEY, HOST_KEY } from "../support/config";

// A builder made by the same program: its address and host key are another resource's outputs,
// passed straight into the host's arguments. Under mocks: the connection and the triggers are the
// resolved values, and everything else was decided before the machine existed.

const COMMAND = "command:remote:Command";
const VM_ADDRESS = "203.0.113.50";
const PRIVATE_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nnever-in-a-command\n-----END OPENSSH PRIVATE KEY-----\n";

interface Recorded {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, unknown>;
}

/** A machine resource of some other provider, reporting where it listens and its host key. */
class Vm extends pulumi.CustomResource {
    declare readonly address: pulumi.Output<string>;
    declare readonly hostKey: pulumi.Output<string>;
    constructor(name: string) {
        super("test:index:Vm", name, { address: undefined, hostKey: undefined });
    }
}

const unwrap = (value: unknown): unknown =>
    typeof value === "object" && value !== null && (value as Record<string, unknown>)[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig
        ? (value as { value: unknown }).value
        : value;
const plain = (value: unknown) => JSON.parse(JSON.stringify(unwrap(value), (_, v: unknown) => unwrap(v))) as Record<string, unknown>;

const recorded: Recorded[] = [];
beforeAll(async () => {
    await pulumi.runtime.setMocks(
        {
            newResource(args) {
                recorded.push({ type: args.type, name: args.name, inputs: args.inputs });
                if (args.type === "test:index:Vm") {
                    return { id: "vm-1", state: { address: VM_ADDRESS, hostKey: HOST_KEY } };
                }
                return { id: `${args.name}-id`, state: args.type === COMMAND ? { ...args.inputs, stdout: "", stderr: "" } : args.inputs };
            },
            call: (args) => args.inputs,
        },
        "nix-cache",
        "test",
        false,
    );
});
// Components register their outputs a little after their children: wait for that before the file ends.
afterAll(() => new Promise((resolve) => setTimeout(resolve, 200)));

const settled = (output: pulumi.Output<unknown>) => new Promise((resolve) => output.apply(resolve));

describe("host connection fields from another resource's outputs", () => {
    it("NixHost connects to the machine the outputs name, and replaces its commands when it is another", async () => {
        const { NixHost } = await import("../../components/hosts/nixHost");
        const vm = new Vm("vm");
        const host = new NixHost("vm-host", {
            cache: { name: "atproto", publicKeys: [ATPROTO_KEY] },
            host: { name: "vm", kind: "nix", address: vm.address, hostKey: vm.hostKey },
            privateKey: pulumi.secret(PRIVATE_KEY),
        });
        await settled(pulumi.all([host.commands.settings.urn, host.commands.verify.urn]));
        const settings = recorded.find((r) => r.type === COMMAND && r.name === "vm-host-settings")!;
        expect(plain(settings.inputs["connection"])).toMatchObject({ host: VM_ADDRESS, port: 22, user: "root", hostKey: HOST_KEY, privateKey: PRIVATE_KEY });
        expect(unwrap(settings.inputs["triggers"])).toEqual([VM_ADDRESS, 22, "nix", "/etc/nix"]);
        // The scripts (on stdin) were decided before the machine existed: nothing in them names it.
        expect(String(settings.inputs["stdin"])).not.toContain("deferred-0.invalid");
        expect(String(settings.inputs["stdin"])).toContain("atproto.cachix.org");
        const verify = recorded.find((r) => r.type === COMMAND && r.name === "vm-host-verify")!;
        expect(plain(verify.inputs["connection"])).toMatchObject({ host: VM_ADDRESS, hostKey: HOST_KEY });
    });

    it("CacheSetup passes them through, checked for all hosts together, to each host's connection", async () => {
        const { CacheSetup } = await import("../../components/setup/cacheSetup");
        const vm = new Vm("vm2");
        const setup = new CacheSetup("org", {
            cache: { name: "atproto", publicKeys: [ATPROTO_KEY] },
            hosts: [
                { name: "vm", kind: "nix", address: vm.address, hostKey: vm.hostKey, trustedUsers: ["ci"] },
                { name: "vm-ci", kind: "user", address: vm.address, user: "ci", hostKey: vm.hostKey },
                { name: "fixed", kind: "nix", address: "192.0.2.1", hostKey: HOST_KEY },
            ],
            sshPrivateKeys: { sshPrivateKey: pulumi.secret(PRIVATE_KEY) },
        });
        await settled(pulumi.all(setup.hosts.map((h) => h.commands.verify.urn)));
        const connection = (host: string) => plain(recorded.find((r) => r.name === `org-host-${host}-settings`)!.inputs["connection"]);
        expect(connection("vm")).toMatchObject({ host: VM_ADDRESS, user: "root", hostKey: HOST_KEY });
        expect(connection("vm-ci")).toMatchObject({ host: VM_ADDRESS, user: "ci", hostKey: HOST_KEY });
        expect(connection("fixed")).toMatchObject({ host: "192.0.2.1", hostKey: HOST_KEY });
    });
});
