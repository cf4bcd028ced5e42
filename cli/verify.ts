import { loadStackModel } from "../components/config/load";
import { HostSpec, MirrorSpec, PROJECT_NAME, StackModel, TrustedCacheSpec } from "../components/config/model";
import { rawConfigFromStackFile } from "../components/config/sources";
import { hostCommands, HostCommands } from "../components/hosts/hostCommands";
import { hostScripts } from "../components/hosts/hostScripts";
import { hostOwner, hostPayload } from "../components/hosts/payload";
import { parseVerifyReport } from "../components/hosts/verifyReport";
import { CachixVerdict, cachixVerdict } from "../components/identity/cachixView";
import { parseNixPublicKey } from "../components/formats/nixKeys";
import { GithubVerdict, githubVerdict } from "../components/github/secretCheck";
import { mirrorKeySlots } from "../components/mirror/keyRotation";
import { mirrorTrustedCache } from "../components/mirror/mirrorCache";
import { parseCommandLine, runCommand, stackFile } from "./args";
import { describeSshFailure, runOverSsh, SshTarget } from "./sshClient";
import { privateKeyNames, pulumiConfigReader, StackSecretReader, withStackKeys } from "./stackKeys";

const USAGE = "npm run verify -- --stack NAME [--identity SSH_KEY_FILE] [--host NAME] [--json] [--stacks-dir DIR] [--mirror-key KEY [--mirror-previous-key KEY]]";

/** What verify found on one host. */
export interface HostVerdict {
    readonly host: string;
    readonly kind: HostSpec["kind"];
    /** `ok`, `pending` (declared, waiting for a NixOS rebuild), `drift`, `unreachable`, `error`, or `retired` (not contacted). */
    readonly status: "ok" | "pending" | "drift" | "unreachable" | "error" | "retired";
    /** The kind the host looks like (from the detect script), when it could be asked. */
    readonly detected?: string;
    /** Which installer set Nix up there (nixos, official, determinate, debian, unknown). */
    readonly installer?: string;
    /** One line per problem (or the pending items). */
    readonly details: string[];
}

/** Options of {@link verifyStack}. */
export interface VerifyOptions {
    /**
     * Private key file for every host. Without one, each host logs in as `pulumi up` does: with
     * the stack's own key secret (`privateKeySecret`, read by {@link readSecret}) or its agent.
     */
    readonly identityFile?: string;
    /** Reads the stack's SSH key secrets; `pulumi config get` on the stack unless given. */
    readonly readSecret?: StackSecretReader;
    /** Only this host. */
    readonly host?: string;
    /** Where the stack files are (`stacks/` by default). */
    readonly stacksDir?: string;
    /** The S3 mirror's public key (the stack output `mirrorPublicKey`); required when the stack has a mirror. */
    readonly mirrorKey?: string;
    /** During a mirror key rotation: the previous key (the stack output `mirrorPreviousPublicKey`). */
    readonly mirrorPreviousKey?: string;
}

/**
 * The caches the stack adds on hosts, as `pulumi up` last wrote them: the S3 mirror with its
 * public keys. Those keys are made by `up` and kept only in the stack's state, so the caller
 * passes them (from the stack outputs); without them every mirror host would look drifted.
 * Refuses, before any host is asked, keys that are missing, malformed or of another name.
 */
export function verifiedAddedCaches(stack: string, model: Pick<StackModel, "mirror">, keys: Pick<VerifyOptions, "mirrorKey" | "mirrorPreviousKey">): TrustedCacheSpec[] {
    const given = { "--mirror-key": keys.mirrorKey, "--mirror-previous-key": keys.mirrorPreviousKey };
    if (model.mirror === undefined) {
        const extra = Object.keys(given).filter((flag) => given[flag as keyof typeof given] !== undefined);
        if (extra.length > 0) {
            throw new Error(`stack ${stack} has no S3 mirror (mirror.enabled is false or unset); ${extra.join(" and ")} not used`);
        }
        return [];
    }
    return [mirrorTrustedCache(model.mirror, mirrorKeysOf(stack, model.mirror, given))];
}

function mirrorKeysOf(stack: string, mirror: MirrorSpec, given: Record<"--mirror-key" | "--mirror-previous-key", string | undefined>): string[] {
    const slots = mirrorKeySlots(mirror);
    const flags = ["--mirror-key", "--mirror-previous-key"] as const;
    const outputs = { "--mirror-key": "mirrorPublicKey", "--mirror-previous-key": "mirrorPreviousPublicKey" } as const;
    return flags.flatMap((flag, index) => {
        const slot = slots[index];
        const value = given[flag];
        if (slot === undefined) {
            if (value !== undefined) {
                throw new Error(`stack ${stack}: ${flag} is only for a key rotation (mirror.previousKeyName is unset)`);
            }
            return [];
        }
        if (value === undefined) {
            throw new Error(
                `stack ${stack} has an S3 mirror, whose ${slot.role} key "${slot.keyName}" is made by pulumi up and kept in the stack's state; ` +
                    `pass it with ${flag} "$(pulumi stack output ${outputs[flag]} --stack ${stack})"`,
            );
        }
        const parsed = parseNixPublicKey(value);
        if ("error" in parsed) {
            throw new Error(`${flag}: expected ${parsed.error}`);
        }
        if (parsed.name !== slot.keyName) {
            throw new Error(`${flag}: the key is named "${parsed.name}"; the stack's ${slot.role} mirror key is "${slot.keyName}"`);
        }
        return [value];
    });
}

/** What verify found: the cache as Cachix shows it, the stack's Actions secrets (with a `github` section), and each host. */
export interface VerifyReport {
    readonly cachix: CachixVerdict;
    readonly github?: GithubVerdict;
    readonly hosts: HostVerdict[];
}

/**
 * Runs each host's verify script (the one `pulumi up` runs) over SSH, all hosts at once, and
 * reports drift. Changes nothing on any host. Secrets are not needed: the stack file is read
 * without decrypting, and SSH authenticates with `identityFile` or the agent.
 */
export async function verifyStack(stack: string, options: VerifyOptions = {}): Promise<HostVerdict[]> {
    return (await verifyReport(stack, options)).hosts;
}

/**
 * {@link verifyStack}, with the cache as Cachix shows it beside the hosts (read with
 * `cachixToken`, anonymously without one; not asked with `cache.offline`), and each Actions
 * secret the `github` section declares (asked with `githubToken` at the stack's
 * `github:baseUrl`; skipped without one). Keys the stack leaves out are Cachix's: what
 * `pulumi up` would have put on the hosts.
 */
export async function verifyReport(stack: string, options: VerifyOptions & { cachixToken?: string; githubToken?: string } = {}): Promise<VerifyReport> {
    const raw = rawConfigFromStackFile(stackFile(stack, options.stacksDir));
    const loaded = loadStackModel(raw, { mode: "render", keysFromCachix: true });
    const baseUrl = raw.values["github:baseUrl"];
    const [cachix, github] = await Promise.all([
        cachixVerdict(loaded.cache, options.cachixToken),
        loaded.github === undefined ? undefined : githubVerdict(stack, loaded.github, { token: options.githubToken, baseUrl: typeof baseUrl === "string" ? baseUrl : undefined }),
    ]);
    const model = withCachixKeys(stack, loaded, cachix);
    const hosts = model.hosts.filter((host) => options.host === undefined || host.name === options.host);
    if (options.host !== undefined && hosts.length === 0) {
        throw new Error(`stack ${stack} has no host ${JSON.stringify(options.host)}; hosts: ${model.hosts.map((h) => h.name).join(", ") || "none"}`);
    }
    const added = verifiedAddedCaches(stack, model, options);
    const live = hosts.filter((host) => !host.retired);
    const keys = options.identityFile === undefined ? privateKeyNames(live) : [];
    const read = options.readSecret ?? pulumiConfigReader(stack, options.stacksDir === undefined ? {} : { configFile: stackFile(stack, options.stacksDir) });
    const verdicts = await withStackKeys(keys, read, (keyFiles) =>
        Promise.all(
            hosts.map((host) =>
                host.retired
                    ? Promise.resolve<HostVerdict>({ host: host.name, kind: host.kind, status: "retired", details: ["not contacted (retired: true)"] })
                    : verifyHost(host, hostCommands(hostScripts(hostPayload(model, host, added, hostOwner(PROJECT_NAME, stack, host))), host.kind), { ...options, keyFiles }),
            ),
        ),
    );
    return { cachix, github, hosts: verdicts };
}

/** The model with Cachix's keys (and URL) when the stack leaves them out; an error when Cachix did not say. */
function withCachixKeys(stack: string, model: StackModel, cachix: CachixVerdict): StackModel {
    if (model.cache.publicKeys.length > 0) {
        return model;
    }
    if (cachix.cache === undefined) {
        throw new Error(`stack ${stack} leaves cache.publicKeys to Cachix, which did not give them: ${cachix.details.join("; ")}`);
    }
    const url = model.cache.urlGiven ? model.cache.url : cachix.cache.uri;
    return { ...model, cache: { ...model.cache, url, publicKeys: [...cachix.cache.publicSigningKeys] } };
}

async function verifyHost(host: HostSpec, commands: Pick<HostCommands, "verify" | "detect">, options: VerifyOptions & { keyFiles: ReadonlyMap<string, string> }): Promise<HostVerdict> {
    const target = sshTarget(host, options);
    const base = { host: host.name, kind: host.kind };
    const detect = await runOverSsh(target, commands.detect.line, commands.detect.stdin);
    if (detect.code === 255) {
        const failure = describeSshFailure(detect);
        return { ...base, status: "unreachable", details: failure.startsWith("authentication failed") ? [failure, loginHint(host, options)] : [failure] };
    }
    const detected = /^nix-cache-detect suggested = (\S+)$/m.exec(detect.stdout)?.[1];
    const installer = /^nix-cache-detect installer = (\S+)$/m.exec(detect.stdout)?.[1];
    const verify = await runOverSsh(target, commands.verify.line, commands.verify.stdin);
    if (verify.code === 255) {
        return { ...base, status: "unreachable", detected, installer, details: [describeSshFailure(verify)] };
    }
    const report = parseVerifyReport(verify.stdout);
    if (report.checks.length === 0 || (verify.code !== 0 && verify.code !== 3)) {
        const why = verify.stderr.trim().split("\n").pop() ?? `exit code ${verify.code}`;
        return { ...base, status: "error", detected, installer, details: [why] };
    }
    const drift = report.checks.filter((check) => check.status === "drift").map((check) => `${check.item}: ${check.detail}`);
    const pending = report.checks.filter((check) => check.status === "pending").map((check) => `${check.item}: ${check.detail}`);
    if (drift.length > 0) {
        return { ...base, status: "drift", detected, installer, details: drift };
    }
    return { ...base, status: pending.length > 0 ? "pending" : "ok", detected, installer, details: pending };
}

/** Which credentials verify logged in to `host` with, and how to give others. */
export function loginHint(host: Pick<HostSpec, "auth">, options: Pick<VerifyOptions, "identityFile">): string {
    const used = options.identityFile !== undefined
        ? `the key file ${options.identityFile} (--identity)`
        : host.auth.kind === "privateKey"
          ? `the stack's key secret nix-cache:${host.auth.configKey}`
          : `the SSH agent at ${host.auth.socket ?? "$SSH_AUTH_SOCK"}`;
    return `logged in with ${used}; --identity SSH_KEY_FILE logs in with another key`;
}

/**
 * How to reach a host of the stack: its address, pinned key, bastion and the SSH key (the
 * `--identity` file, else the file holding the stack's key secret) or agent.
 */
export function sshTarget(host: HostSpec, options: Pick<VerifyOptions, "identityFile"> & { keyFiles?: ReadonlyMap<string, string> }): SshTarget {
    return {
        address: host.ssh.address,
        port: host.ssh.port,
        user: host.ssh.user,
        hostKey: host.ssh.hostKey,
        insecure: host.insecureSkipHostKeyVerification,
        proxy: host.proxy,
        identityFile: options.identityFile ?? (host.auth.kind === "privateKey" ? options.keyFiles?.get(host.auth.configKey) : undefined),
        agentSocket: host.auth.kind === "agent" ? host.auth.socket : undefined,
    };
}

/**
 * The report as a table: Cachix's view of the cache and GitHub's of the secrets first, then one
 * line per host, each with one indented line per detail.
 */
export function formatVerdicts(verdicts: readonly HostVerdict[], cachix?: CachixVerdict, github?: GithubVerdict): string {
    const width = Math.max(6, ...verdicts.map((v) => v.host.length));
    const section = (title: string, verdict: { status: string; details: readonly string[] } | undefined): string[] =>
        verdict === undefined ? [] : [`${title.padEnd(width)}  ${verdict.status}`, ...verdict.details.map((detail) => `${" ".repeat(width)}    - ${detail}`)];
    const lines = [...section("CACHIX", cachix), ...section("GITHUB", github)];
    lines.push(`${"HOST".padEnd(width)}  KIND   DETECTED  INSTALLER    STATUS`);
    for (const verdict of verdicts) {
        const columns = [verdict.host.padEnd(width), verdict.kind.padEnd(5), (verdict.detected ?? "-").padEnd(8), (verdict.installer ?? "-").padEnd(11), verdict.status];
        lines.push(columns.join("  "));
        lines.push(...verdict.details.map((detail) => `${" ".repeat(width)}    - ${detail}`));
    }
    return `${lines.join("\n")}\n`;
}

/**
 * Exit code: 0 when every host is as declared (or pending a rebuild it was told to wait for),
 * the stack does not contradict Cachix and no declared secret is missing (an unanswered Cachix
 * or GitHub is reported, not counted).
 */
export function exitCodeOf(verdicts: readonly HostVerdict[], cachix?: CachixVerdict, github?: GithubVerdict): number {
    return verdicts.every((v) => v.status === "ok" || v.status === "pending" || v.status === "retired") && cachix?.status !== "mismatch" && github?.status !== "missing" ? 0 : 1;
}

/** The command line: the stack, and optionally the SSH key, one host and where the stack files are. */
export function verifyArgs(argv: readonly string[]) {
    const options = {
        stack: { type: "string" },
        identity: { type: "string" },
        host: { type: "string" },
        json: { type: "boolean" },
        "stacks-dir": { type: "string" },
        "mirror-key": { type: "string" },
        "mirror-previous-key": { type: "string" },
    } as const;
    return parseCommandLine(argv, options, USAGE, ["stack"]);
}

if (require.main === module) {
    runCommand(verifyArgs, async (args) => {
        const report = await verifyReport(args.stack, {
            identityFile: args.identity,
            host: args.host,
            stacksDir: args["stacks-dir"],
            mirrorKey: args["mirror-key"],
            mirrorPreviousKey: args["mirror-previous-key"],
            // As the cachix CLI reads it: a private cache shows itself only to a token.
            cachixToken: process.env.CACHIX_AUTH_TOKEN,
            // As the GitHub provider and the gh CLI read it.
            githubToken: process.env.GITHUB_TOKEN,
        });
        if (args.json === true) {
            // The same report, for scripts: one JSON document, and the same exit code.
            process.stdout.write(`${JSON.stringify({ stack: args.stack, exitCode: exitCodeOf(report.hosts, report.cachix, report.github), ...report }, null, 2)}\n`);
            return exitCodeOf(report.hosts, report.cachix, report.github);
        }
        if (report.hosts.length === 0) {
            console.log(`stack ${args.stack} declares no hosts`);
        }
        process.stdout.write(formatVerdicts(report.hosts, report.cachix, report.github));
        return exitCodeOf(report.hosts, report.cachix, report.github);
    }, 1);
}
