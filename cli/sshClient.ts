import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** One SSH endpoint as the system `ssh` client reaches it. */
export interface SshEndpoint {
    readonly address: string;
    readonly port: number;
    readonly user: string;
    /** Pinned host key (`TYPE BASE64`); undefined only with `insecure`. */
    readonly hostKey?: string;
}

/** Where and how to connect. */
export interface SshTarget extends SshEndpoint {
    /** Accept any host key (the host's explicit opt-out). */
    readonly insecure: boolean;
    /** Bastion to jump through. */
    readonly proxy?: SshEndpoint;
    /** Private key file; without one, the agent (`agentSocket` or `$SSH_AUTH_SOCK`). */
    readonly identityFile?: string;
    /** SSH agent socket. */
    readonly agentSocket?: string;
    /** Seconds before giving up on a connection. */
    readonly connectTimeoutSeconds?: number;
}

/** What a remote command did. `code` 255 means ssh itself failed (see {@link describeSshFailure}). */
export interface SshResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

const TARGET_ALIAS = "nix-cache-target";
const PROXY_ALIAS = "nix-cache-proxy";

/**
 * Runs `command` on the target with the system `ssh` client, exactly as given (the remote login
 * shell runs it, as with the Pulumi command provider). Host keys are checked against a private
 * known_hosts holding only the pinned keys; the user's own ssh config and known_hosts are not
 * read. `stdin` is written to the command's standard input.
 */
export async function runOverSsh(target: SshTarget, command: string, stdin = ""): Promise<SshResult> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nix-cache-ssh-"));
    try {
        const knownHosts = path.join(dir, "known_hosts");
        const config = path.join(dir, "config");
        fs.writeFileSync(knownHosts, knownHostsLines(target));
        fs.writeFileSync(config, sshConfig(target, knownHosts));
        return await spawnCollect("ssh", ["-F", config, TARGET_ALIAS, command], stdin);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** A short explanation of an ssh failure (exit 255), from its stderr. */
export function describeSshFailure(result: SshResult): string {
    const text = result.stderr;
    if (/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|host key for .* has changed/i.test(text)) {
        return "host key mismatch: the host's SSH key is not the pinned hostKey (or the host was replaced); refusing to connect";
    }
    if (/Connection refused/i.test(text)) {
        return "unreachable: connection refused";
    }
    if (/timed out|No route to host|Could not resolve|Network is unreachable/i.test(text)) {
        return `unreachable: ${firstLine(text)}`;
    }
    if (/Permission denied/i.test(text)) {
        return `authentication failed: ${firstLine(text)}`;
    }
    return `ssh failed: ${firstLine(text) || `exit code ${result.code}`}`;
}

function firstLine(text: string): string {
    return text.split("\n").map((line) => line.trim()).find((line) => line.length > 0) ?? "";
}

function knownHostsLines(target: SshTarget): string {
    const lines: string[] = [];
    if (target.hostKey !== undefined) {
        lines.push(`${TARGET_ALIAS} ${target.hostKey}`);
    }
    if (target.proxy?.hostKey !== undefined) {
        lines.push(`${PROXY_ALIAS} ${target.proxy.hostKey}`);
    }
    return lines.map((line) => `${line}\n`).join("");
}

// Written as a config file because options given on the command line do not reach a jump host.
function sshConfig(target: SshTarget, knownHosts: string): string {
    const common = [
        `  UserKnownHostsFile ${knownHosts}`,
        "  GlobalKnownHostsFile /dev/null",
        `  StrictHostKeyChecking ${target.insecure ? "no" : "yes"}`,
        "  UpdateHostKeys no",
        "  BatchMode yes",
        `  ConnectTimeout ${target.connectTimeoutSeconds ?? 10}`,
        "  LogLevel ERROR",
        ...(target.identityFile !== undefined ? [`  IdentityFile ${target.identityFile}`, "  IdentitiesOnly yes"] : []),
        ...(target.agentSocket !== undefined ? [`  IdentityAgent ${target.agentSocket}`] : []),
    ];
    const host = (alias: string, endpoint: SshEndpoint, extra: string[]) => [
        `Host ${alias}`,
        `  HostName ${endpoint.address}`,
        `  Port ${endpoint.port}`,
        `  User ${endpoint.user}`,
        `  HostKeyAlias ${alias}`,
        ...common,
        ...extra,
    ];
    const proxy = target.proxy;
    const lines = [
        ...host(TARGET_ALIAS, target, proxy !== undefined ? [`  ProxyJump ${PROXY_ALIAS}`] : []),
        ...(proxy !== undefined ? host(PROXY_ALIAS, proxy, []) : []),
    ];
    return `${lines.join("\n")}\n`;
}

function spawnCollect(file: string, args: string[], stdin: string): Promise<SshResult> {
    return new Promise((resolve, reject) => {
        const child = spawn(file, args, { stdio: ["pipe", "pipe", "pipe"] });
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
        child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
        child.on("error", reject);
        child.on("close", (code, signal) =>
            resolve({
                code: code ?? (signal ? 128 : 1),
                stdout: Buffer.concat(stdout).toString("utf8"),
                stderr: Buffer.concat(stderr).toString("utf8"),
            }),
        );
        child.stdin.on("error", () => undefined);
        child.stdin.end(stdin);
    });
}
