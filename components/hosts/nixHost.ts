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
import { GONE_FOR_GOOD, handshakeProbeCommand, handshakeTimeoutSeconds, proxiedHandshakeProbeScript } from "./handshakeProbe";
import { readHostState, stateRead } from "./hostRead";
import { HostScripts, hostScripts } from "./hostScripts";
import { driftReasons, HostMarkers, hostMarkers, IN_EFFECT, netrcTokenDigest, parseHostState } from "./hostState";
import { shQuote } from "../formats/shell";
import { hostOwner, hostPayload } from "./payload";
import { parseVerifyReport, VerifyCheck, VerifyReport } from "./verifyReport";
import { retiredCommandOptions, retiredWarning } from "./retiredHost";

/**
 * The probes of `host`'s SSH handshake before its commands are deleted (`pulumi destroy`, or the
 * host's entry removed), which runs no program and so no read: from here, of the host or (when
 * it has one) its proxy, and from the proxy, of the host. The command provider bounds only the
 * TCP connect; these fail by name, within {@link handshakeTimeoutSeconds}, when the host accepts
 * the connection and never speaks SSH. They wait for the commands (`commands`), so the engine
 * deletes them, running the probe, first. Their inputs never change between runs. A retired
 * host's probes keep what state has and leave it without running.
 */
function deleteProbes(
    name: string,
    host: HostSpec,
    resolved: pulumi.Output<HostSpec> | undefined,
    privateKey: pulumi.Input<string> | undefined,
    parent: pulumi.Resource,
    commands: pulumi.Resource[],
    retired: boolean,
): void {
    const seconds = handshakeTimeoutSeconds(host);
    const of = <T>(f: (h: HostSpec) => T): pulumi.Input<T> => (resolved === undefined ? f(host) : resolved.apply(f));
    const inputs = (line: pulumi.Input<string>) => (retired ? { addPreviousOutputInEnv: false } : { delete: line, addPreviousOutputInEnv: false });
    const kept = retired ? retiredCommandOptions() : {};
    const local = (dependsOn: pulumi.Resource[]) =>
        new command.local.Command(
            `${name}-handshake-on-delete`,
            inputs(of((h) => handshakeProbeCommand(h.name, h.proxy ?? h.ssh, seconds, process.execPath))),
            { parent, dependsOn, ...kept },
        );
    if (host.proxy === undefined) {
        local(commands);
        return;
    }
    // Deleted in the reverse order of dependencies: the local probe (of the proxy) runs first.
    const viaProxy = new command.remote.Command(
        `${name}-handshake-via-proxy-on-delete`,
        { connection: of((h) => proxyConnection(h, privateKey)!), ...inputs(of((h) => proxiedHandshakeProbeScript(h.name, h.ssh, seconds))) },
        { parent, dependsOn: commands, customTimeouts: commandTimeouts(host), ...kept },
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
    commands: pulumi.Output<HostCommands>,
    privateKey: pulumi.Input<string> | undefined,
    token: pulumi.Input<string> | undefined,
): pulumi.Output<HostFound> {
    const found = pulumi.all([host, commands, privateKey, token]).apply(async ([h, c, key, declared]): Promise<HostFound> => {
        const salt = randomBytes(16).toString("hex");
        try {
            const read = await readHostState(h, stateRead(c.verify, salt), key);
            const reasons = driftReasons(read, declared === undefined ? undefined : netrcTokenDigest(salt, declared));
            const state = parseHostState(read.stdout);
            return { markers: hostMarkers(reasons, state), reasons, report: read.code === 0 || read.code === 3 ? state.report : undefined };
        } catch (error) {
            return { markers: { settings: UNREAD, netrc: UNREAD }, reasons: [], problem: (error as Error).message };
        }
    });
    return pulumi.unsecret(found);
}

/**
 * The local command line of the gate: passes when the read reached the host, else fails naming
 * why and the way out. A failed step stops the engine from starting others, the deletes of
 * removed entries included, which come last (docs/hosts.md, "A dead host in `pulumi up`").
 */
function gateCommand(found: HostFound): string {
    const message = `nix-cache: error on ${found.problem}: its commands were not started (--continue-on-error lets the other hosts finish, removed entries included); ${GONE_FOR_GOOD}`;
    return found.problem === undefined ? "exit 0" : `printf '%s\\n' ${shQuote(message)} >&2; exit 1`;
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
        const agentProblem = host.retired ? undefined : agentSocketProblem(host, process.env);
        if (agentProblem !== undefined) {
            throw new pulumi.RunError(`NixHost ${name}: ${agentProblem}`);
        }
        // Built from the planned host too, so a missing key fails here, before anything is registered.
        // A retired host's key may be gone: its connection is never used (its commands keep state's).
        const key = host.retired ? (args.privateKey ?? "") : args.privateKey;
        const planned = hostConnection(host, key);
        const connection = resolved === undefined ? planned : resolved.apply((h) => hostConnection(h, key));
        super("nix-cache:index:NixHost", name, {}, opts);
        this.hostName = host.name;
        if (host.retired) {
            pulumi.log.warn(retiredWarning(host, isPrivate), this);
        }
        // A retired host's commands stay as state has them (one not in state is made with nothing
        // to run), and leave state without running.
        const kept = host.retired ? retiredCommandOptions() : {};
        const live = (inputs: command.remote.CommandArgs): command.remote.CommandArgs => (host.retired ? { connection, addPreviousOutputInEnv: false } : inputs);
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
        // (they run in place, and the preview says why). See hostState.ts and docs/hosts.md. A
        // retired host is not read (its commands keep what state has).
        const found: pulumi.Output<HostFound> = host.retired
            ? pulumi.output({ markers: { settings: IN_EFFECT, netrc: IN_EFFECT }, reasons: [] })
            : readHost(resolved ?? pulumi.output(host), commands, args.privateKey, args.netrcToken);
        const markers = found.apply((f) => f.markers);
        // A host the read could not reach (or that never spoke SSH within the handshake bound)
        // fails here, by name, and its commands are not sent to the provider.
        const handshake = host.retired
            ? []
            : [new command.local.Command(`${name}-handshake`, { create: found.apply(gateCommand), update: found.apply(gateCommand), addPreviousOutputInEnv: false }, { parent: this })];

        const settings = new command.remote.Command(
            `${name}-settings`,
            live({
                ...common,
                create: commands.apply((c) => c.apply.line),
                update: commands.apply((c) => c.apply.line),
                delete: commands.apply((c) => c.destroy.line),
                // The scripts, then the marker: apply records it on the host, and the next read
                // gives it back while nothing drifted.
                stdin: pulumi.all([commands, markers]).apply(([c, m]) => `${c.apply.stdin}${m.settings}\n`),
            }),
            { parent: this, dependsOn: handshake, deleteBeforeReplace: true, customTimeouts, ...kept },
        );
        let netrc: command.remote.Command | undefined;
        if (isPrivate) {
            // The netrc scripts read no cache list, so the deploy-time caches are left out: the
            // commands are then plain strings, known even in a preview that adds the mirror.
            const plain = hostCommands(hostScripts(hostPayload(model, host, [], owner)), host.kind);
            netrc = new command.remote.Command(
                `${name}-netrc`,
                live({
                    ...common,
                    create: plain.netrcApply!.line,
                    update: plain.netrcApply!.line,
                    delete: plain.netrcDestroy!.line,
                    // The token follows the scripts on stdin, where netrc-apply reads it, then the
                    // netrc's marker: a drifted netrc is written again.
                    stdin: pulumi.secret(pulumi.all([args.netrcToken!, markers]).apply(([token, m]) => `${plain.netrcApply!.stdin}${token}\n${m.netrc}\n`)),
                    // The scripts never print the token; this keeps anything else that might out of logs too.
                    logging: "none",
                }),
                // Undone by the settings command's delete when both go (one command per host, so a
                // host is never left half undone); by its own delete when only it goes.
                { parent: this, dependsOn: [...handshake, settings], deleteBeforeReplace: true, additionalSecretOutputs: ["stdout", "stderr"], customTimeouts, deletedWith: settings, ...kept },
            );
        }
        const verify = new command.remote.Command(
            `${name}-verify`,
            live({
                connection,
                addPreviousOutputInEnv: false,
                create: commands.apply((c) => c.verify.line),
                // Runs again when anything it checks is declared differently (its script carries all
                // of it) and after a repair (the markers after the script, which also say why,
                // readable where the netrc's is a secret): what it reports is then the outputs.
                stdin: pulumi
                    .all([commands, markers])
                    .apply(([c, m]) => `${c.verify.stdin}${m.settings}\n${isPrivate ? `netrc: ${m.netrc}\n` : ""}`),
                update: commands.apply((c) => c.verify.line),
            }),
            { parent: this, dependsOn: [...handshake, settings, ...(netrc === undefined ? [] : [netrc])], customTimeouts, ...kept },
        );
        hostCommandsOf.set(this, { settings, netrc, verify });
        deleteProbes(name, host, resolved, key, this, [settings, ...(netrc === undefined ? [] : [netrc]), verify], host.retired);

        // What the latest run found in effect: the read when nothing drifted (nothing else ran),
        // else verify's report, which ran after the repair. No stdout: a command an `up --target`
        // of other resources left uncreated.
        const report: pulumi.Output<VerifyReport> = pulumi
            .all([found, verify.stdout])
            .apply(([f, stdout]) => (f.reasons.length === 0 && f.report !== undefined ? f.report : parseVerifyReport(stdout ?? "")));
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
