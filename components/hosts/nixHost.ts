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
import { hostScripts } from "./hostScripts";
import { hostOwner, hostPayload } from "./payload";
import { parseVerifyReport, VerifyCheck, VerifyReport } from "./verifyReport";
import { retiredCommandOptions, retiredWarning } from "./retiredHost";

/** A value no earlier run had: what makes each `up` re-check a host (see NixHost's settings). */
function convergeToken(): string {
    return `converge ${new Date().toISOString()} ${Math.random().toString(36).slice(2)}`;
}

/**
 * When a handshake probe runs: before the host's commands on every `up` (`up`), or before they
 * are deleted (`delete`: `pulumi destroy`, or the host's entry removed), which runs no program.
 */
type ProbeMoment = "up" | "delete";

/**
 * The probes of `host`'s SSH handshake: from here, of the host or (when it has one) its proxy,
 * and from the proxy, of the host. The command provider bounds only the TCP connect; these fail
 * by name, within {@link handshakeTimeoutSeconds}, when the host accepts the connection and
 * never speaks SSH. `up` probes are what the host's commands wait for; `delete` probes wait
 * for the commands (`commands`), so the engine deletes them, running the probe, first.
 */
function handshakeProbes(
    name: string,
    host: HostSpec,
    resolved: pulumi.Output<HostSpec> | undefined,
    privateKey: pulumi.Input<string> | undefined,
    parent: pulumi.Resource,
    moment: ProbeMoment,
    commands: pulumi.Resource[] = [],
    retired = false,
): pulumi.Resource[] {
    const seconds = handshakeTimeoutSeconds(host);
    const of = <T>(f: (h: HostSpec) => T): pulumi.Input<T> => (resolved === undefined ? f(host) : resolved.apply(f));
    const inputs = (line: pulumi.Input<string>) =>
        retired ? { addPreviousOutputInEnv: false } : moment === "up" ? { create: line, update: line, stdin: convergeToken(), addPreviousOutputInEnv: false } : { delete: line, addPreviousOutputInEnv: false };
    const kept = retired ? retiredCommandOptions() : {};
    const suffix = moment === "up" ? "" : "-on-delete";
    const local = (dependsOn: pulumi.Resource[]) =>
        new command.local.Command(
            `${name}-handshake${suffix}`,
            inputs(of((h) => handshakeProbeCommand(h.name, h.proxy ?? h.ssh, seconds, process.execPath))),
            { parent, dependsOn, ...kept },
        );
    const viaProxy = (dependsOn: pulumi.Resource[]) =>
        new command.remote.Command(
            `${name}-handshake-via-proxy${suffix}`,
            { connection: of((h) => proxyConnection(h, privateKey)!), ...inputs(of((h) => proxiedHandshakeProbeScript(h.name, h.ssh, seconds))) },
            { parent, dependsOn, customTimeouts: commandTimeouts(host), ...kept },
        );
    if (host.proxy === undefined) {
        return [local(commands)];
    }
    // Deleted in the reverse order of dependencies: the local probe (of the proxy) runs first either way.
    if (moment === "up") {
        const first = local([]);
        return [first, viaProxy([first])];
    }
    const second = viaProxy(commands);
    return [local([second]), second];
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
 * effective configuration back and fails when anything declared is missing).
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
    /** Each check of the last verify run. */
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
        const commands: pulumi.Output<HostCommands> = pulumi
            .output(args.addedCaches ?? [])
            .apply((added) => hostCommands(hostScripts(hostPayload(model, host, checkedDeployTimeValue("NixHost", name, "addedCaches", added), owner)), host.kind));
        // The commands are replaced, not updated, when a trigger changes (other files, or another
        // login's). Delete first: old and new may be the same files on the same machine, and
        // undoing after applying would leave the host unconfigured.
        const triggers = resolved === undefined ? replacementTriggers(host) : resolved.apply(replacementTriggers);
        // A host that accepts the connection and never speaks SSH would otherwise hold `up` forever.
        const customTimeouts = commandTimeouts(host);
        const handshake = host.retired ? [] : handshakeProbes(name, host, resolved, args.privateKey, this, "up");
        const common = { connection, triggers, addPreviousOutputInEnv: false };

        const settings = new command.remote.Command(
            `${name}-settings`,
            live({
                ...common,
                create: commands.apply((c) => c.apply.line),
                update: commands.apply((c) => c.apply.line),
                delete: commands.apply((c) => c.destroy.line),
                // The scripts, then a value no earlier run had, so every `up` runs apply again in
                // place (never a replace): it compares the host with what is declared and repairs
                // what another tool changed (`cachix use` reordering nix.conf, an edited managed
                // file, a daemon not restarted), changing nothing when all is in effect. The
                // script ignores what follows it on stdin.
                stdin: commands.apply((c) => c.apply.stdin + convergeToken()),
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
                    // The token follows the scripts on stdin, where netrc-apply reads it.
                    stdin: pulumi.secret(pulumi.output(args.netrcToken!).apply((token) => plain.netrcApply!.stdin + token)),
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
                stdin: commands.apply((c) => c.verify.stdin),
                // Runs again when anything it checks is declared differently (its script carries all
                // of it). Not on every up: apply itself fails when what it leaves is not in effect,
                // and a trigger on apply's output would show as a replace in every preview.
                update: commands.apply((c) => c.verify.line),
            }),
            { parent: this, dependsOn: [...handshake, settings, ...(netrc === undefined ? [] : [netrc])], customTimeouts, ...kept },
        );
        hostCommandsOf.set(this, { settings, netrc, verify });
        handshakeProbes(name, host, resolved, key, this, "delete", [settings, ...(netrc === undefined ? [] : [netrc]), verify], host.retired);

        // No stdout: a command an `up --target` of other resources left uncreated.
        const report: pulumi.Output<VerifyReport> = verify.stdout.apply((stdout) => parseVerifyReport(stdout ?? ""));
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
