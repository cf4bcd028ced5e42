import * as pulumi from "@pulumi/pulumi";
import { afterEach, describe, expect, it } from "vitest";
import { loadStackModel } from "../../components/config/load";
import { StackModel } from "../../components/config/model";
import { hostArtifacts } from "../../components/hosts/hostArtifacts";
import { renderedAddedCaches } from "../../components/mirror/mirrorCache";
import { hostCommands } from "../../components/hosts/hostCommands";
import { HostReader, setHostReader } from "../../components/hosts/hostRead";
import { hostScripts } from "../../components/hosts/hostScripts";
import { hostOwner, hostPayload } from "../../components/hosts/payload";
import { GONE_FOR_GOOD } from "../../components/hosts/handshakeProbe";
import { shQuote } from "../../components/formats/shell";
import { secretPlaceholder } from "../../components/render/artifact";
import { ATPROTO_KEY, HOST_KEY, rawConfig } from "../support/config";
import { cacheSetupArgsOf, nixHostArgsOf } from "../support/componentArgs";
import { listeningAgent } from "../support/listeningAgent";

// NixHost under mocks: which remote commands each host gets, what they run, and where the
// secrets (SSH key, Cachix token) go.

const TOKEN = "cachix-token-never-in-a-command";
const ROTATED = "cachix-token-rotated-value";
const PRIVATE_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nnever-in-a-command\n-----END OPENSSH PRIVATE KEY-----\n";
const BASTION_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGht2YU8N8Y8IebRzu4sq5QH/Cbr+Mc6uHcVjKwB2hSo";
const COMMAND = "command:remote:Command";

// An agent listens on the laptop's socket: a named socket without one is refused before anything registers.
const AGENT_SOCKET = listeningAgent();

const HOSTS = [
    { name: "builder-nixos", kind: "nixos", address: "203.0.113.10", hostKey: HOST_KEY, trustedUsers: ["ci"] },
    { name: "builder-debian", kind: "nix", address: "203.0.113.11", user: "admin", hostKey: HOST_KEY, trustedUsers: ["ci"], proxy: { address: "198.51.100.1", user: "jump", hostKey: BASTION_KEY } },
    { name: "laptop", kind: "user", address: "203.0.113.12", user: "dev", insecureSkipHostKeyVerification: true, sshAgent: AGENT_SOCKET },
];

function model(isPrivate: boolean): StackModel {
    return loadStackModel(
        rawConfig({ cache: { name: "atproto", publicKeys: [ATPROTO_KEY], private: isPrivate }, hosts: HOSTS }, { cachixAuthToken: "x", sshPrivateKey: "x" }),
        { mode: "apply" },
    );
}

interface Recorded {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, unknown>;
}

const VERIFY_STDOUT = [
    "nix-cache-check ok kind: nix",
    "nix-cache-effective substituters = https://cache.nixos.org/ https://atproto.cachix.org",
    `nix-cache-effective trusted-public-keys = ${ATPROTO_KEY}`,
    "nix-cache-effective trusted-users = root ci",
    "",
].join("\n");

/** One mocked `pulumi up` of a CacheSetup; returns what was registered and the setup. */
async function run(isPrivate: boolean, token = TOKEN) {
    const recorded: Recorded[] = [];
    await pulumi.runtime.setMocks(
        {
            newResource(args) {
                recorded.push({ type: args.type, name: args.name, inputs: args.inputs });
                const stdout = args.name.endsWith("-verify") ? VERIFY_STDOUT : "nix-cache: changed";
                return { id: `${args.name}-id`, state: args.type === COMMAND ? { ...args.inputs, stdout, stderr: "" } : args.inputs };
            },
            call: (args) => args.inputs,
        },
        "nix-cache",
        "test",
        false,
    );
    const { CacheSetup } = await import("../../components/setup/cacheSetup");
    const m = model(isPrivate);
    const setup = new CacheSetup(
        "nix-cache",
        cacheSetupArgsOf(m, { cachixAuthToken: pulumi.secret(token), sshPrivateKeys: { sshPrivateKey: pulumi.secret(PRIVATE_KEY) } }),
    );
    await Promise.all(setup.hosts.map((host) => new Promise((resolve) => pulumi.all([host.effectiveSubstituters, host.commands.verify.urn]).apply(resolve))));
    // Components register their outputs a little later; the next run's mocks must not see that.
    await new Promise((resolve) => setTimeout(resolve, 200));
    return { recorded, setup, model: m };
}

const isSecret = (value: unknown) =>
    typeof value === "object" && value !== null && (value as Record<string, unknown>)[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig;
const unwrap = (value: unknown): unknown => (isSecret(value) ? (value as { value: unknown }).value : value);
const isProbe = (r: Recorded) => /-handshake(-via-proxy)?(-on-delete)?$/.test(r.name);
const commandsOf = (recorded: Recorded[], host: string) => recorded.filter((r) => r.type === COMMAND && r.name.startsWith(`nix-cache-host-${host}-`) && !isProbe(r));
const named = (recorded: Recorded[], name: string) => recorded.find((r) => r.name === name)!;
/** What a command's stdin carries after its scripts (the token, the markers). */
const dataOf = (r: Recorded) => String(unwrap(r.inputs["stdin"])).split("#nix-cache:end\n").pop();

/** Reads every host as `stdout` (exit `code`) says, recording what each read ran. */
function readAs(stdout: string, code = 0, reads: { host: string; command: string }[] = []): HostReader {
    return (host, run) => {
        reads.push({ host: host.name, command: `${run.line}\n${run.stdin}` });
        return Promise.resolve({ code, stdout, stderr: "" });
    };
}

afterEach(() => setHostReader(undefined));

describe("NixHost under mocks", () => {
    it("registers one NixHost per host, each with its own settings, netrc (private cache) and verify commands", async () => {
        const { recorded } = await run(true);
        expect(recorded.filter((r) => r.type === "nix-cache:index:NixHost").map((r) => r.name)).toEqual(HOSTS.map((h) => `nix-cache-host-${h.name}`));
        for (const host of HOSTS) {
            expect(commandsOf(recorded, host.name).map((r) => r.name)).toEqual(["settings", "netrc", "verify"].map((c) => `nix-cache-host-${host.name}-${c}`));
        }
    });

    it("a public cache gets no netrc command", async () => {
        const { recorded } = await run(false);
        expect(recorded.filter((r) => r.name.endsWith("-netrc"))).toEqual([]);
        expect(recorded.filter((r) => r.type === COMMAND && !isProbe(r))).toHaveLength(HOSTS.length * 2);
    });

    it("runs exactly the rendered scripts, sent on stdin to a short command line: what render shows is what runs", async () => {
        const { recorded, model: m } = await run(true);
        const artifacts = hostArtifacts(m, secretPlaceholder, renderedAddedCaches(m), pulumi.getStack());
        for (const host of m.hosts) {
            const expected = hostCommands(hostScripts(hostPayload(m, host, [], hostOwner(pulumi.getProject(), pulumi.getStack(), host))), host.kind);
            const [settings, netrc, verify] = commandsOf(recorded, host.name).map((r) => r.inputs);
            expect(settings).toMatchObject({ create: expected.apply.line, update: expected.apply.line, delete: expected.destroy.line });
            expect(netrc).toMatchObject({ create: expected.netrcApply!.line, update: expected.netrcApply!.line, delete: expected.netrcDestroy!.line, logging: "none" });
            expect(verify).toMatchObject({ create: expected.verify.line, update: expected.verify.line });
            // The scripts, then the markers of the run's read.
            expect(String(verify.stdin).startsWith(expected.verify.stdin)).toBe(true);
            const rendered = (file: string) => artifacts.find((a) => a.path === `hosts/${host.name}/${file}`)!.content;
            const files = ["apply", "destroy", "verify", "detect", "netrc-apply", "netrc-destroy"].map((f) => rendered(`${f}.sh`));
            const fromRender = hostCommands({ apply: files[0], destroy: files[1], verify: files[2], detect: files[3], netrcApply: files[4], netrcDestroy: files[5] }, host.kind);
            expect(String(settings.stdin).startsWith(fromRender.apply.stdin)).toBe(true);
            expect(unwrap(netrc.stdin)).toBe(`${fromRender.netrcApply!.stdin}${TOKEN}\nin effect\n`);
            expect(String(verify.stdin).startsWith(fromRender.verify.stdin)).toBe(true);
            // The settings command's delete undoes the netrc too: one command per host.
            expect(fromRender.destroy.stdin).toContain(rendered("netrc-destroy.sh").split("\n")[1]);
            // Short: a failing command's error quotes its line, never the script.
            for (const line of [settings.create, settings.delete, netrc.create, verify.create]) {
                expect(String(line).length).toBeLessThan(600);
            }
        }
    });

    it("keeps the token and the SSH key out of every command line; they travel as secrets (stdin, connection)", async () => {
        const { recorded } = await run(true);
        for (const resource of recorded.filter((r) => r.type === COMMAND)) {
            for (const field of ["create", "update", "delete"]) {
                const text = String(unwrap(resource.inputs[field]) ?? "");
                expect(text).not.toContain(TOKEN);
                expect(text).not.toContain("never-in-a-command");
            }
            expect(resource.inputs["addPreviousOutputInEnv"]).toBe(false);
        }
        for (const netrc of recorded.filter((r) => r.name.endsWith("-netrc"))) {
            expect(isSecret(netrc.inputs["stdin"])).toBe(true);
            // The scripts, the token, then the netrc's marker.
            expect(dataOf(netrc)).toBe(`${TOKEN}\nin effect\n`);
        }
        const debian = commandsOf(recorded, "builder-debian")[0].inputs["connection"];
        const connection = unwrap(debian) as Record<string, unknown>;
        expect(isSecret(debian) || isSecret(connection["privateKey"])).toBe(true);
        expect(JSON.stringify(connection)).toContain("never-in-a-command");
        for (const resource of recorded.filter((r) => r.type === COMMAND)) {
            const stdin = resource.inputs["stdin"];
            // Plain stdin carries scripts, then only the markers of what the read found.
            const data = String(stdin).split("#nix-cache:end\n").pop()!;
            expect(stdin === undefined || isSecret(stdin) || data === "in effect\n" || data === "in effect\nnetrc: in effect\n").toBe(true);
        }
    });

    it("pins host keys (bastion included) unless a host opts out, and uses the agent socket when configured", async () => {
        const { recorded } = await run(true);
        const connection = (host: string) => {
            const raw = unwrap(commandsOf(recorded, host)[0].inputs["connection"]) as Record<string, unknown>;
            return JSON.parse(JSON.stringify(raw, (_, v: unknown) => unwrap(v))) as Record<string, unknown>;
        };
        expect(connection("builder-nixos")).toMatchObject({ host: "203.0.113.10", port: 22, user: "root", hostKey: HOST_KEY, dialErrorLimit: 3 });
        expect(connection("builder-debian")).toMatchObject({
            user: "admin",
            hostKey: HOST_KEY,
            proxy: { host: "198.51.100.1", port: 22, user: "jump", hostKey: BASTION_KEY, privateKey: PRIVATE_KEY },
        });
        const laptop = connection("laptop");
        expect(laptop).toMatchObject({ host: "203.0.113.12", user: "dev", agentSocketPath: AGENT_SOCKET });
        expect(laptop).not.toHaveProperty("hostKey");
        expect(laptop).not.toHaveProperty("privateKey");
    });

    it("gates each host's commands on its read, and probes the handshake before they are deleted (the proxy's too)", async () => {
        const { recorded } = await run(true);
        const probes = recorded.filter(isProbe);
        expect(probes.map((r) => `${r.type} ${r.name}`).sort()).toEqual([
            "command:local:Command nix-cache-host-builder-debian-handshake",
            "command:local:Command nix-cache-host-builder-debian-handshake-on-delete",
            "command:local:Command nix-cache-host-builder-nixos-handshake",
            "command:local:Command nix-cache-host-builder-nixos-handshake-on-delete",
            "command:local:Command nix-cache-host-laptop-handshake",
            "command:local:Command nix-cache-host-laptop-handshake-on-delete",
            "command:remote:Command nix-cache-host-builder-debian-handshake-via-proxy-on-delete",
        ]);
        // A host the read reached: the gate passes, and its input is the same on every run.
        for (const gate of probes.filter((r) => r.name.endsWith("-handshake"))) {
            expect(gate.inputs).toMatchObject({ create: "exit 0", update: "exit 0" });
        }
        for (const probe of probes.filter((r) => r.name.endsWith("-on-delete"))) {
            expect(probe.inputs["create"]).toBeUndefined();
            expect(probe.inputs["stdin"]).toBeUndefined();
        }
        const onDelete = (host: string) => String(named(probes, `nix-cache-host-${host}-handshake-on-delete`).inputs["delete"]);
        expect(onDelete("builder-nixos")).toContain(`'builder-nixos' '203.0.113.10' '22' '30'`);
        expect(onDelete("builder-debian")).toContain(`'builder-debian' '198.51.100.1' '22' '30'`);
        const viaProxy = named(probes, "nix-cache-host-builder-debian-handshake-via-proxy-on-delete");
        expect(String(viaProxy.inputs["delete"])).toContain("ssh-keyscan -T 30 -p 22 '203.0.113.11'");
        const connection = JSON.parse(JSON.stringify(unwrap(viaProxy.inputs["connection"]), (_, v: unknown) => unwrap(v))) as Record<string, unknown>;
        expect(connection).toMatchObject({ host: "198.51.100.1", user: "jump", hostKey: BASTION_KEY, privateKey: PRIVATE_KEY });
        expect(connection).not.toHaveProperty("proxy");
    });

    it("a host the read cannot reach gets a gate that fails naming it and why; its commands wait behind it", async () => {
        setHostReader((host) => Promise.reject(new Error(`host ${host.name}: cannot read its state over SSH: dial tcp ${host.ssh.address}:22: connect ECONNREFUSED`)));
        const { recorded } = await run(true);
        const gate = named(recorded, "nix-cache-host-laptop-handshake");
        expect(String(gate.inputs["create"])).toBe(
            `printf '%s\\n' ${shQuote(`nix-cache: error on host laptop: cannot read its state over SSH: dial tcp 203.0.113.12:22: connect ECONNREFUSED: its commands were not started (--continue-on-error lets the other hosts finish, removed entries included); ${GONE_FOR_GOOD}`)} >&2; exit 1`,
        );
        expect(dataOf(named(recorded, "nix-cache-host-laptop-settings"))).toBe("not read: the host could not be reached\n");
    });

    it("rotating the token changes only each netrc command's stdin", async () => {
        const before = (await run(true, TOKEN)).recorded;
        const after = (await run(true, ROTATED)).recorded;
        const show = (r: Recorded) => JSON.stringify(r.inputs, (_, v: unknown) => (isSecret(v) ? { secret: unwrap(v) } : v));
        const previous = new Map(before.map((r) => [r.name, r]));
        const changed = after.filter((r) => show(r) !== show(previous.get(r.name)!)).map((r) => r.name).sort();
        expect(changed).toEqual(HOSTS.map((h) => `nix-cache-host-${h.name}-netrc`).sort());
        for (const name of changed) {
            const [b, a] = [before, after].map((list) => list.find((r) => r.name === name)!.inputs);
            expect(Object.keys(a).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))).toEqual(["stdin"]);
        }
    });

    it("reads each host once per run with a fresh salt, the verify script and never the token; a host as declared keeps its marker", async () => {
        const reads: { host: string; command: string }[] = [];
        setHostReader(readAs("nix-cache-check ok kind: nix\nnix-cache-state converged drift: file: x differs\n", 0, reads));
        const first = (await run(true)).recorded;
        const firstReads = reads.splice(0);
        expect(firstReads.map((r) => r.host).sort()).toEqual(HOSTS.map((h) => h.name).sort());
        const second = (await run(true)).recorded;
        for (const { command } of [...firstReads, ...reads]) {
            expect(command).not.toContain(TOKEN);
            // The verify script, then the salt after it on stdin.
            expect(command).toMatch(/#nix-cache:end\nsalt:[0-9a-f]{32}\n$/);
        }
        expect(firstReads[0].command).not.toBe(reads.find((r) => r.host === firstReads[0].host)!.command);
        // Nothing drifted: each command keeps the marker the host recorded at its last apply.
        for (const recorded of [first, second]) {
            for (const r of recorded.filter((c) => c.name.endsWith("-settings"))) {
                expect(dataOf(r)).toBe("drift: file: x differs\n");
            }
            for (const r of recorded.filter((c) => c.name.endsWith("-verify"))) {
                expect(dataOf(r)).toBe("drift: file: x differs\nnetrc: in effect\n");
            }
        }
    });

    it("a drifted host's commands get the reasons in words, each command its own; the outputs are then verify's, after the repair", async () => {
        const lines = ["nix-cache-check drift file: /etc/nix/nix-cache.conf is missing", "nix-cache-check drift netrc: /etc/nix/netrc is missing", "nix-cache-state converged in effect"];
        setHostReader(readAs(lines.join("\n"), 3));
        const { recorded, setup } = await run(true);
        for (const host of HOSTS) {
            expect(dataOf(named(recorded, `nix-cache-host-${host.name}-settings`))).toBe("drift: file: /etc/nix/nix-cache.conf is missing\n");
            expect(dataOf(named(recorded, `nix-cache-host-${host.name}-netrc`))).toBe(`${TOKEN}\ndrift: netrc: /etc/nix/netrc is missing\n`);
            expect(dataOf(named(recorded, `nix-cache-host-${host.name}-verify`))).toBe("drift: file: /etc/nix/nix-cache.conf is missing\nnetrc: drift: netrc: /etc/nix/netrc is missing\n");
        }
        const debian = setup.hosts.find((h) => h.hostName === "builder-debian")!;
        expect(await new Promise((resolve) => debian.effectiveTrustedUsers.apply(resolve))).toEqual(["root", "ci"]);
    });

    it("replaces a host's settings when what names its files changes: a user host's login user among them", async () => {
        const { recorded } = await run(false);
        const triggers = (host: string) => unwrap(commandsOf(recorded, host)[0].inputs["triggers"]);
        expect(triggers("laptop")).toEqual(["203.0.113.12", 22, "user", "/etc/nix", "dev"]);
        // Another login of a nix or nixos host reaches the same system files.
        expect(triggers("builder-debian")).toHaveLength(4);
    });

    it("exposes the effective settings the read found, when nothing drifted", async () => {
        setHostReader(readAs(`${VERIFY_STDOUT}nix-cache-state converged in effect\n`));
        const { setup } = await run(true);
        const debian = setup.hosts.find((h) => h.hostName === "builder-debian")!;
        const value = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));
        expect(await value(debian.effectiveSubstituters)).toEqual(["https://cache.nixos.org/", "https://atproto.cachix.org"]);
        expect(await value(debian.effectiveTrustedPublicKeys)).toEqual([ATPROTO_KEY]);
        expect(await value(debian.effectiveTrustedUsers)).toEqual(["root", "ci"]);
        expect(await value(debian.checks)).toEqual([{ status: "ok", item: "kind", detail: "nix" }]);
        // A child of the NixHost component, named after it.
        expect(await value(debian.commands.settings.urn)).toMatch(/nix-cache:index:NixHost\$command:remote:Command::nix-cache-host-builder-debian-settings$/);
    });

    it("a private cache without a token fails before registering anything for the host", async () => {
        const { recorded } = await run(true);
        const { NixHost } = await import("../../components/hosts/nixHost");
        const m = model(true);
        expect(() => new NixHost("lonely", nixHostArgsOf(m, 0))).toThrow(/cache "atproto" is private; netrcToken is required for host builder-nixos/);
        // Registrations are asynchronous: wait for one made after the failed one before looking.
        const sentinel = new NixHost("sentinel", nixHostArgsOf(m, 0, { netrcToken: pulumi.secret(TOKEN), privateKey: pulumi.secret(PRIVATE_KEY) }));
        await new Promise((resolve) => sentinel.commands.verify.urn.apply(resolve));
        expect(recorded.map((r) => r.name)).toContain("sentinel");
        expect(recorded.map((r) => r.name).filter((name) => name.startsWith("lonely"))).toEqual([]);
    });
});
