import { randomBytes } from "crypto";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { ArgsError } from "../config/argsError";
import { netrcTokenMissing } from "../config/requiredSecrets";
import { CacheArgs, ExtraCacheArgs, HostArgs } from "../args/stackArgs";
import { TrustedCacheArgs } from "../args/trustedCacheArgs";
import { HostSpec } from "../config/model";
import { checkedDeployTimeValue, resolvedHosts, StackSections, validatedSections, validatedSliceOf } from "../args/validate";
import { hostCommands, HostCommands } from "./hostCommands";
import { agentSocketProblem } from "./agentSocket";
import { commandTimeouts, hostConnection, proxyConnection, replacementTriggers } from "./connection";
import { handshakeProbeCommand, handshakeTimeoutSeconds, proxiedHandshakeProbeScript } from "./handshakeProbe";
import { readHostState, stateReadCommand } from "./hostRead";
import { HostScripts, hostScripts } from "./hostScripts";
import { driftReasons, HostMarkers, hostMarkers, netrcTokenDigest, parseHostState } from "./hostState";
import { shQuote } from "../formats/shell";
import { hostOwner, hostPayload } from "./payload";
import { parseVerifyReport, VerifyCheck, VerifyReport } from "./verifyReport";

/**
 * The probes of `host`'s SSH handshake before its commands are deleted (`pulumi destroy`, or the
 * host's entry removed), which runs no program and so no read: from here, of the host or (when
 * it has one) its proxy, and from the proxy, of the host. The command provider bounds only the
 * TCP connect; these fail by name, within {@link handshakeTimeoutSeconds}, when the host accepts
 * the connection and never speaks SSH. They wait for the commands (`commands`), so the engine
 * deletes them, running the probe, first. Their inputs never change between runs.
 */
function deleteProbes(name: string, host: HostSpec, resolved: pulumi.Output<HostSpec> | undefined, privateKey: pulumi.Input<string> | undefined, parent: pulumi.Resource, commands: pulumi.Resource[]): void {
    const seconds = handshakeTimeoutSeconds(host);
    const of = <T>(f: (h: HostSpec) => T): pulumi.Input<T> => (resolved === undefined ? f(host) : resolved.apply(f));
    const local = (dependsOn: pulumi.Resource[]) =>
        new command.local.Command(
            `${name}-handshake-on-delete`,
            { delete: of((h) => handshakeProbeCommand(h.name, h.proxy ?? h.ssh, seconds, process.execPath)), addPreviousOutputInEnv: false },
            { parent, dependsOn },
        );
    if (host.proxy === undefined) {
        local(commands);
        return;
    }
    // Deleted in the reverse order of dependencies: the local probe (of the proxy) runs first.
    const viaProxy = new command.remote.Command(
        `${name}-handshake-via-proxy-on-delete`,
        {
            connection: of((h) => proxyConnection(h, privateKey)!),
            delete: of((h) => proxiedHandshakeProbeScript(h.name, h.ssh, seconds)),
            addPreviousOutputInEnv: false,
        },
        { parent, dependsOn: commands, customTimeouts: commandTimeouts(host) },
    );
    local([viaProxy]);
}

/** What this run's read of a host found (see hostState.ts); `problem` when it could not read. */
interface HostFound {
    readonly markers: HostMarkers;
    readonly reasons: readonly string[];
    readonly report?: VerifyReport;
    readonly problem?: string;
}

/** The marker of a host this run could not read: its commands then wait behind the failing gate. */
const UNREAD = "not read: the host could not be reached";

/**
 * Reads `host` once (one SSH session, the verify script given a fresh salt) and decides whether
 * it is as declared. The token is only compared as a salted digest; nothing secret is in what
 * this returns, so it is unwrapped from the secrets it was computed with.
 */
function readHost(
    host: pulumi.Output<HostSpec>,
    scripts: pulumi.Output<HostScripts>,
    privateKey: pulumi.Input<string> | undefined,
    token: pulumi.Input<string> | undefined,
): pulumi.Output<HostFound> {
    const found = pulumi.all([host, scripts, privateKey, token]).apply(async ([h, s, key, declared]): Promise<HostFound> => {
        const salt = randomBytes(16).toString("hex");
        try {
            const read = await readHostState(h, stateReadCommand(s.verify, h.kind, salt), key);
            const reasons = driftReasons(read, declared === undefined ? undefined : netrcTokenDigest(salt, declared));
            const state = parseHostState(read.stdout);
            return { markers: hostMarkers(reasons, state), reasons, report: read.code === 0 || read.code === 3 ? state.report : undefined };
        } catch (error) {
            return { markers: { settings: UNREAD, netrc: UNREAD }, reasons: [], problem: (error as Error).message };
        }
    });
    return pulumi.unsecret(found);
}

/** The local command line of the gate: passes when the read reached the host, else fails naming why. */
function gateCommand(found: HostFound): string {
    return found.problem === undefined ? "exit 0" : `printf '%s\\n' ${shQuote(`nix-cache: error on ${found.problem}`)} >&2; exit 1`;
}

/**
 * Arguments of {@link NixHost}. The caches and the host are plain values, checked like the stack
 * file's (they decide the remote commands, their triggers and resource names); the key, the token
 * and the deploy-time caches may be Outputs.
 */
export interface NixHostArgs {
    /** The organisation's cache. */
    cache: CacheArgs;
    /** Trust cache.nixos.org, first (true unless set). */
    useCacheNixosOrg?: boolean;
    /** Other caches the host trusts, in order. */
    extraCaches?: ExtraCacheArgs[];
    /** The host: address, kind, credentials, trusted users. */
    host: HostArgs;
    /** Caches known only at deploy time (the S3 mirror), trusted after the others. */
    addedCaches?: pulumi.Input<TrustedCacheArgs[]>;
    /** The SSH private key when the host authenticates with one (kept secret). */
    privateKey?: pulumi.Input<string>;
    /** The token of a private cache, written to the host's netrc through stdin; required then. */
    netrcToken?: pulumi.Input<string>;
}

/** The remote commands of a {@link NixHost}. */
export interface NixHostCommands {
    /** Writes and applies the managed files; undoes them on delete. */
    readonly settings: command.remote.Command;
    /** A private cache's netrc. */
    readonly netrc?: command.remote.Command;
    /** Reads the effective configuration back. */
    readonly verify: command.remote.Command;
}

// Kept off the class's properties, which the component schema analyzer reads as the outputs
// other languages see: a command resource is not a schema type.
const hostCommandsOf = new WeakMap<NixHost, NixHostCommands>();

/**
 * One builder host's Nix settings, managed over SSH: the caches' substituters and keys,
 * `trusted-users`, and a private cache's netrc. Three remote commands, in order: `settings`
 * (managed files, checked by Nix, then applied; undone on delete), `netrc` (private caches
 * only, token on stdin, so rotating it touches nothing else), and `verify` (reads the
 * effective configuration back and fails when anything declared is missing). Every preview and
 * up first reads the host once; only a host that is not as declared gets changed inputs.
 */
export class NixHost extends pulumi.ComponentResource {
    /** The host's name in the stack. */
    readonly hostName: string;
    /** Substituters in effect on the host after apply. */
    readonly effectiveSubstituters: pulumi.Output<string[]>;
    /** Trusted public keys in effect on the host after apply. */
    readonly effectiveTrustedPublicKeys: pulumi.Output<string[]>;
    /** The daemon's trusted users in effect (for `user` hosts: as the user sees them). */
    readonly effectiveTrustedUsers: pulumi.Output<string[]>;
    /** Each check of what the latest `up` found (its read, or verify after a repair). */
    readonly checks: pulumi.Output<VerifyCheck[]>;
    /** What the settings command reported (changed files, or no change). */
    readonly applyOutput: pulumi.Output<string>;
    /** The remote commands, for `dependsOn` (e.g. a build that needs the caches in place). */
    get commands(): NixHostCommands {
        return hostCommandsOf.get(this)!;
    }

    constructor(name: string, args: NixHostArgs, opts?: pulumi.ComponentResourceOptions) {
        // Checked before registering anything, so a misuse leaves no half-made component.
        const sections: StackSections = { cache: args.cache, useCacheNixosOrg: args.useCacheNixosOrg, extraCaches: args.extraCaches, hosts: [args.host] };
        const at = (path: string) => path.replace(/^hosts\[0\]/, "host");
        const handed = validatedSliceOf(args);
        const model = handed?.model ?? validatedSections("NixHost", name, sections, at);
        // The host as planned; connection fields that are Outputs are stand-ins in it, and come
        // from `resolved` once they resolve and pass the same checks.
        const host = model.hosts[0];
        const resolved = (handed === undefined ? resolvedHosts("NixHost", name, sections, at) : handed.resolvedHosts)?.apply((hosts) => hosts[0]);
        const isPrivate = model.cache.private;
        if (netrcTokenMissing(isPrivate, args.netrcToken)) {
            const message = `cache "${model.cache.name}" is private; netrcToken is required for host ${host.name}'s netrc`;
            throw new ArgsError("NixHost", name, [{ path: "netrcToken", message: `is required: cache "${model.cache.name}" is private and host ${host.name}'s netrc needs a token` }], message);
        }
        const agentProblem = agentSocketProblem(host, process.env);
        if (agentProblem !== undefined) {
            throw new pulumi.RunError(`NixHost ${name}: ${agentProblem}`);
        }
        // Built from the planned host too, so a missing key fails here, before anything is registered.
        const planned = hostConnection(host, args.privateKey);
        const connection = resolved === undefined ? planned : resolved.apply((h) => hostConnection(h, args.privateKey));
        super("nix-cache:index:NixHost", name, {}, opts);
        this.hostName = host.name;
        if (host.insecureSkipHostKeyVerification) {
            pulumi.log.warn(`host ${host.name}: insecureSkipHostKeyVerification is set, so its SSH host key is NOT verified`, this);
        }
        // The host's files are stamped with this owner; another stack's runs are refused there.
        const owner = hostOwner(pulumi.getProject(), pulumi.getStack(), host);
        const scripts: pulumi.Output<HostScripts> = pulumi
            .output(args.addedCaches ?? [])
            .apply((added) => hostScripts(hostPayload(model, host, checkedDeployTimeValue("NixHost", name, "addedCaches", added), owner)));
        const commands: pulumi.Output<HostCommands> = scripts.apply((s) => hostCommands(s, host.kind));
        // The commands are replaced, not updated, when a trigger changes (other files, or another
        // login's). Delete first: old and new may be the same files on the same machine, and
        // undoing after applying would leave the host unconfigured.
        const triggers = resolved === undefined ? replacementTriggers(host) : resolved.apply(replacementTriggers);
        const customTimeouts = commandTimeouts(host);
        const common = { connection, triggers, addPreviousOutputInEnv: false };

        // Every preview and up reads the host once and gives its commands a marker: the value they
        // already hold while the host is as declared (nothing runs), the drift in words when not
        // (they run in place, and the preview says why). See hostState.ts and docs/hosts.md.
        const found = readHost(resolved ?? pulumi.output(host), scripts, args.privateKey, args.netrcToken);
        const markers = found.apply((f) => f.markers);
        // A host the read could not reach (or that never spoke SSH within the handshake bound)
        // fails here, by name, and its commands are not sent to the provider.
        const gate = new command.local.Command(
            `${name}-handshake`,
            { create: found.apply(gateCommand), update: found.apply(gateCommand), addPreviousOutputInEnv: false },
            { parent: this },
        );

        const settings = new command.remote.Command(
            `${name}-settings`,
            {
                ...common,
                create: commands.apply((c) => c.apply),
                update: commands.apply((c) => c.apply),
                delete: commands.apply((c) => c.destroy),
                // Apply records it on the host; the next read gives it back while nothing drifted.
                stdin: markers.settings,
            },
            { parent: this, dependsOn: [gate], deleteBeforeReplace: true, customTimeouts },
        );
        let netrc: command.remote.Command | undefined;
        if (isPrivate) {
            // The netrc scripts read no cache list, so the deploy-time caches are left out: the
            // commands are then plain strings, known even in a preview that adds the mirror.
            const plain = hostCommands(hostScripts(hostPayload(model, host, [], owner)), host.kind);
            netrc = new command.remote.Command(
                `${name}-netrc`,
                {
                    ...common,
                    create: plain.netrcApply!,
                    update: plain.netrcApply!,
                    delete: plain.netrcDestroy!,
                    // The token, then the netrc's marker: a drifted netrc is written again.
                    stdin: pulumi.secret(pulumi.all([args.netrcToken!, markers.netrc]).apply(([token, m]) => `${token}\n${m}`)),
                    // The scripts never print the token; this keeps anything else that might out of logs too.
                    logging: "none",
                },
                { parent: this, dependsOn: [gate, settings], deleteBeforeReplace: true, additionalSecretOutputs: ["stdout", "stderr"], customTimeouts },
            );
        }
        const verify = new command.remote.Command(
            `${name}-verify`,
            {
                connection,
                addPreviousOutputInEnv: false,
                create: commands.apply((c) => c.verify),
                // Runs again when anything it checks is declared differently (its script carries all
                // of it) and after a repair (the markers, which also say why, readable where the
                // netrc's is a secret): what it reports is then the outputs.
                update: commands.apply((c) => c.verify),
                stdin: markers.apply((m) => (isPrivate ? `${m.settings}\nnetrc: ${m.netrc}` : m.settings)),
            },
            { parent: this, dependsOn: [gate, settings, ...(netrc === undefined ? [] : [netrc])], customTimeouts },
        );
        hostCommandsOf.set(this, { settings, netrc, verify });
        deleteProbes(name, host, resolved, args.privateKey, this, [settings, ...(netrc === undefined ? [] : [netrc]), verify]);

        // What the latest run found in effect: the read when nothing drifted (nothing else ran),
        // else verify's report, which ran after the repair.
        const report: pulumi.Output<VerifyReport> = pulumi
            .all([found, verify.stdout])
            .apply(([f, stdout]) => (f.reasons.length === 0 && f.report !== undefined ? f.report : parseVerifyReport(stdout)));
        this.effectiveSubstituters = report.apply((r) => r.effective.substituters);
        this.effectiveTrustedPublicKeys = report.apply((r) => r.effective.trustedPublicKeys);
        this.effectiveTrustedUsers = report.apply((r) => r.effective.trustedUsers);
        this.checks = report.apply((r) => r.checks);
        this.applyOutput = settings.stdout;
        this.registerOutputs({
            effectiveSubstituters: this.effectiveSubstituters,
            effectiveTrustedPublicKeys: this.effectiveTrustedPublicKeys,
            effectiveTrustedUsers: this.effectiveTrustedUsers,
            checks: this.checks,
            applyOutput: this.applyOutput,
        });
    }
}
